package tools_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

func iexpense(f *fixture, user, date, cat, amount string) {
	f.create(user, "expenses", schema.Row{"date": date, "category": cat, "amount": amount})
}

func itrip(f *fixture, user, title, start, end string) schema.Row {
	return f.create(user, "calendar_events", schema.Row{"title": title, "event_type": "trip",
		"start_date": start + "T00:00:00Z", "end_date": end + "T00:00:00Z"})
}

func TestIntelligence2NoData(t *testing.T) {
	f := newFixture(t)
	a := f.run(alex, "pam_analyze_spending_patterns", `{}`)
	want(t, a, "0.00", "total")
	want(t, a, "USD", "currency")
	want(t, a, map[string]any{"start": "2025-04-01", "end": "2026-03-15", "days": float64(349)}, "period")
	if n := len(get(t, a, "months").([]any)); n != 12 {
		t.Fatalf("%d months, want 12", n)
	}
	want(t, a, nil, "seasonality", "highest")
	want(t, a, "0.00", "projection", "projected_total")
	want(t, a, "0.00", "trips_vs_parked", "trip_per_day")

	r := f.run(alex, "pam_generate_intelligent_recommendations", `{}`)
	want(t, r, []any{}, "new")
	want(t, r, 100, "health_scores", "vehicle", "score")
	want(t, r, nil, "health_scores", "hustle", "score")
	want(t, r, 0, "health_scores", "financial", "score")

	o := f.run(alex, "pam_optimize_user_experience", `{"focus_areas": ["vehicle"]}`)
	want(t, o, 0, "total")
	want(t, o, []any{}, "immediate")
	f.fail(alex, "pam_optimize_user_experience", `{"focus_areas": ["cooking"]}`, schema.EUNPROCESSABLE)

	rep := f.run(alex, "pam_generate_insights_report", `{}`)
	want(t, rep, "0.00", "financial", "spending")
	want(t, rep, nil, "financial", "change_percent")
	want(t, rep, 0, "fuel", "volume", "value")
	want(t, rep, "gal", "fuel", "volume", "unit")
}

func TestIntel2SpendingPatterns(t *testing.T) {
	f := newFixture(t)
	for _, e := range [][3]string{
		{"2025-12-31", "food", "999.00"}, // before the window
		{"2026-01-10", "food", "100.00"}, {"2026-01-20", "fuel", "50.00"},
		{"2026-02-05", "food", "200.00"}, {"2026-02-06", "camping", "100.00"}, // on the trip
		{"2026-03-02", "food", "60.00"}, {"2026-03-10", "fuel", "90.00"},
	} {
		iexpense(f, sam, e[0], e[1], e[2])
	}
	iexpense(f, alex, "2026-03-01", "food", "5000.00")
	itrip(f, sam, "Coast", "2026-02-05", "2026-02-07")

	a := f.run(sam, "pam_analyze_spending_patterns", `{"months": 3}`)
	want(t, a, "AUD", "currency")
	want(t, a, map[string]any{"start": "2026-01-01", "end": "2026-03-15", "days": float64(74)}, "period")
	want(t, a, "600.00", "total")
	want(t, a, 6, "expense_count")
	want(t, a, "2026-01", "months", 0, "month")
	want(t, a, "150.00", "months", 0, "total")
	want(t, a, "food", "months", 0, "by_category", 0, "name")
	want(t, a, "100.00", "months", 0, "by_category", 0, "total")
	want(t, a, "300.00", "months", 1, "total")
	want(t, a, "150.00", "months", 2, "total")
	want(t, a, true, "months", 2, "partial")
	want(t, a, 15, "months", 2, "period", "days")
	// Seasonality over January and February: mean 225.00.
	want(t, a, []any{"2026-01", "2026-02"}, "seasonality", "months_used")
	want(t, a, "225.00", "seasonality", "monthly_mean")
	want(t, a, -33.33, "seasonality", "months", 0, "vs_mean_percent")
	want(t, a, "2026-02", "seasonality", "highest", "month")
	want(t, a, "2026-01", "seasonality", "lowest", "month")
	// Trip days 02-05..02-07: 300.00 over 3 days; parked 300.00 over 71 days.
	want(t, a, 3, "trips_vs_parked", "trip_days")
	want(t, a, "300.00", "trips_vs_parked", "trip_total")
	want(t, a, "100.00", "trips_vs_parked", "trip_per_day")
	want(t, a, 71, "trips_vs_parked", "parked_days")
	want(t, a, "300.00", "trips_vs_parked", "parked_total")
	want(t, a, "4.23", "trips_vs_parked", "parked_per_day")
	// March: 150.00 / 15 days × 31 = 310.00.
	want(t, a, "150.00", "projection", "spent_so_far")
	want(t, a, 15, "projection", "days_elapsed")
	want(t, a, 31, "projection", "days_in_month")
	want(t, a, "10.00", "projection", "daily_average")
	want(t, a, "310.00", "projection", "projected_total")

	b := f.run(sam, "pam_analyze_spending_patterns", `{"months": 1, "include_predictions": false}`)
	want(t, b, nil, "projection")
	want(t, b, "150.00", "total")
	want(t, b, "150.00", "seasonality", "monthly_mean")
}

func TestIntel2Recommendations(t *testing.T) {
	f := newFixture(t)
	// A food budget crossing months, 2026-02-20..2026-03-19: 100.00 + 85.00 =
	// 185.00 of 200.00 = 92.5 % (the 500.00 of 02-19 is outside it).
	food := f.create(sam, "budgets", schema.Row{"category": "food", "budgeted_amount": "200.00", "start_date": "2026-02-20", "end_date": "2026-03-19"})
	f.create(sam, "budgets", schema.Row{"category": "fuel", "budgeted_amount": "300.00", "start_date": "2026-03-01", "end_date": "2026-03-31"})
	iexpense(f, sam, "2026-02-19", "food", "500.00")
	iexpense(f, sam, "2026-02-25", "food", "100.00")
	iexpense(f, sam, "2026-03-05", "food", "85.00")
	f.create(sam, "income_entries", schema.Row{"date": "2026-03-01", "source": "remote work", "amount": "1000.00"})
	// Oil change overdue since 2026-03-01; its older record is superseded.
	f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2025-03-01", "mileage": 40000, "next_due_date": "2025-09-01"})
	oil := f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2025-09-01", "mileage": 45000, "next_due_date": "2026-03-01"})
	f.create(sam, "maintenance_records", schema.Row{"task": "tire_rotation", "date": "2026-01-01", "mileage": 47000, "next_due_date": "2026-06-01"})
	// A trip of 2 days costing 350.00: 175.00 a day.
	itrip(f, sam, "Desert", "2026-01-10", "2026-01-11")
	iexpense(f, sam, "2026-01-10", "camping", "200.00")
	iexpense(f, sam, "2026-01-11", "camping", "150.00")
	for i, st := range []string{"pending", "pending", "rejected", "approved"} {
		f.create(sam, "hustle_ideas", schema.Row{"title": "idea " + string(rune('a'+i)), "status": st})
	}

	r := f.run(sam, "pam_generate_intelligent_recommendations", `{}`)
	keys := map[string]string{}
	for _, x := range get(t, r, "new").([]any) {
		m := x.(map[string]any)
		keys[m["condition_key"].(string)] = m["priority"].(string)
	}
	wantKeys := map[string]string{
		"budget:" + text(food["id"]) + ":90":       "high",
		"budget:" + text(food["id"]) + ":alert:80": "medium", // its own alert threshold (default 80 %) too
		"maintenance:" + text(oil["id"]):           "high",
		"travel:daily_cost:150":                    "medium",
		"hustle:inactive:2":                        "medium",
	}
	if len(keys) != len(wantKeys) {
		t.Fatalf("new %v, want %v", keys, wantKeys)
	}
	for k, p := range wantKeys {
		if keys[k] != p {
			t.Errorf("key %s: priority %q, want %q (got %v)", k, keys[k], p, keys)
		}
	}
	want(t, r, []any{}, "existing")
	want(t, r, 92.5, "current_budgets", 0, "percent_used")
	want(t, r, "185.00", "current_budgets", 0, "spent")
	want(t, r, 14, "overdue_maintenance", 0, "days_overdue")
	want(t, r, 80, "health_scores", "vehicle", "score")
	want(t, r, 25, "health_scores", "hustle", "score")
	// Current budgets 185.00 of 500.00 = 37 %; net 02-14..03-15 = 1000.00 − 685.00
	// = 315.00 → 31.5; (63 + 31.5) / 2 = 47.25, shown to one decimal as every
	// health score is (health.go): 47.3.
	want(t, r, 47.3, "health_scores", "financial", "score")
	if n := len(f.rows(sam, "active_recommendations")); n != 5 {
		t.Fatalf("%d rows written, want 5", n)
	}

	// Second call: nothing new, nothing written.
	r = f.run(sam, "pam_generate_intelligent_recommendations", `{}`)
	want(t, r, []any{}, "new")
	if n := len(get(t, r, "existing").([]any)); n != 5 {
		t.Fatalf("%d existing, want 5", n)
	}
	if n := len(f.rows(sam, "active_recommendations")); n != 5 {
		t.Fatalf("%d rows after a second call, want 5", n)
	}

	// Optimize before dismissal: vehicle focus keeps the maintenance one.
	o := f.run(sam, "pam_optimize_user_experience", `{"focus_areas": ["vehicle"]}`)
	want(t, o, 1, "total")
	want(t, o, "maintenance", "immediate", 0, "type")

	// Dismiss the maintenance recommendation: it is not re-created.
	var maintRec string
	for _, row := range f.rows(sam, "active_recommendations") {
		if row["source_data_id"] == "maintenance:"+oil["id"].(string) {
			maintRec = row["id"].(string)
		}
	}
	f.run(sam, "pam_update_records", `{"table_name": "active_recommendations", "filters": {"id": "`+maintRec+`"}, "data": {"dismissed": true}}`)
	r = f.run(sam, "pam_generate_intelligent_recommendations", `{}`)
	want(t, r, []any{}, "new")
	want(t, r, "maintenance:"+oil["id"].(string), "dismissed", 0, "condition_key")
	if n := len(get(t, r, "existing").([]any)); n != 4 {
		t.Fatalf("%d existing, want 4", n)
	}
	if n := len(f.rows(sam, "active_recommendations")); n != 5 {
		t.Fatalf("%d rows after dismissal, want 5", n)
	}
	if n := len(f.rows(alex, "active_recommendations")); n != 0 {
		t.Fatalf("alex has %d recommendations", n)
	}

	// Optimize: an expired one and the dismissed one are left out.
	f.create(sam, "active_recommendations", schema.Row{"title": "old", "category": "financial", "priority_level": "high", "expires_at": "2026-03-01T00:00:00Z"})
	f.run(sam, "pam_create_recommendation", `{"title": "Meet the group", "category": "social", "priority_level": "low"}`)
	o = f.run(sam, "pam_optimize_user_experience", `{}`)
	want(t, o, 5, "total")
	want(t, o, "financial", "immediate", 0, "type")
	if n := len(get(t, o, "immediate").([]any)); n != 1 {
		t.Fatalf("%d immediate, want 1", n)
	}
	if n := len(get(t, o, "short_term").([]any)); n != 3 { // travel, hustle and the budget's alert
		t.Fatalf("%d short-term, want 3", n)
	}
	want(t, o, "Meet the group", "long_term", 0, "title")
	want(t, f.run(sam, "pam_optimize_user_experience", `{"focus_areas": ["vehicle"]}`), 0, "total")
	o = f.run(sam, "pam_optimize_user_experience", `{"focus_areas": ["social", "travel"]}`)
	want(t, o, 2, "total")
	want(t, o, "travel", "short_term", 0, "type")
}

func TestIntel2InsightsReport(t *testing.T) {
	f := newFixture(t)
	for _, e := range [][3]string{
		{"2026-03-01", "food", "1000.00"},                                // in neither 7-day period
		{"2026-03-03", "food", "50.00"}, {"2026-03-08", "food", "50.00"}, // previous 7 days
		{"2026-03-10", "food", "70.00"}, {"2026-03-15", "fuel", "30.00"}, // last 7 days
	} {
		iexpense(f, sam, e[0], e[1], e[2])
	}
	f.create(sam, "income_entries", schema.Row{"date": "2026-03-12", "source": "remote work", "amount": "500.00"})
	itrip(f, sam, "Range", "2026-03-13", "2026-03-20")
	itrip(f, sam, "Old", "2026-02-01", "2026-02-02")
	f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2026-03-11", "mileage": 50000, "cost": "120.00", "next_due_date": "2026-03-20"})
	f.create(sam, "maintenance_records", schema.Row{"task": "generator_service", "date": "2026-02-01", "mileage": 48000, "cost": "80.00", "next_due_date": "2026-03-01"})
	f.create(sam, "fuel_log", schema.Row{"date": "2026-03-12", "volume": 60.0, "total": "120.00"})
	f.create(sam, "fuel_log", schema.Row{"date": "2026-03-01", "volume": 40.0, "total": "80.00"})

	// Fuel is counted once (tools.FuelCategories): the fill-ups above have
	// no fuel expense of their date and amount, so each is spending too.
	// Last 7 days (03-09..03-15): food 70 + fuel 30 + the 03-12 fill 120 =
	// 220; the 7 days before: 50 + 50 = 100, so +120 %; fuel 150 leads,
	// food 70 is -30 %; net 500 − 220 = 280.
	a := f.run(sam, "pam_generate_insights_report", `{"report_type": "comprehensive", "time_period": "last_7_days"}`)
	want(t, a, map[string]any{"start": "2026-03-09", "end": "2026-03-15", "days": float64(7)}, "period")
	want(t, a, map[string]any{"start": "2026-03-02", "end": "2026-03-08", "days": float64(7)}, "previous_period")
	want(t, a, "220.00", "financial", "spending")
	want(t, a, "100.00", "financial", "previous_spending")
	want(t, a, 120, "financial", "change_percent")
	want(t, a, "fuel", "financial", "by_category", 0, "category")
	want(t, a, "150.00", "financial", "by_category", 0, "current")
	want(t, a, nil, "financial", "by_category", 0, "change_percent")
	want(t, a, "food", "financial", "by_category", 1, "category")
	want(t, a, "70.00", "financial", "by_category", 1, "current")
	want(t, a, -30, "financial", "by_category", 1, "change_percent")
	want(t, a, "500.00", "financial", "income")
	want(t, a, "280.00", "financial", "net")
	want(t, a, "Range", "travel", "trips", 0, "title")
	want(t, a, 3, "travel", "trip_days")
	want(t, a, "oil_change", "vehicle", "maintenance_done", 0, "task")
	want(t, a, "120.00", "vehicle", "maintenance_cost")
	want(t, a, 1, "vehicle", "overdue_count")
	if n := len(get(t, a, "vehicle", "maintenance_due").([]any)); n != 2 {
		t.Fatalf("%d due, want 2", n)
	}
	want(t, a, 60, "fuel", "volume", "value")
	want(t, a, "L", "fuel", "volume", "unit")
	want(t, a, "Spent 220.00 AUD from 2026-03-09 to 2026-03-15, +120.00 % against 100.00 the 7 days before.", "executive_summary", 0)

	b := f.run(sam, "pam_generate_insights_report", `{"report_type": "financial", "time_period": "last_30_days"}`)
	want(t, b, "1400.00", "financial", "spending") // 1000+50+50+70+30 expenses + fills 120 + 80
	want(t, b, nil, "financial", "change_percent")
	want(t, b, nil, "travel")
	want(t, b, nil, "vehicle")
	want(t, b, nil, "fuel")
	if s := get(t, b, "executive_summary", 0).(string); !strings.Contains(s, "nothing spent the 30 days before") {
		t.Errorf("summary %q", s)
	}
	v := f.run(sam, "pam_generate_insights_report", `{"report_type": "vehicle", "time_period": "last_90_days"}`)
	want(t, v, nil, "financial")
	want(t, v, "200.00", "vehicle", "maintenance_cost")
	want(t, v, 100, "fuel", "volume", "value")
}
