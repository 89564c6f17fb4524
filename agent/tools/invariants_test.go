package tools_test

import (
	"fmt"
	"testing"

	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// TestDemoInvariants holds on the demo set whatever its figures are, so
// it cannot drift with them: category totals sum to the total; a trip's
// cost is at most the spending in its window; each vehicle's economy is
// within 3–60 L/100 km; a fill-up and its expense are never both counted.
func TestDemoInvariants(t *testing.T) {
	d := newDemo(t)
	for _, user := range []string{demo.UserA, demo.UserB} {
		t.Run(user, func(t *testing.T) {
			invariantCategoriesSum(t, d, user)
			invariantTripsWithinSpending(t, d, user)
			invariantEconomyBounds(t, d, user)
			invariantFuelOnce(t, d, user)
		})
	}
}

// sumOf adds the money at key over a list of objects.
func sumOf(t *testing.T, list any, key string) int64 {
	t.Helper()
	var n int64
	items, _ := list.([]any)
	for _, x := range items {
		n += centsOf(t, x.(map[string]any)[key])
	}
	return n
}

func invariantCategoriesSum(t *testing.T, d *demoFixture, user string) {
	t.Helper()
	for _, month := range []string{"2025-07", "2025-12", "2026-02", "2026-03"} {
		s := d.run(user, "fetch_summary", `{"month": "`+month+`"}`)
		if got, total := sumOf(t, get(t, s, "expenses", "by_category"), "total"), centsOf(t, get(t, s, "expenses", "total")); got != total {
			t.Errorf("fetch_summary %s: categories sum to %d, total %d", month, got, total)
		}
		if got, total := sumOf(t, get(t, s, "income", "by_source"), "total"), centsOf(t, get(t, s, "income", "total")); got != total {
			t.Errorf("fetch_summary %s: income sources sum to %d, total %d", month, got, total)
		}
	}
	p := d.run(user, "pam_analyze_spending_patterns", `{}`)
	var months int64
	for _, x := range get(t, p, "months").([]any) {
		m := x.(map[string]any)
		if got := sumOf(t, m["by_category"], "total"); got != centsOf(t, m["total"]) {
			t.Errorf("spending patterns %v: categories sum to %d, total %v", m["month"], got, m["total"])
		}
		months += centsOf(t, m["total"])
	}
	if total := centsOf(t, get(t, p, "total")); months != total {
		t.Errorf("spending patterns: months sum to %d, total %d", months, total)
	}
	r := d.run(user, "pam_generate_insights_report", `{"report_type": "financial", "time_period": "last_90_days"}`)
	if got, total := sumOf(t, get(t, r, "financial", "by_category"), "current"), centsOf(t, get(t, r, "financial", "spending")); got != total {
		t.Errorf("insights report: categories sum to %d, spending %d", got, total)
	}
	c := d.run(user, "pam_correlate_trip_expenses", `{}`)
	for _, x := range get(t, c, "trips").([]any) {
		tc := x.(map[string]any)
		if got := sumOf(t, tc["expenses_by_category"], "total"); got != centsOf(t, tc["total"]) {
			t.Errorf("trip %v: categories sum to %d, total %v", get(t, tc, "trip", "title"), got, tc["total"])
		}
	}
}

func invariantTripsWithinSpending(t *testing.T, d *demoFixture, user string) {
	t.Helper()
	c := d.run(user, "pam_correlate_trip_expenses", `{}`)
	trips := get(t, c, "trips").([]any)
	if len(trips) == 0 {
		t.Fatal("no trips on the demo set")
	}
	for _, x := range trips {
		tc := x.(map[string]any)
		w := tc["window"].(map[string]any)
		// The spending in the window, read independently: expenses plus
		// fill-ups without an expense of their date and amount.
		inWindow := []schema.Condition{{Column: "date", Op: schema.OpGte, Value: w["start"]}, {Column: "date", Op: schema.OpLte, Value: w["end"]}}
		var spent int64
		fuelExp := map[string]int{}
		for _, r := range d.rows(user, "expenses", nil, inWindow...) {
			spent += centsOf(t, r["amount"])
			if r["category"] == "fuel" {
				fuelExp[fmt.Sprint(r["date"], r["amount"])]++
			}
		}
		for _, r := range d.rows(user, "fuel_log", nil, inWindow...) {
			if k := fmt.Sprint(r["date"], r["total"]); fuelExp[k] > 0 {
				fuelExp[k]--
			} else {
				spent += centsOf(t, r["total"])
			}
		}
		if total := centsOf(t, tc["total"]); total > spent {
			t.Errorf("trip %v costs %d, more than the %d spent in %v..%v", get(t, tc, "trip", "title"), total, spent, w["start"], w["end"])
		}
	}
}

func invariantEconomyBounds(t *testing.T, d *demoFixture, user string) {
	t.Helper()
	l100 := func(q map[string]any) float64 {
		v := q["value"].(float64)
		if q["unit"] == "mpg" {
			return 235.2145833 / v
		}
		return v
	}
	check := func(where string, x float64) {
		if x < 3 || x > 60 {
			t.Errorf("%s: %.2f L/100km, outside 3–60", where, x)
		}
	}
	v := d.run(user, "pam_get_user_360_view", `{}`)
	econ := get(t, v, "vehicle", "fuel_economy").([]any)
	if len(econ) == 0 {
		t.Fatal("no fuel economy on the demo set")
	}
	vehicles := map[string]bool{}
	for _, x := range econ {
		ve := x.(map[string]any)
		vehicles[ve["vehicle_id"].(string)] = true
		if q, ok := ve["consumption"].(map[string]any); ok {
			check(fmt.Sprint("360 view, vehicle ", ve["vehicle_id"]), l100(q))
		}
	}
	for id := range vehicles {
		p := d.run(user, "plan_trip", `{"start": {"latitude": 33.4, "longitude": -112.0}, "end": {"latitude": 35.2, "longitude": -111.6}, "vehicle_id": "`+id+`"}`)
		check("plan_trip, vehicle "+id, l100(get(t, p, "fuel", "consumption").(map[string]any)))
	}
	for _, r := range d.rows(user, "fuel_log", nil) {
		if c, ok := r["consumption"].(float64); ok {
			check(fmt.Sprint("fill ", r["id"]), c)
		}
	}
}

func invariantFuelOnce(t *testing.T, d *demoFixture, user string) {
	t.Helper()
	// On the demo set every fill-up has its fuel expense: a month's
	// spending is exactly its expenses, and its fuel exactly its fills.
	for _, month := range []string{"2025-07", "2025-12", "2026-02", "2026-03"} {
		start, end := month+"-01", month+"-31"
		inMonth := []schema.Condition{{Column: "date", Op: schema.OpGte, Value: start}, {Column: "date", Op: schema.OpLte, Value: end}}
		var exp, fuelExp, fills int64
		for _, r := range d.rows(user, "expenses", nil, inMonth...) {
			exp += centsOf(t, r["amount"])
			if r["category"] == "fuel" {
				fuelExp += centsOf(t, r["amount"])
			}
		}
		for _, r := range d.rows(user, "fuel_log", nil, inMonth...) {
			fills += centsOf(t, r["total"])
		}
		if fills != fuelExp {
			t.Fatalf("%s: fills %d, fuel expenses %d: the demo set links each fill to its expense", month, fills, fuelExp)
		}
		s := d.run(user, "fetch_summary", `{"month": "`+month+`"}`)
		if total := centsOf(t, get(t, s, "expenses", "total")); total != exp {
			t.Errorf("fetch_summary %s: %d spent, the expenses are %d (fuel %d counted twice?)", month, total, exp, fills)
		}
	}
	c := d.run(user, "pam_correlate_trip_expenses", `{}`)
	for _, x := range get(t, c, "trips").([]any) {
		tc := x.(map[string]any)
		if sumFuel := centsOf(t, tc["fuel"]); sumFuel > centsOf(t, tc["total"]) {
			t.Errorf("trip %v: fuel %d over the total", get(t, tc, "trip", "title"), sumFuel)
		}
	}
	// The 90-day report's fuel cost is the fuel expenses, not fills + expenses.
	r := d.run(user, "pam_generate_insights_report", `{"report_type": "comprehensive", "time_period": "last_90_days"}`)
	var fuelCat int64
	for _, x := range get(t, r, "financial", "by_category").([]any) {
		if m := x.(map[string]any); m["category"] == "fuel" {
			fuelCat = centsOf(t, m["current"])
		}
	}
	if cost := centsOf(t, get(t, r, "fuel", "cost")); cost != fuelCat {
		t.Errorf("report: fuel cost %d, fuel spending %d", cost, fuelCat)
	}
}
