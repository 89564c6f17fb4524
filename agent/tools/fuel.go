package tools

import (
	"cmp"
	"context"
	"slices"

	"github.com/pam-rv/pamd/schema"
)

// One vehicle's economy answers for one vehicle's trip: consumption is
// never averaged over the fills of several vehicles (a motorhome at
// 19.5 L/100 km and its tow car at 8 L/100 km average to a figure that
// neither burns). Where the caller names a vehicle, its fills are used;
// otherwise those of the primary vehicle.
//
// The primary vehicle is the one whose fills in fuel_log hold the most
// litres (ties: more fills, then the smaller id): the rig that burns the
// fuel, not the tow car. Fills without a vehicle_id count as one vehicle
// of their own, "" (none recorded). There is no local vehicles table to
// name a primary vehicle explicitly; this rule needs nothing but the log.

// PrimaryVehicle is the vehicle_id of the primary vehicle among fills
// (fuel_log rows), "" when none has one.
func PrimaryVehicle(fills []schema.Row) string {
	type acc struct {
		litres float64
		n      int
	}
	by := map[string]*acc{}
	for _, r := range fills {
		k := text(r["vehicle_id"])
		a := by[k]
		if a == nil {
			a = &acc{}
			by[k] = a
		}
		v, _ := number(r["volume"])
		a.litres += v
		a.n++
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int {
		return cmp.Or(cmp.Compare(by[y].litres, by[x].litres), cmp.Compare(by[y].n, by[x].n), cmp.Compare(x, y))
	})
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// FillsOf keeps the fills of vehicle ("" keeps those with no vehicle), in
// their order.
func FillsOf(fills []schema.Row, vehicle string) []schema.Row {
	if canon, err := schema.ParseUUID(vehicle); err == nil {
		vehicle = canon
	}
	var out []schema.Row
	for _, r := range fills {
		if text(r["vehicle_id"]) == vehicle {
			out = append(out, r)
		}
	}
	return out
}

// RecentConsumption is the mean recorded consumption (L/100 km) of the
// latest TripConsumptionFills plausible full fills of one vehicle's fills,
// given latest first, and those fills; 0 and none when there is none.
func RecentConsumption(fills []schema.Row) (float64, []schema.Row) {
	var used []schema.Row
	sum := 0.0
	for _, r := range fills {
		if full, ok := r["filled_to_top"].(bool); ok && !full {
			continue
		}
		x, ok := number(r["consumption"])
		if !ok || x < MinPlausibleL100 || x > MaxPlausibleL100 {
			continue
		}
		sum += x
		if used = append(used, r); len(used) == TripConsumptionFills {
			break
		}
	}
	if len(used) == 0 {
		return 0, nil
	}
	return sum / float64(len(used)), used
}

// LatestPrice is the first fill with a price among fills given latest
// first, or nil.
func LatestPrice(fills []schema.Row) schema.Row {
	for _, r := range fills {
		if r["price"] != nil {
			return r
		}
	}
	return nil
}

// vehicleFills reads the user's fuel log latest first and keeps the fills
// of vehicle, or of the primary vehicle when vehicle is "". It answers the
// vehicle used.
func vehicleFills(ctx context.Context, s Store, user string, vehicle UUID) ([]schema.Row, string, error) {
	all, err := collect(ctx, s, user, "fuel_log", schema.Query{Order: []schema.Order{
		{Column: "date", Desc: true}, {Column: "odometer", Desc: true}, {Column: "created_at", Desc: true}}})
	if err != nil {
		return nil, "", err
	}
	v := string(vehicle)
	if v == "" {
		v = PrimaryVehicle(all)
	} else if canon, err := schema.ParseUUID(v); err == nil {
		v = canon
	}
	return FillsOf(all, v), v, nil
}

// vehicleLabel names a vehicle in a note.
func vehicleLabel(id string) string {
	if id == "" {
		return "fills with no vehicle recorded"
	}
	return "vehicle " + id
}
