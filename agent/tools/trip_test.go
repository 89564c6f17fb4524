package tools_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// Camping locations along the meridian −112° from (33, −112) to (34, −112):
// 1° of latitude is 111.19508 km (mean radius 6371.0088 km), so the route
// is 111.19508 × 1.2 = 133.43410 km by road.
var (
	campBoondock = "0190b000-0000-7000-8000-00000000c001" // (33.5, −112.0) on the route: boondocking, 4.5, free
	campOverlook = "0190b000-0000-7000-8000-00000000c002" // (33.5, −111.9) 9.27 km off: overlook, 3.8, 30.00
	campResort   = "0190b000-0000-7000-8000-00000000c003" // (33.2, −112.1) 9.30 km off: rv_resort, 4.6, 80.00
	campFar      = "0190b000-0000-7000-8000-00000000c004" // (33.5, −111.5) 46 km off: campground, 5.0, 10.00
	campBasic    = "0190b000-0000-7000-8000-00000000c005" // (33.8, −112.0) on the route: basic, 2.2, 15.00
)

func seedCamps(f *fixture) {
	f.t.Helper()
	rows := []schema.Row{
		{"id": campBoondock, "name": "Mid Boondock", "type": "boondocking", "latitude": 33.5, "longitude": -112.0, "user_ratings": 4.5, "is_free": true},
		{"id": campOverlook, "name": "Scenic Overlook", "type": "overlook", "latitude": 33.5, "longitude": -111.9, "user_ratings": 3.8, "price_per_night": "30.00"},
		{"id": campResort, "name": "Luxury Resort", "type": "rv_resort", "latitude": 33.2, "longitude": -112.1, "user_ratings": 4.6, "price_per_night": "80.00"},
		{"id": campFar, "name": "Far Camp", "type": "campground", "latitude": 33.5, "longitude": -111.5, "user_ratings": 5.0, "price_per_night": "10.00"},
		{"id": campBasic, "name": "Basic Lot", "type": "basic", "latitude": 33.8, "longitude": -112.0, "user_ratings": 2.2, "price_per_night": "15.00"},
	}
	if err := f.store.Load(f.ctx, "camping_locations", rows, localstore.LoadOptions{}); err != nil {
		f.t.Fatal(err)
	}
}

// seedTripFuel gives Sam four full fills: consumption 40 (oldest, beyond
// the latest three), 20, 30 and 25 L/100km; the latest price is 1.500 per L.
func seedTripFuel(f *fixture) {
	for _, x := range []struct {
		date, price string
		l100, odo   float64
	}{
		{"2026-02-01", "1.900", 40, 1000}, {"2026-02-15", "1.800", 20, 1500},
		{"2026-03-01", "1.700", 30, 2000}, {"2026-03-10", "1.500", 25, 2500},
	} {
		f.create(sam, "fuel_log", schema.Row{"date": x.date, "price": x.price, "consumption": x.l100, "odometer": x.odo,
			"volume": 50.0, "filled_to_top": true})
	}
}

func campIDs(t *testing.T, a map[string]any) []string {
	t.Helper()
	var ids []string
	for _, c := range get(t, a, "campsites").([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	return ids
}

func sameIDs(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("campsites %v, want %v", got, want)
	}
}

const TripArgs = `"start": {"latitude": 33.0, "longitude": -112.0}, "end": {"latitude": 34.0, "longitude": -112.0}`

func TestPlanTrip(t *testing.T) {
	f := newFixture(t)
	seedCamps(f)
	seedTripFuel(f)

	t.Run("distance and fuel", func(t *testing.T) {
		a := f.run(sam, "plan_trip", `{`+TripArgs+`}`)
		want(t, a, "fastest", "route_type")
		want(t, a, true, "offline")
		want(t, a, 1.2, "road_factor")
		want(t, a, map[string]any{"value": 111.2, "unit": "km"}, "great_circle_distance")
		want(t, a, map[string]any{"value": 133.4, "unit": "km"}, "distance")
		want(t, a, 0, "waypoint_count")
		// Consumption: mean of the latest three full fills (25 + 30 + 20) / 3 = 25 L/100km;
		// 133.43410 km × 25 / 100 = 33.3585 L × 1.500 = 50.0378 → 50.04 AUD.
		want(t, a, map[string]any{"value": 25.0, "unit": "L/100km"}, "fuel", "consumption")
		want(t, a, "fuel_log", "fuel", "consumption_source")
		want(t, a, map[string]any{"value": 33.36, "unit": "L"}, "fuel", "volume")
		want(t, a, "1.500", "fuel", "price_per_unit")
		want(t, a, "2026-03-10", "fuel", "price_date")
		want(t, a, "50.04", "fuel", "cost")
		want(t, a, "AUD", "fuel", "currency")
		if n := len(get(t, a, "fuel", "from_fills").([]any)); n != 3 {
			t.Errorf("%d fills cited, want 3", n)
		}
		if e := strings.Join(toStrings(get(t, a, "explanation")), " | "); !strings.Contains(e, "= 50.04 AUD") || !strings.Contains(e, "× road factor 1.2") {
			t.Errorf("explanation %q", e)
		}
		// fastest: rating ≥ 3.0 within 25 km: the far camp and the 2.2 lot are out.
		sameIDs(t, campIDs(t, a), campBoondock, campOverlook, campResort)
		want(t, a, 3, "campsites_found")
		want(t, a, map[string]any{"value": 9.3, "unit": "km"}, "campsites", 1, "distance_from_route")
		want(t, a, map[string]any{"value": 25.0, "unit": "km"}, "corridor")
	})
	t.Run("route types", func(t *testing.T) {
		run := func(rt string) map[string]any {
			return f.run(sam, "plan_trip", `{`+TripArgs+`, "route_type": "`+rt+`"}`)
		}
		a := run("luxury") // ≥ 4.0, ≥ 50.00, no boondocking/basic
		sameIDs(t, campIDs(t, a), campResort)
		want(t, a, "50.00", "poi_filters", "min_price_per_night")
		a = run("off_grid") // ≥ 3.0, ≤ 20.00 (free counts as 0)
		sameIDs(t, campIDs(t, a), campBoondock)
		want(t, a, true, "campsites", 0, "preferred_type")
		sameIDs(t, campIDs(t, run("scenic")), campOverlook, campBoondock, campResort) // overlook preferred first
		sameIDs(t, campIDs(t, run("manual")), campBoondock, campBasic, campOverlook, campResort)
		sameIDs(t, campIDs(t, run("shortest")), campBoondock, campOverlook, campResort)
		a = run("offroad")
		want(t, a, "off_grid", "route_type")
		want(t, a, "offroad", "requested_route_type")
	})
	t.Run("waypoints in order", func(t *testing.T) {
		a := f.run(sam, "plan_trip", `{`+TripArgs+`, "manual_waypoints": [
			{"latitude": 33.75, "longitude": -112.0, "order": 2}, {"latitude": 33.25, "longitude": -112.0, "order": 1}]}`)
		want(t, a, 2, "waypoint_count")
		want(t, a, 33.25, "stops", 1, "latitude")
		// 0.25° = 27.79877 km → 33.35852 by road; 0.5° = 55.59754 → 66.71705.
		want(t, a, map[string]any{"value": 33.4, "unit": "km"}, "legs", 0, "road_estimate")
		want(t, a, map[string]any{"value": 66.7, "unit": "km"}, "legs", 1, "road_estimate")
		want(t, a, map[string]any{"value": 27.8, "unit": "km"}, "legs", 2, "great_circle")
		want(t, a, map[string]any{"value": 133.4, "unit": "km"}, "distance")
	})
	t.Run("by name", func(t *testing.T) {
		a := f.run(sam, "plan_trip", `{"start": {"latitude": 33.0, "longitude": -112.0}, "end": "luxury resort"}`)
		want(t, a, campResort, "stops", 1, "camping_location_id")
		want(t, a, 33.2, "stops", 1, "latitude")
		want(t, a, "Luxury Resort", "stops", 1, "name")
		err := f.fail(sam, "plan_trip", `{"start": "Nowhere", "end": "Luxury Resort"}`, schema.ENOTFOUND)
		if !strings.Contains(schema.ErrorMessage(err), "{latitude, longitude}") {
			t.Errorf("message %q", schema.ErrorMessage(err))
		}
	})
	t.Run("defaults and no price, US units", func(t *testing.T) {
		// Alex has no fills: 20 L/100km = 235.2146 / 20 = 11.8 mpg; 133.43410 km = 82.9 mi;
		// 26.68682 L = 7.05 gal; no price → no cost.
		a := f.run(alex, "plan_trip", `{`+TripArgs+`}`)
		want(t, a, map[string]any{"value": 82.9, "unit": "mi"}, "distance")
		want(t, a, "default", "fuel", "consumption_source")
		want(t, a, map[string]any{"value": 11.8, "unit": "mpg"}, "fuel", "consumption")
		want(t, a, map[string]any{"value": 7.05, "unit": "gal"}, "fuel", "volume")
		want(t, a, nil, "fuel", "cost")
		want(t, a, "USD", "fuel", "currency")
		if n := get(t, a, "fuel", "note").(string); !strings.Contains(n, "no fuel price") {
			t.Errorf("note %q", n)
		}
		want(t, a, map[string]any{"value": 15.5, "unit": "mi"}, "corridor")
	})
	t.Run("invalid", func(t *testing.T) {
		f.fail(sam, "plan_trip", `{"start": {"latitude": 33.0}, "end": "Luxury Resort"}`, schema.EUNPROCESSABLE)
		f.fail(sam, "plan_trip", `{"end": "Luxury Resort"}`, schema.EUNPROCESSABLE)
		f.fail(sam, "plan_trip", `{`+TripArgs+`, "route_type": "teleport"}`, schema.EUNPROCESSABLE)
		f.fail(sam, "plan_trip", `{"start": {"latitude": 95, "longitude": 0}, "end": "Luxury Resort"}`, schema.EUNPROCESSABLE)
	})
}

func toStrings(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}
