package tools_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

func xdTrip(title, loc, start, end string) schema.Row {
	return schema.Row{"title": title, "location_name": loc, "start_date": start + "T00:00:00Z", "end_date": end + "T00:00:00Z", "event_type": "trip"}
}

func xdExp(amount, cat, date, desc string) schema.Row {
	return schema.Row{"amount": amount, "category": cat, "date": date, "description": desc}
}

func TestCrossDomainNoData(t *testing.T) {
	f := newFixture(t)
	a := f.run(alex, "pam_get_user_360_view", `{}`)
	want(t, a, 0, "travel", "trips_last_12_months")
	want(t, a, nil, "financial", "this_month", "budget_utilization_percent")
	want(t, a, "0.00", "financial", "this_month", "net")
	want(t, a, 0.0, "health_scores", "financial", "score")
	want(t, a, 100.0, "health_scores", "vehicle", "score")
	want(t, a, nil, "health_scores", "hustle", "score")   // no ideas: not scored (health.go)
	want(t, a, 50.0, "health_scores", "overall", "score") // (0 + 100) / 2
	want(t, a, []any{}, "insights")
	want(t, a, []any{}, "vehicle", "fuel_economy")
	c := f.run(alex, "pam_correlate_trip_expenses", `{}`)
	want(t, c, 0, "trips_analysed")
	want(t, c, nil, "most_expensive_trip")
	p := f.run(alex, "pam_predict_maintenance_costs", `{}`)
	want(t, p, []any{}, "items")
	want(t, p, "0.00", "total_estimated_cost")
	want(t, p, 6, "months_ahead")
	h := f.run(alex, "pam_analyze_hustle_roi", `{}`)
	want(t, h, []any{}, "hustles")
	want(t, h, nil, "best_performer")
	want(t, h, nil, "mean_roi_percent")
}

func TestUser360AndTrips(t *testing.T) {
	f := newFixture(t)
	// A fuel budget crossing months (02-15 to 03-14) and a March food budget.
	f.create(sam, "budgets", schema.Row{"category": "fuel", "budgeted_amount": "500.00", "start_date": "2026-02-15", "end_date": "2026-03-14"})
	f.create(sam, "budgets", schema.Row{"category": "food", "budgeted_amount": "100.00", "start_date": "2026-03-01", "end_date": "2026-03-31"})
	f.create(sam, "expenses", xdExp("200.00", "fuel", "2026-02-20", ""))
	f.create(sam, "expenses", xdExp("250.00", "fuel", "2026-03-10", ""))
	f.create(sam, "expenses", xdExp("50.00", "food", "2026-03-05", ""))
	f.create(sam, "income_entries", schema.Row{"source": "salary", "amount": "1000.00", "date": "2026-03-01"})
	f.create(alex, "expenses", xdExp("999.00", "fuel", "2026-03-10", "")) // another user

	upcoming := f.create(sam, "calendar_events", xdTrip("Outback", "Uluru", "2026-04-01", "2026-04-05"))
	uluru := f.create(sam, "calendar_events", xdTrip("Red centre", "Uluru", "2025-06-01", "2025-06-03"))
	f.create(sam, "calendar_events", xdTrip("Byron", "Byron Bay", "2024-01-01", "2024-01-01"))
	dentist := f.create(sam, "calendar_events", schema.Row{"title": "Dentist", "start_date": "2026-03-20T09:00:00Z", "end_date": "2026-03-20T10:00:00Z"})

	// Uluru trip: 150 camping + 60 food + 120 fuel over 3 days; Byron: 40 in one day.
	f.create(sam, "expenses", xdExp("150.00", "camping", "2025-06-01", ""))
	f.create(sam, "expenses", xdExp("60.00", "food", "2025-06-02", ""))
	r := fill("2025-06-02", 60, 9000, true, "120.00", rv1)
	r["consumption"] = 11.0
	f.create(sam, "fuel_log", r)
	f.create(sam, "expenses", xdExp("40.00", "food", "2024-01-01", ""))

	f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2025-10-01", "mileage": 10000, "cost": "100.00",
		"next_due_date": "2026-01-01", "vehicle_id": rv1})
	// rv1: full 10000, partial 20 L, full 40 L at 10500: 60 L / 500 km = 12.0.
	f.create(sam, "fuel_log", fill("2026-01-10", 50, 10000, true, "90.00", rv1))
	f.create(sam, "fuel_log", fill("2026-02-01", 20, 10200, false, "36.00", rv1))
	f.create(sam, "fuel_log", fill("2026-02-10", 40, 10500, true, "72.00", rv1))
	// rv2: 30 L / 300 km = 10.0.
	f.create(sam, "fuel_log", fill("2026-02-01", 40, 5000, true, "72.00", rv2))
	f.create(sam, "fuel_log", fill("2026-03-01", 30, 5300, true, "54.00", rv2))
	f.create(sam, "hustle_ideas", schema.Row{"title": "Photography", "status": "approved"})
	f.create(sam, "hustle_ideas", schema.Row{"title": "Blogging", "status": "pending"})

	t.Run("360", func(t *testing.T) {
		a := f.run(sam, "pam_get_user_360_view", `{}`)
		want(t, a, "Sam Rivera", "profile", "name")
		want(t, a, "AUD", "currency")
		want(t, a, map[string]any{"start": "2026-03-01", "end": "2026-03-31", "days": 31.0}, "financial", "this_month", "period")
		// Fuel is counted once (tools.FuelCategories): a fill-up no fuel
		// expense of its date and amount stands for is spending too. None of
		// this fixture's fill-ups has an expense, so each counts.
		// Fuel budget spent over its own period 02-15..03-14: expenses
		// 200 + 250 + the rv2 fill of 03-01, 54 = 504 (100.8 %).
		want(t, a, "fuel", "financial", "this_month", "budgets", 0, "category")
		want(t, a, "504.00", "financial", "this_month", "budgets", 0, "spent")
		want(t, a, 100.8, "financial", "this_month", "budgets", 0, "percent_used")
		want(t, a, "600.00", "financial", "this_month", "total_budgeted")
		want(t, a, "554.00", "financial", "this_month", "total_spent_in_budgets")  // 504 + 50 food
		want(t, a, 92.33, "financial", "this_month", "budget_utilization_percent") // 554 / 600
		want(t, a, "354.00", "financial", "this_month", "expenses")                // 250 + 50 + the 54 fill in March
		want(t, a, "1000.00", "financial", "this_month", "income")
		want(t, a, "646.00", "financial", "this_month", "net")
		want(t, a, "2025-03-16", "financial", "last_12_months", "period", "start")
		// 150+60+200+250+50 = 710 expenses + fills 120+90+36+72+72+54 = 444.
		want(t, a, "1154.00", "financial", "last_12_months", "expenses")
		// Travel.
		want(t, a, 1, "travel", "trips_last_12_months")
		want(t, a, uluru["id"], "travel", "trips_last_12_months_list", 0, "id")
		want(t, a, upcoming["id"], "travel", "upcoming", 0, "id")
		want(t, a, "2026-04-01", "travel", "upcoming", 0, "start_date")
		want(t, a, map[string]any{"location_name": "Uluru", "trips": 2.0}, "travel", "top_destinations", 0)
		want(t, a, map[string]any{"location_name": "Byron Bay", "trips": 1.0}, "travel", "top_destinations", 1)
		// Vehicle.
		want(t, a, 1, "vehicle", "overdue_count")
		want(t, a, "oil_change", "vehicle", "overdue", 0, "task")
		want(t, a, rv1, "vehicle", "fuel_economy", 0, "vehicle_id")
		want(t, a, map[string]any{"value": 12.0, "unit": "L/100km"}, "vehicle", "fuel_economy", 0, "consumption")
		want(t, a, map[string]any{"value": 500.0, "unit": "km"}, "vehicle", "fuel_economy", 0, "distance")
		want(t, a, map[string]any{"value": 60.0, "unit": "L"}, "vehicle", "fuel_economy", 0, "fuel")
		want(t, a, 10.0, "vehicle", "fuel_economy", 1, "consumption", "value")
		want(t, a, 2, "hustles", "total_ideas")
		want(t, a, 1, "hustles", "by_status", "approved")
		// Insights: overdue + trip is critical; 92.33 % > 80 % + trip is a warning.
		want(t, a, "critical", "insights", 0, "severity")
		want(t, a, "warning", "insights", 1, "severity")
		// Scores, the one design (health.go): budgets covering 03-15: food
		// only (the fuel budget ended 03-14), 50 of 100 = 50 %; net over
		// 02-14..03-15 = 1000 − (200 + 250 + 50 expenses + the 54 fill of
		// 03-01) = 446 → 44.6; ((100 − 50) + 44.6) / 2 = 47.3; 100 − 20 = 80;
		// 1/2 = 50; overall (47.3 + 80 + 50) / 3 = 59.1.
		want(t, a, 47.3, "health_scores", "financial", "score")
		want(t, a, 80.0, "health_scores", "vehicle", "score")
		want(t, a, 50.0, "health_scores", "hustle", "score")
		want(t, a, 59.1, "health_scores", "overall", "score")
	})
	t.Run("trips", func(t *testing.T) {
		// Uluru: 330 over 3 days = 110/day; Byron: 40 over 1 day. Mean 75: no camping advice.
		a := f.run(sam, "pam_correlate_trip_expenses", `{}`)
		want(t, a, 2, "trips_analysed")
		want(t, a, uluru["id"], "trips", 0, "trip", "id")
		want(t, a, "210.00", "trips", 0, "expenses")
		want(t, a, "120.00", "trips", 0, "fuel")
		want(t, a, "330.00", "trips", 0, "total")
		want(t, a, 3, "trips", 0, "window", "days")
		want(t, a, "110.00", "trips", 0, "daily_average")
		want(t, a, 11.0, "trips", 0, "mean_consumption", "value")
		want(t, a, "camping", "trips", 0, "expenses_by_category", 0, "name")
		want(t, a, "40.00", "trips", 1, "daily_average")
		want(t, a, uluru["id"], "most_expensive_trip", "id")
		want(t, a, "185.00", "average_trip_cost")
		want(t, a, "75.00", "mean_daily_average")
		if n := len(get(t, a, "insights").([]any)); n != 1 {
			t.Errorf("%d insights", n)
		}
	})
	t.Run("one trip", func(t *testing.T) {
		a := f.run(sam, "pam_correlate_trip_expenses", `{"trip_id": "`+uluru["id"].(string)+`"}`)
		want(t, a, 1, "trips_analysed")
		if s := get(t, a, "insights", 1).(string); !strings.Contains(s, "budget camping") {
			t.Errorf("insight %q", s)
		}
		f.fail(sam, "pam_correlate_trip_expenses", `{"trip_id": "`+dentist["id"].(string)+`"}`, schema.ENOTFOUND)
	})
}

func TestPredictMaintenanceCosts(t *testing.T) {
	f := newFixture(t)
	// rv1 oil: 92 days and 5,000 km apart; mean cost 110 → 115.50 each.
	f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2025-06-01", "mileage": 10000, "cost": "100.00", "vehicle_id": rv1})
	f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2025-09-01", "mileage": 15000, "cost": "120.00", "vehicle_id": rv1})
	f.create(sam, "maintenance_records", schema.Row{"task": "wash", "date": "2026-03-01", "mileage": 19000, "vehicle_id": rv1})
	// rv2: one record → default 180 days → due 2026-06-30.
	f.create(sam, "maintenance_records", schema.Row{"task": "tire_rotation", "date": "2026-01-01", "mileage": 5000, "cost": "200.00", "vehicle_id": rv2})
	// rv1 drove 3,000 km in 90 days: 1,014.6 km/month.
	f.create(sam, "fuel_log", fill("2025-12-15", 50, 16000, true, "90.00", rv1))
	f.create(sam, "fuel_log", fill("2026-03-15", 50, 19000, true, "90.00", rv1))

	a := f.run(sam, "pam_predict_maintenance_costs", `{}`)
	want(t, a, "oil_change", "items", 0, "task")
	want(t, a, 92.0, "items", 0, "interval_days")
	want(t, a, "history", "items", 0, "interval_source")
	want(t, a, map[string]any{"value": 5000.0, "unit": "km"}, "items", 0, "interval_distance")
	want(t, a, "2025-12-02", "items", 0, "next_due_date")
	want(t, a, 20000.0, "items", 0, "next_due_odometer", "value")
	want(t, a, 3, "items", 0, "occurrences_by_date")     // today, +92, +184 days
	want(t, a, 2, "items", 0, "occurrences_by_distance") // 1,000 km left, 6,087 km ahead
	want(t, a, 3, "items", 0, "expected_occurrences")
	want(t, a, "110.00", "items", 0, "mean_historical_cost")
	want(t, a, "115.50", "items", 0, "estimated_cost_each")
	want(t, a, "346.50", "items", 0, "estimated_cost")
	if n := len(get(t, a, "items", 0, "cost_basis_record_ids").([]any)); n != 2 {
		t.Errorf("%d cost records", n)
	}
	want(t, a, "tire_rotation", "items", 1, "task")
	want(t, a, "default", "items", 1, "interval_source")
	want(t, a, "2026-06-30", "items", 1, "next_due_date")
	want(t, a, 1, "items", 1, "expected_occurrences")
	want(t, a, "210.00", "items", 1, "estimated_cost")
	want(t, a, "wash", "items", 2, "task")
	want(t, a, nil, "items", 2, "estimated_cost_each")
	want(t, a, "556.50", "total_estimated_cost")
	want(t, a, "92.75", "monthly_average")
	want(t, a, 1014.6, "usage", 0, "distance_per_month", "value")

	one := f.run(sam, "pam_predict_maintenance_costs", `{"months_ahead": 1}`)
	want(t, one, "115.50", "total_estimated_cost")
	want(t, one, 0, "items", 1, "expected_occurrences")
	f.fail(sam, "pam_predict_maintenance_costs", `{"months_ahead": 25}`, schema.EUNPROCESSABLE)

	// Alex counts in miles.
	us := f.run(alex, "pam_predict_maintenance_costs", `{}`)
	want(t, us, []any{}, "items")
}

func TestHustleROI(t *testing.T) {
	f := newFixture(t)
	f.create(sam, "hustle_ideas", schema.Row{"title": "Photography", "status": "approved"})
	f.create(sam, "hustle_ideas", schema.Row{"title": "Blogging"})
	f.create(sam, "hustle_ideas", schema.Row{"title": "Dropship"})
	blog := schema.Row{"id": "0190b000-0000-7000-8000-0000000f0001", "title": "Blogging"}
	drive := schema.Row{"id": "0190b000-0000-7000-8000-0000000f0002", "title": "Delivery driving"}
	if err := f.store.Load(f.ctx, "youtube_hustles", []schema.Row{blog, drive}, localstore.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22"} {
		f.create(sam, "user_hustle_attempts", schema.Row{"hustle_id": blog["id"], "start_date": d, "hours_spent": 1.0})
	}
	f.create(sam, "user_hustle_attempts", schema.Row{"hustle_id": drive["id"], "start_date": "2026-02-01", "hours_spent": 10.0})
	inc := func(src, typ, amount string) {
		f.create(sam, "income_entries", schema.Row{"source": src, "type": typ, "amount": amount, "date": "2026-03-01"})
	}
	inc("photography", "hustle", "300.00")
	inc("Photography", "hustle", "200.00")
	inc("Photography", "regular", "100.00") // not hustle income
	inc("Blogging", "hustle", "40.00")
	inc("delivery driving", "hustle", "120.00")
	f.create(sam, "expenses", xdExp("100.00", "hustle", "2026-03-02", "Camera lens for photography"))
	f.create(sam, "expenses", xdExp("50.00", "hustle", "2026-03-02", "Blogging domain"))
	f.create(sam, "expenses", xdExp("70.00", "food", "2026-03-02", "Photography lunch")) // not hustle

	a := f.run(sam, "pam_analyze_hustle_roi", `{}`)
	want(t, a, "Photography", "hustles", 0, "title")
	want(t, a, "500.00", "hustles", 0, "income")
	want(t, a, "100.00", "hustles", 0, "expenses")
	want(t, a, "400.00", "hustles", 0, "profit")
	want(t, a, 400.0, "hustles", 0, "roi_percent")
	want(t, a, nil, "hustles", 0, "hourly_rate")
	// Blogging: 40 − 50 = −10, ROI −20 % after 4 attempts, −2.50/h.
	want(t, a, "-10.00", "hustles", 1, "profit")
	want(t, a, -20.0, "hustles", 1, "roi_percent")
	want(t, a, 4, "hustles", 1, "attempts")
	want(t, a, "-2.50", "hustles", 1, "hourly_rate")
	want(t, a, []any{"consider_dropping", "below_minimum_wage"}, "hustles", 1, "flags")
	// Dropship: nothing at all; ROI undefined.
	want(t, a, nil, "hustles", 2, "roi_percent")
	want(t, a, "0.00", "hustles", 2, "profit")
	// Delivery driving: no expenses → ROI undefined; 120 / 10 h = 12.00/h.
	want(t, a, "Delivery driving", "hustles", 3, "title")
	want(t, a, nil, "hustles", 3, "roi_percent")
	if n := get(t, a, "hustles", 3, "note").(string); !strings.Contains(n, "no expenses: pure profit") {
		t.Errorf("note %q", n)
	}
	want(t, a, "12.00", "hustles", 3, "hourly_rate")
	want(t, a, []any{"below_minimum_wage"}, "hustles", 3, "flags")
	want(t, a, "Photography", "best_performer")
	want(t, a, "660.00", "total_income")
	want(t, a, "150.00", "total_expenses")
	want(t, a, "510.00", "total_profit")
	want(t, a, 190.0, "mean_roi_percent")
}
