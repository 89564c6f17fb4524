package tools_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

func fill(date string, litres, odo float64, full bool, total, vehicle string) schema.Row {
	r := schema.Row{"date": date, "volume": litres, "odometer": odo, "filled_to_top": full, "total": total}
	if vehicle != "" {
		r["vehicle_id"] = vehicle
	}
	return r
}

func TestLogFuel(t *testing.T) {
	f := newFixture(t)
	// Sam's earlier fills of rv1, stored out of order: the partial of
	// 03-05 first, then the full fill of 03-01, then an older full fill.
	partial := f.create(sam, "fuel_log", fill("2026-03-05", 20, 10300, false, "38.00", rv1))
	r := fill("2026-03-01", 50, 10000, true, "92.50", rv1)
	r["consumption"] = 10.0 // 50 L over 500 km
	full := f.create(sam, "fuel_log", r)
	f.create(sam, "fuel_log", fill("2026-02-20", 55, 9500, true, "99.00", rv1))   // stored last, older
	f.create(sam, "fuel_log", fill("2026-03-06", 30, 10500, true, "57.00", rv2))  // another vehicle
	f.create(alex, "fuel_log", fill("2026-03-07", 30, 10450, true, "57.00", rv1)) // another user
	f.create(sam, "fuel_log", fill("2026-03-20", 30, 10550, true, "57.00", rv1))  // a later date

	t.Run("full after a partial", func(t *testing.T) {
		// (20 + 40) L over 10,600 − 10,000 km = 10.0 L/100km.
		a := f.run(sam, "pam_log_fuel", `{"litres": 40, "total_cost": "74.00", "odometer_km": 10600, "vehicle_id": "`+rv1+`", "date": "2026-03-09"}`)
		want(t, a, map[string]any{"value": 10.0, "unit": "L/100km"}, "consumption")
		want(t, a, full["id"], "basis", "previous_full_fill", "id")
		want(t, a, partial["id"], "basis", "partial_fills", 0, "id")
		want(t, a, map[string]any{"value": 600.0, "unit": "km"}, "basis", "distance")
		want(t, a, map[string]any{"value": 60.0, "unit": "L"}, "basis", "fuel")
		want(t, a, "1.850", "price_per_unit") // 74.00 / 40
		want(t, a, "AUD/L", "price_unit")
		want(t, a, "74.00", "total_cost")
		// EMA over the recorded consumptions: 10.0 (03-01), then 10.0.
		want(t, a, map[string]any{"value": 10.0, "unit": "L/100km"}, "average_consumption")
		want(t, a, 2, "average_over_fills")
		want(t, a, 10.0, "fill", "consumption")
		want(t, a, "1.850", "fill", "price")
		want(t, a, true, "fill", "filled_to_top")
	})
	t.Run("next full", func(t *testing.T) {
		// 45 L over 500 km = 9.0; EMA 0.7 × 10.0 + 0.3 × 9.0 = 9.7.
		a := f.run(sam, "pam_log_fuel", `{"litres": 45, "total_cost": 81, "odometer_km": 11100, "vehicle_id": "`+rv1+`", "date": "2026-03-12"}`)
		want(t, a, 9.0, "consumption", "value")
		want(t, a, []any{}, "basis", "partial_fills")
		want(t, a, 9.7, "average_consumption", "value")
		want(t, a, 3, "average_over_fills")
	})
	t.Run("partial then full", func(t *testing.T) {
		a := f.run(sam, "pam_log_fuel", `{"litres": 10, "total_cost": 19, "odometer_km": 11300, "partial": true, "vehicle_id": "`+rv1+`", "date": "2026-03-13"}`)
		want(t, a, nil, "consumption")
		want(t, a, true, "partial")
		if n := get(t, a, "note").(string); !strings.Contains(n, "partial fill") {
			t.Errorf("note %q", n)
		}
		want(t, a, false, "fill", "filled_to_top")
		want(t, a, nil, "fill", "consumption")
		// (10 + 30) L over 400 km = 10.0; EMA 0.7 × 9.7 + 0.3 × 10.0 = 9.79.
		a = f.run(sam, "pam_log_fuel", `{"litres": 30, "total_cost": 57, "odometer_km": 11500, "vehicle_id": "`+rv1+`", "date": "2026-03-14"}`)
		want(t, a, 10.0, "consumption", "value")
		want(t, a, 9.79, "average_consumption", "value")
		want(t, a, 4, "average_over_fills")
	})
	t.Run("first fill", func(t *testing.T) {
		a := f.run(sam, "pam_log_fuel", `{"litres": 30, "total_cost": 57, "odometer_km": 500, "vehicle_id": "0190b000-0000-7000-8000-00000000e009"}`)
		want(t, a, nil, "consumption")
		want(t, a, "2026-03-15", "fill", "date")
		if n := get(t, a, "note").(string); !strings.Contains(n, "no earlier full fill") {
			t.Errorf("note %q", n)
		}
	})
	t.Run("implausible", func(t *testing.T) {
		// 30 L over 9,000 km since 11,500 would be 0.33 L/100km: a typo.
		a := f.run(sam, "pam_log_fuel", `{"litres": 30, "total_cost": 57, "odometer_km": 20500, "vehicle_id": "`+rv1+`", "date": "2026-03-15"}`)
		want(t, a, nil, "consumption")
		want(t, a, nil, "fill", "consumption")
		want(t, a, map[string]any{"value": 9000.0, "unit": "km"}, "basis", "distance")
		if n := get(t, a, "note").(string); !strings.Contains(n, "0.33 L/100km") || !strings.Contains(n, "check the odometer") {
			t.Errorf("note %q", n)
		}
	})
	t.Run("us units", func(t *testing.T) {
		f.run(alex, "pam_log_fuel", `{"gallons": 10, "total_cost": 35, "odometer_miles": 5000, "date": "2026-03-01"}`)
		// 12 gal over 300 mi = 25.0 mpg (stored 45.425 L over 482.8 km = 9.41 L/100km).
		a := f.run(alex, "pam_log_fuel", `{"gallons": 12, "total_cost": "42.00", "odometer_miles": 5300, "date": "2026-03-08"}`)
		want(t, a, "us", "units")
		want(t, a, map[string]any{"value": 25.0, "unit": "mpg"}, "consumption")
		want(t, a, map[string]any{"value": 12.0, "unit": "gal"}, "volume")
		want(t, a, map[string]any{"value": 5300.0, "unit": "mi"}, "odometer")
		want(t, a, map[string]any{"value": 300.0, "unit": "mi"}, "basis", "distance")
		want(t, a, "3.500", "price_per_unit")
		want(t, a, "USD/gal", "price_unit")
		want(t, a, 45.425, "fill", "volume")
		want(t, a, 8529.5, "fill", "odometer")
		want(t, a, 9.41, "fill", "consumption")
		want(t, a, "0.925", "fill", "price") // per litre, as stored
	})
}

func TestLogMaintenance(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "pam_log_maintenance", `{"task": "Oil change", "mileage_km": 30500, "cost": "129.95", "date": "2026-03-10",
		"service_provider": "Jiffy Lube", "notes": "5W-30", "vehicle_id": "`+rv1+`", "next_due": "2026-06-08", "next_due_mileage_km": 39500}`)
	want(t, a, "oil_change", "task")
	want(t, a, "completed", "status")
	want(t, a, map[string]any{"value": 30500.0, "unit": "km"}, "mileage")
	want(t, a, "129.95", "cost")
	want(t, a, "AUD", "currency")
	rec := get(t, a, "record").(map[string]any)
	for k, v := range map[string]any{"task": "oil_change", "date": "2026-03-10", "mileage": 30500.0, "cost": "129.95",
		"vehicle_id": rv1, "next_due_date": "2026-06-08", "next_due_mileage": 39500.0, "status": "completed",
		"notes": "Service provider: Jiffy Lube. 5W-30", "user_id": sam} {
		if rec[k] != v {
			t.Errorf("record %s = %#v, want %#v", k, rec[k], v)
		}
	}
	want(t, a, "Oil change due", "reminder", "title")
	want(t, a, "maintenance", "reminder", "event_type")
	want(t, a, "2026-06-08T00:00:00.000000Z", "reminder", "start_date")
	want(t, a, true, "reminder", "all_day")
	if n := len(f.rows(sam, "calendar_events", schema.Condition{Column: "event_type", Op: schema.OpEq, Value: "maintenance"})); n != 1 {
		t.Fatalf("%d maintenance events, want 1", n)
	}
	if n := len(f.rows(sam, "maintenance_records")); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}

	// US units in, km stored; no next_due, no reminder; a future day is scheduled.
	a = f.run(alex, "pam_log_maintenance", `{"task": "tire_rotation", "mileage_miles": 20000, "date": "2026-04-02"}`)
	want(t, a, "scheduled", "status")
	want(t, a, 32187.0, "record", "mileage") // 20,000 mi
	want(t, a, map[string]any{"value": 20000.0, "unit": "mi"}, "mileage")
	want(t, a, nil, "reminder")
	want(t, a, nil, "cost")
	if n := len(f.rows(alex, "calendar_events")); n != 0 {
		t.Fatalf("%d events for Alex, want 0", n)
	}
}

// seedMaintenance gives Sam's rv1 three oil changes three months apart, a
// tyre rotation, a brake service with its own next due date and a booked
// oil change; rv2 a yearly service; all stored out of date order.
func seedMaintenance(f *fixture) map[string]schema.Row {
	m := map[string]schema.Row{}
	for _, x := range []struct {
		key, vehicle, task, date string
		km                       int64
		cost, status, nextDue    string
	}{
		{"oil2", rv1, "oil_change", "2025-09-01", 25000, "110.00", "completed", ""},
		{"oil3", rv1, "oil_change", "2025-12-01", 30000, "120.00", "completed", ""},
		{"tyres", rv1, "tire_rotation", "2026-01-10", 28000, "80.00", "completed", ""},
		{"brakes", rv1, "brake_service", "2024-04-01", 15000, "600.00", "completed", "2026-04-01"},
		{"booked", rv1, "oil_change", "2026-03-20", 31500, "", "scheduled", ""},
		{"oil1", rv1, "oil_change", "2025-06-01", 20000, "100.00", "completed", ""},
		{"gen", rv2, "service", "2025-03-20", 5000, "450.00", "completed", ""},
	} {
		row := schema.Row{"vehicle_id": x.vehicle, "task": x.task, "date": x.date, "mileage": x.km, "status": x.status}
		if x.cost != "" {
			row["cost"] = x.cost
		}
		if x.nextDue != "" {
			row["next_due_date"] = x.nextDue
		}
		m[x.key] = f.create(sam, "maintenance_records", row)
	}
	f.create(sam, "fuel_log", fill("2026-03-10", 50, 33000, true, "90.00", rv1))
	f.create(alex, "maintenance_records", schema.Row{"task": "oil_change", "date": "2026-03-01", "mileage": 1000})
	return m
}

func TestMaintenanceSchedule(t *testing.T) {
	f := newFixture(t)
	m := seedMaintenance(f)
	a := f.run(sam, "pam_get_maintenance_schedule", `{}`)
	want(t, a, "2026-03-15", "today")
	want(t, a, 7, "records_read")
	want(t, a, 1, "overdue")
	want(t, a, 2, "upcoming")
	if n := len(get(t, a, "items").([]any)); n != 4 {
		t.Fatalf("%d items, want 4", n)
	}
	// Oil change: gaps of 92 and 91 days → every 91.5 days, so due
	// 2025-12-01 + 92 days = 2026-03-03: 12 days overdue. 5,000 km apart →
	// due at 35,000 km; the odometer reads 33,000.
	oil := get(t, a, "items", 0).(map[string]any)
	want(t, oil, "oil_change", "task")
	want(t, oil, rv1, "vehicle_id")
	want(t, oil, "overdue", "status")
	want(t, oil, m["oil3"]["id"], "last_service", "id")
	want(t, oil, "2025-12-01", "last_service", "date")
	want(t, oil, 91.5, "interval_days")
	want(t, oil, "history", "interval_source")
	want(t, oil, map[string]any{"value": 5000.0, "unit": "km"}, "interval_distance")
	want(t, oil, "2026-03-03", "next_due_date")
	want(t, oil, "history", "due_source")
	want(t, oil, -12, "days_until_due")
	want(t, oil, 12, "days_overdue")
	want(t, oil, "date", "overdue_by")
	want(t, oil, map[string]any{"value": 35000.0, "unit": "km"}, "next_due_mileage")
	want(t, oil, map[string]any{"value": 33000.0, "unit": "km"}, "current_odometer")
	want(t, oil, 3, "service_count")
	want(t, oil, "330.00", "total_cost")
	want(t, oil, m["booked"]["id"], "booked", 0, "id")
	// rv2's yearly service: one record, default 365 days → due 2026-03-20.
	gen := get(t, a, "items", 1).(map[string]any)
	want(t, gen, "service", "task")
	want(t, gen, rv2, "vehicle_id")
	want(t, gen, "upcoming", "status")
	want(t, gen, "2026-03-20", "next_due_date")
	want(t, gen, "default", "due_source")
	want(t, gen, 365.0, "interval_days")
	want(t, gen, 5, "days_until_due")
	// Brakes: the record's own next due date.
	brakes := get(t, a, "items", 2).(map[string]any)
	want(t, brakes, "brake_service", "task")
	want(t, brakes, "upcoming", "status")
	want(t, brakes, "2026-04-01", "next_due_date")
	want(t, brakes, "record", "due_source")
	want(t, brakes, 17, "days_until_due")
	want(t, brakes, 730.0, "interval_days")
	// Tyres: default 180 days → 2026-07-09, 116 days ahead.
	tyres := get(t, a, "items", 3).(map[string]any)
	want(t, tyres, "tire_rotation", "task")
	want(t, tyres, "ok", "status")
	want(t, tyres, "2026-07-09", "next_due_date")
	want(t, tyres, 116, "days_until_due")
	want(t, a, "high", "recommendations", 0, "priority")
	if msg := get(t, a, "recommendations", 0, "message").(string); !strings.Contains(msg, "Oil change is overdue by 12 days (due 2026-03-03)") {
		t.Errorf("recommendation %q", msg)
	}
	if n := len(get(t, a, "recommendations").([]any)); n != 1 {
		t.Errorf("%d recommendations, want 1", n)
	}

	// One vehicle, a shorter window.
	a = f.run(sam, "pam_get_maintenance_schedule", `{"vehicle_id": "`+rv2+`", "upcoming_days": 3}`)
	want(t, a, 1, "records_read")
	want(t, a, "ok", "items", 0, "status")
	want(t, a, 0, "upcoming")
}

func TestMaintenanceScheduleMileage(t *testing.T) {
	f := newFixture(t)
	// Due by date on 2026-06-01 but at 15,000 km, and the odometer reads 10,000 mi.
	f.create(alex, "maintenance_records", schema.Row{"vehicle_id": rv1, "task": "oil_change", "date": "2026-01-01",
		"mileage": 10000, "next_due_date": "2026-06-01", "next_due_mileage": 15000, "status": "completed"})
	f.create(alex, "fuel_log", fill("2026-03-10", 50, 16093.44, true, "90.00", rv1))
	a := f.run(alex, "pam_get_maintenance_schedule", ``)
	want(t, a, "overdue", "items", 0, "status")
	want(t, a, "mileage", "items", 0, "overdue_by")
	want(t, a, 78, "items", 0, "days_until_due")
	want(t, a, nil, "items", 0, "days_overdue")
	want(t, a, map[string]any{"value": 9321.0, "unit": "mi"}, "items", 0, "next_due_mileage")
	want(t, a, map[string]any{"value": 10000.0, "unit": "mi"}, "items", 0, "current_odometer")
	want(t, a, 90.0, "items", 0, "interval_days") // the default for oil changes
	want(t, a, "default", "items", 0, "interval_source")

	// Someone without history is told to log services.
	b := f.run(sam, "pam_get_maintenance_schedule", ``)
	want(t, b, []any{}, "items")
	want(t, b, "medium", "recommendations", 0, "priority")
}

// Reference stations around (33.0, −112.0).
var (
	stCenter = "0190b000-0000-7000-8000-00000000f001" // at the centre: regular 1.200, premium 1.400
	stNorth  = "0190b000-0000-7000-8000-00000000f002" // 0.1° north, 11.1 km: regular 1.100, diesel 1.300
	stEast   = "0190b000-0000-7000-8000-00000000f003" // 0.2° east, 18.7 km: diesel 1.250, RV-friendly
	stFar    = "0190b000-0000-7000-8000-00000000f004" // 1° north, 111.2 km: regular 0.900
)

func seedStations(f *fixture) {
	f.t.Helper()
	rows := []schema.Row{
		{"id": stCenter, "station_name": "Center Fuel", "address": "1 Main St", "latitude": 33.0, "longitude": -112.0,
			"regular_price": "1.200", "premium_price": "1.400", "rv_friendly": false},
		{"id": stNorth, "station_name": "North Diesel", "address": "2 North Rd", "latitude": 33.1, "longitude": -112.0,
			"regular_price": "1.100", "diesel_price": "1.300"},
		{"id": stEast, "station_name": "East RV Stop", "address": "3 East Hwy", "latitude": 33.0, "longitude": -111.8,
			"diesel_price": "1.250", "rv_friendly": true},
		{"id": stFar, "station_name": "Far Away", "address": "4 Far Ln", "latitude": 34.0, "longitude": -112.0,
			"regular_price": "0.900"},
	}
	if err := f.store.Load(f.ctx, "fuel_stations", rows, localstore.LoadOptions{}); err != nil {
		f.t.Fatal(err)
	}
}

func stationIDs(t *testing.T, a map[string]any) []string {
	var ids []string
	for _, s := range get(t, a, "stations").([]any) {
		ids = append(ids, s.(map[string]any)["id"].(string))
	}
	return ids
}

func TestFuelStations(t *testing.T) {
	f := newFixture(t)
	seedStations(f)
	eqIDs := func(t *testing.T, a map[string]any, ids ...string) {
		t.Helper()
		if got := stationIDs(t, a); strings.Join(got, ",") != strings.Join(ids, ",") {
			t.Fatalf("stations %v, want %v", got, ids)
		}
	}
	// From Sam's profile location, 50 km by default.
	a := f.run(sam, "pam_manage_fuel_stations", `{"action": "search"}`)
	want(t, a, "profile", "center", "source")
	want(t, a, map[string]any{"value": 50.0, "unit": "km"}, "radius")
	want(t, a, 3, "found")
	eqIDs(t, a, stCenter, stNorth, stEast)
	want(t, a, map[string]any{"value": 0.0, "unit": "km"}, "stations", 0, "distance")
	want(t, a, map[string]any{"value": 11.1, "unit": "km"}, "stations", 1, "distance")
	want(t, a, map[string]any{"value": 18.7, "unit": "km"}, "stations", 2, "distance")
	want(t, a, map[string]any{"regular": "1.100", "diesel": "1.300"}, "stations", 1, "prices")
	want(t, a, "AUD/L", "price_unit")

	a = f.run(sam, "pam_manage_fuel_stations", `{"action": "search", "latitude": 33, "longitude": -112, "radius_km": 15}`)
	want(t, a, "arguments", "center", "source")
	eqIDs(t, a, stCenter, stNorth)
	a = f.run(sam, "pam_manage_fuel_stations", `{"action": "search", "fuel_type": "diesel", "sort_by": "price"}`)
	eqIDs(t, a, stEast, stNorth)
	a = f.run(sam, "pam_manage_fuel_stations", `{"action": "search", "rv_friendly": true}`)
	eqIDs(t, a, stEast)
	a = f.run(sam, "pam_manage_fuel_stations", `{"action": "search", "limit": 1, "radius_km": 200}`)
	want(t, a, 4, "found")
	eqIDs(t, a, stCenter)

	// Alex counts in miles and gallons; 10 mi = 16.1 km.
	a = f.run(alex, "pam_manage_fuel_stations", `{"action": "search", "latitude": 33.0, "longitude": -112.0, "radius_miles": 10}`)
	eqIDs(t, a, stCenter, stNorth)
	want(t, a, map[string]any{"value": 10.0, "unit": "mi"}, "radius")
	want(t, a, map[string]any{"value": 6.9, "unit": "mi"}, "stations", 1, "distance")
	want(t, a, map[string]any{"regular": "4.164", "diesel": "4.921"}, "stations", 1, "prices")
	want(t, a, "USD/gal", "price_unit")
	f.fail(alex, "pam_manage_fuel_stations", `{"action": "search"}`, schema.EUNPROCESSABLE) // no location on file

	// Reference data is read-only here.
	for _, action := range []string{"create", "update", "update_prices"} {
		err := f.fail(sam, "pam_manage_fuel_stations", `{"action": "`+action+`", "station_id": "`+stNorth+`", "station_data": {"brand": "X"}}`, schema.ENOTALLOWED)
		if !strings.Contains(schema.ErrorMessage(err), "read-only") {
			t.Errorf("message %q", schema.ErrorMessage(err))
		}
	}
	if n := len(f.rows(sam, "fuel_stations")); n != 4 {
		t.Fatalf("%d stations, want 4", n)
	}
	f.fail(sam, "pam_manage_fuel_stations", `{"action": "search", "sort_by": "price"}`, schema.EUNPROCESSABLE)
}
