package tools_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// seedFinance gives Sam (AUD) three food budgets (January 100.00, February
// 500.00, March 800.00), a February fuel budget of 300.00, expenses and
// income; and Alex a February food budget of 100.00 with 400.00 spent.
//
//	Sam's expenses: food 2026-01-15 60.00 | food 2026-02-03 100.25 | food 2026-02-20 50.00
//	                food 2026-03-02 999.00 | fuel 2026-02-10 70.00
//	Sam's income:   2026-02-01 remote work 1200.00 | 2026-02-15 market stall 300.00
//	                2026-03-01 remote work 1200.00
func seedFinance(f *fixture) map[string]schema.Row {
	b := map[string]schema.Row{}
	for _, x := range []struct{ key, cat, amount, start, end string }{
		{"food-jan", "food", "100.00", "2026-01-01", "2026-01-31"},
		{"food-feb", "food", "500.00", "2026-02-01", "2026-02-28"},
		{"food-mar", "food", "800.00", "2026-03-01", "2026-03-31"},
		{"fuel-feb", "fuel", "300.00", "2026-02-01", "2026-02-28"},
	} {
		b[x.key] = f.create(sam, "budgets", schema.Row{"category": x.cat, "budgeted_amount": x.amount,
			"start_date": x.start, "end_date": x.end, "name": x.key})
	}
	for _, e := range []struct{ date, cat, amount string }{
		{"2026-01-15", "food", "60.00"}, {"2026-02-03", "food", "100.25"}, {"2026-02-20", "food", "50.00"},
		{"2026-03-02", "food", "999.00"}, {"2026-02-10", "fuel", "70.00"},
	} {
		f.create(sam, "expenses", schema.Row{"date": e.date, "category": e.cat, "amount": e.amount})
	}
	for _, i := range []struct{ date, source, amount string }{
		{"2026-02-01", "remote work", "1200.00"}, {"2026-02-15", "market stall", "300.00"}, {"2026-03-01", "remote work", "1200.00"},
	} {
		f.create(sam, "income_entries", schema.Row{"date": i.date, "source": i.source, "amount": i.amount})
	}
	b["alex-food-feb"] = f.create(alex, "budgets", schema.Row{"category": "food", "budgeted_amount": "100.00",
		"start_date": "2026-02-01", "end_date": "2026-02-28"})
	f.create(alex, "expenses", schema.Row{"date": "2026-02-05", "category": "food", "amount": "400.00"})
	return b
}

func TestSuggestBudgetAdjustment(t *testing.T) {
	f := newFixture(t)
	b := seedFinance(f)

	t.Run("reduce over the budget's own period", func(t *testing.T) {
		// February: 100.25 + 50.00 = 150.25 of 500.00 = 30.05 % < 50 %.
		// March's 999.00, January's 60.00, fuel and Alex's 400.00 are not counted.
		a := f.run(sam, "suggest_budget_adjustment", `{"category": "food", "date": "2026-02-10"}`)
		want(t, a, "reduce_budget", "recommendation")
		want(t, a, b["food-feb"]["id"], "budget", "id")
		want(t, a, "500.00", "budget", "budgeted")
		want(t, a, "150.25", "budget", "spent")
		want(t, a, "349.75", "budget", "remaining")
		want(t, a, 30.05, "budget", "percent_used")
		want(t, a, 2, "budget", "expense_count")
		want(t, a, map[string]any{"start": "2026-02-01", "end": "2026-02-28", "days": float64(28)}, "budget", "period")
		want(t, a, "50.00", "expenses", 0, "amount") // most recent first
		want(t, a, "2026-02-03", "expenses", 1, "date")
		want(t, a, "AUD", "currency")
		want(t, a, "past", "period_status")
		want(t, a, 28, "elapsed_days")
		want(t, a, 50, "thresholds", "reduce_below_percent")
		if r := get(t, a, "reason").(string); !strings.Contains(r, "150.25 AUD of 500.00 (30.05 %)") {
			t.Errorf("reason %q", r)
		}
	})
	t.Run("increase", func(t *testing.T) {
		// Today (2026-03-15) is in March: 999.00 of 800.00.
		a := f.run(sam, "suggest_budget_adjustment", `{"category": "Food"}`)
		want(t, a, "increase_budget", "recommendation")
		want(t, a, b["food-mar"]["id"], "budget", "id")
		want(t, a, "999.00", "budget", "spent")
		want(t, a, "-199.00", "budget", "remaining")
		want(t, a, 124.88, "budget", "percent_used")
		want(t, a, "over_budget", "budget", "status")
		want(t, a, "current", "period_status")
		want(t, a, 15, "elapsed_days")
		if r := get(t, a, "reason").(string); !strings.Contains(r, "over the budget by 199.00") {
			t.Errorf("reason %q", r)
		}
	})
	t.Run("on track by id", func(t *testing.T) {
		a := f.run(sam, "suggest_budget_adjustment", `{"budget_id": "`+text(b["food-jan"]["id"])+`"}`)
		want(t, a, "budget_on_track", "recommendation")
		want(t, a, "60.00", "budget", "spent")
		want(t, a, 60.0, "budget", "percent_used")
	})
	t.Run("boundaries", func(t *testing.T) {
		bud := f.create(sam, "budgets", schema.Row{"category": "laundry", "budgeted_amount": "100.00", "start_date": "2026-02-01", "end_date": "2026-02-28"})
		args := `{"budget_id": "` + text(bud["id"]) + `"}`
		want(t, f.run(sam, "suggest_budget_adjustment", args), "reduce_budget", "recommendation") // 0 %
		f.create(sam, "expenses", schema.Row{"date": "2026-02-01", "category": "laundry", "amount": "49.99"})
		want(t, f.run(sam, "suggest_budget_adjustment", args), "reduce_budget", "recommendation") // 49.99 %
		f.create(sam, "expenses", schema.Row{"date": "2026-02-28", "category": "laundry", "amount": "0.01"})
		want(t, f.run(sam, "suggest_budget_adjustment", args), "budget_on_track", "recommendation") // exactly 50 %
		f.create(sam, "expenses", schema.Row{"date": "2026-02-14", "category": "laundry", "amount": "50.00"})
		want(t, f.run(sam, "suggest_budget_adjustment", args), "budget_on_track", "recommendation") // exactly 100 %
		f.create(sam, "expenses", schema.Row{"date": "2026-02-15", "category": "laundry", "amount": "0.01"})
		a := f.run(sam, "suggest_budget_adjustment", args)
		want(t, a, "increase_budget", "recommendation") // 100.01
		want(t, a, "100.01", "budget", "spent")
		f.create(sam, "expenses", schema.Row{"date": "2026-03-01", "category": "laundry", "amount": "500.00"})
		want(t, f.run(sam, "suggest_budget_adjustment", args), "100.01", "budget", "spent") // outside the period
	})
	t.Run("per user", func(t *testing.T) {
		a := f.run(alex, "suggest_budget_adjustment", `{"category": "food", "date": "2026-02-28"}`)
		want(t, a, "increase_budget", "recommendation")
		want(t, a, "400.00", "budget", "spent")
		want(t, a, "USD", "currency")
		f.fail(alex, "suggest_budget_adjustment", `{"budget_id": "`+text(b["food-feb"]["id"])+`"}`, schema.EFORBIDDEN)
	})
	t.Run("no budget", func(t *testing.T) {
		err := f.fail(sam, "suggest_budget_adjustment", `{"category": "propane"}`, schema.ENOTFOUND)
		if msg := schema.ErrorMessage(err); !strings.Contains(msg, "budgets exist for: food, fuel, laundry") {
			t.Errorf("message %q", msg)
		}
		f.fail(sam, "suggest_budget_adjustment", `{}`, schema.EUNPROCESSABLE)
	})
}

func TestLogExpense(t *testing.T) {
	f := newFixture(t)
	seedFinance(f)
	a := f.run(sam, "log_expense", `{"amount": "45.10", "category": " Food ", "date": "2026-03-10", "description": "Bashas groceries"}`)
	want(t, a, "45.10", "amount")
	want(t, a, "food", "category")
	want(t, a, "AUD", "currency")
	want(t, a, "45.10", "expense", "amount")
	want(t, a, "Bashas groceries", "expense", "description")
	// March food: 999.00 + 45.10.
	want(t, a, "1044.10", "category_month", "spent")
	want(t, a, 2, "category_month", "expense_count")
	want(t, a, map[string]any{"start": "2026-03-01", "end": "2026-03-31", "days": float64(31)}, "category_month", "period")
	want(t, a, "800.00", "budget", "budgeted")
	want(t, a, "1044.10", "budget", "spent")
	want(t, a, "-244.10", "budget", "remaining")
	want(t, a, 130.51, "budget", "percent_used")
	want(t, a, "over_budget", "budget", "status")
	rows := f.rows(sam, "expenses", schema.Condition{Column: "description", Op: schema.OpEq, Value: "Bashas groceries"})
	if len(rows) != 1 || rows[0]["amount"] != "45.10" || rows[0]["date"] != "2026-03-10" || rows[0]["category"] != "food" {
		t.Fatalf("stored %v", rows)
	}
	// Today by default; no budget covers a category without one.
	a = f.run(sam, "log_expense", `{"amount": 3, "category": "propane"}`)
	want(t, a, "2026-03-15", "date")
	want(t, a, "3.00", "amount")
	want(t, a, nil, "budget")
	want(t, a, "3.00", "category_month", "spent")
}

// track_expense writes an expense, never a budget.
func TestTrackExpense(t *testing.T) {
	f := newFixture(t)
	seedFinance(f)
	budgets := len(f.rows(sam, "budgets"))
	expenses := len(f.rows(sam, "expenses"))
	a := f.run(sam, "track_expense", `{"amount": 20, "category": "fuel", "date": "2026-02-12"}`)
	want(t, a, "fuel", "expense", "category")
	want(t, a, "90.00", "budget", "spent") // 70.00 + 20.00 of 300.00
	want(t, a, "210.00", "budget", "remaining")
	want(t, a, 30.0, "budget", "percent_used")
	want(t, a, "within_budget", "budget", "status")
	a = f.run(sam, "track_expense", `{"amount": "160.00", "category": "fuel", "date": "2026-02-13"}`)
	want(t, a, "250.00", "budget", "spent")
	want(t, a, 83.33, "budget", "percent_used")
	want(t, a, 80.0, "budget", "alert_threshold_percent")
	want(t, a, "alert", "budget", "status")
	if n := len(f.rows(sam, "budgets")); n != budgets {
		t.Fatalf("%d budgets, want %d", n, budgets)
	}
	if n := len(f.rows(sam, "expenses")); n != expenses+2 {
		t.Fatalf("%d expenses, want %d", n, expenses+2)
	}
}

func TestFetchSummary(t *testing.T) {
	f := newFixture(t)
	b := seedFinance(f)
	a := f.run(sam, "fetch_summary", `{"month": "2026-02"}`)
	want(t, a, map[string]any{"start": "2026-02-01", "end": "2026-02-28", "days": float64(28)}, "period")
	want(t, a, "AUD", "currency")
	// Expenses: food 100.25 + 50.00, fuel 70.00.
	want(t, a, "220.25", "expenses", "total")
	want(t, a, 3, "expenses", "count")
	want(t, a, map[string]any{"name": "food", "total": "150.25", "count": float64(2), "share_percent": 68.22}, "expenses", "by_category", 0)
	want(t, a, map[string]any{"name": "fuel", "total": "70.00", "count": float64(1), "share_percent": 31.78}, "expenses", "by_category", 1)
	// Income: 1200.00 + 300.00.
	want(t, a, "1500.00", "income", "total")
	want(t, a, 2, "income", "count")
	want(t, a, "remote work", "income", "by_source", 0, "name")
	want(t, a, "300.00", "income", "by_source", 1, "total")
	want(t, a, "1279.75", "net")
	// Budgets overlapping February, each with its own period's spending.
	if n := len(get(t, a, "budgets").([]any)); n != 2 {
		t.Fatalf("%d budgets, want 2: %v", n, get(t, a, "budgets"))
	}
	want(t, a, b["food-feb"]["id"], "budgets", 0, "id")
	want(t, a, "150.25", "budgets", 0, "spent")
	want(t, a, b["fuel-feb"]["id"], "budgets", 1, "id")
	want(t, a, "70.00", "budgets", 1, "spent")
	want(t, a, "230.00", "budgets", 1, "remaining")

	// This month by default: March.
	a = f.run(sam, "fetch_summary", ``)
	want(t, a, "2026-03-01", "period", "start")
	want(t, a, "999.00", "expenses", "total")
	want(t, a, "1200.00", "income", "total")
	want(t, a, "201.00", "net")
	want(t, a, "over_budget", "budgets", 0, "status")

	// A month without data.
	a = f.run(alex, "fetch_summary", `{"month": "2025-07"}`)
	want(t, a, "0.00", "expenses", "total")
	want(t, a, []any{}, "expenses", "by_category")
	want(t, a, "0.00", "net")
	want(t, a, "USD", "currency")
}
