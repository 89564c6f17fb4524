package tools_test

import (
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// TestCostPerDistance: cost per km per trip (camping, fuel and the rest
// over the distance the trip's fill-ups span) and per vehicle (fuel and
// maintenance over the distance driven in the period).
func TestCostPerDistance(t *testing.T) {
	f := newFixture(t)
	const rv = "0190b000-0000-7000-8000-0000000000f2"
	trip := f.create(sam, "calendar_events", schema.Row{"title": "Moab", "event_type": "trip",
		"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-02-05T00:00:00Z"})
	f.create(sam, "expenses", schema.Row{"amount": "60.00", "category": "camping", "date": "2026-02-02"})
	for _, fl := range []struct {
		date string
		odo  int
	}{{"2026-02-01", 10000}, {"2026-02-04", 10600}} {
		f.create(sam, "fuel_log", schema.Row{"date": fl.date, "odometer": fl.odo, "volume": 50.0, "price": "1.800",
			"total": "90.00", "vehicle_id": rv})
	}
	f.create(sam, "maintenance_records", schema.Row{"task": "tire_rotation", "date": "2026-02-10", "mileage": 10600,
		"cost": "120.00", "status": "completed", "vehicle_id": rv})
	// Trip: 60.00 camping + 180.00 fuel = 240.00 over 600 km = 0.40 a km.
	r := f.run(sam, "pam_correlate_trip_expenses", `{"trip_id": "`+trip["id"].(string)+`"}`)
	want(t, r, "240.00", "trips", 0, "total")
	want(t, r, "0.40", "trips", 0, "cost_per_distance")
	// Vehicle: 180.00 fuel + 120.00 maintenance = 300.00 over 600 km = 0.50 a km.
	v := f.run(sam, "pam_get_user_360_view", `{}`)
	for _, x := range get(t, v, "vehicle", "fuel_economy").([]any) {
		ve := x.(map[string]any)
		if ve["vehicle_id"] == rv {
			if ve["cost_per_distance"] != "0.50" {
				t.Fatalf("vehicle cost per km = %v (%v)", ve["cost_per_distance"], ve["cost_basis"])
			}
			return
		}
	}
	t.Fatalf("no economy for the vehicle: %v", get(t, v, "vehicle"))
}
