package tools_test

import (
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// TestProactiveConditions: a service due by odometer, an upcoming trip
// meeting that overdue service, and a fuel-economy drop beyond normal
// variation each become one recommendation, keyed by their condition.
func TestProactiveConditions(t *testing.T) {
	f := newFixture(t)
	const rv = "0190b000-0000-7000-8000-0000000000f1"
	oil := f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2026-01-10", "mileage": 47000,
		"status": "completed", "next_due_mileage": 50000, "vehicle_id": rv})
	// Full fills: 20.0, 20.5, 19.5 L/100km, then 26.0 — mean 20.0, σ 0.41;
	// 26.0 is past mean + 2σ (20.8) and past +10 % (22.0).
	var last schema.Row
	for _, fl := range []struct {
		date string
		odo  int
		cons float64
	}{{"2026-01-01", 48000, 20.0}, {"2026-01-15", 48500, 20.5}, {"2026-02-01", 49000, 19.5}, {"2026-02-20", 50200, 26.0}} {
		last = f.create(sam, "fuel_log", schema.Row{"date": fl.date, "odometer": fl.odo, "consumption": fl.cons,
			"volume": 100.0, "price": "1.800", "total": "180.00", "vehicle_id": rv})
	}
	trip := f.create(sam, "calendar_events", schema.Row{"title": "Moab", "event_type": "trip",
		"start_date": "2026-03-20T00:00:00Z", "end_date": "2026-03-25T00:00:00Z"})
	r := f.run(sam, "pam_generate_intelligent_recommendations", `{}`)
	keys := map[string]string{}
	for _, x := range get(t, r, "new").([]any) {
		m := x.(map[string]any)
		keys[m["condition_key"].(string)] = m["priority"].(string)
	}
	for k, p := range map[string]string{
		"maintenance:" + oil["id"].(string) + ":odometer": "high",   // 50,200 km read, due at 50,000
		"trip:" + trip["id"].(string) + ":maintenance":    "urgent", // Moab in 5 days, oil change overdue
		"fuel:" + last["id"].(string):                     "medium",
	} {
		if keys[k] != p {
			t.Errorf("condition %s: priority %q, want %q (new: %v)", k, keys[k], p, keys)
		}
	}
	// Once per condition.
	again := f.run(sam, "pam_generate_intelligent_recommendations", `{}`)
	if n := len(get(t, again, "new").([]any)); n != 0 {
		t.Fatalf("%d new on the second run", n)
	}
	// Normal variation is no anomaly.
	g := newFixture(t)
	for i, c := range []float64{20.0, 20.5, 19.5, 20.9} {
		g.create(sam, "fuel_log", schema.Row{"date": []string{"2026-01-01", "2026-01-15", "2026-02-01", "2026-02-20"}[i],
			"odometer": 48000 + 500*i, "consumption": c, "volume": 100.0, "price": "1.800", "total": "180.00", "vehicle_id": rv})
	}
	for _, x := range get(t, g.run(sam, "pam_generate_intelligent_recommendations", `{}`), "new").([]any) {
		if k := x.(map[string]any)["condition_key"].(string); len(k) > 5 && k[:5] == "fuel:" {
			t.Fatalf("normal variation flagged: %v", x)
		}
	}
}
