package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// One vehicle's economy answers for one vehicle's trip: consumption is
// never averaged over the fills of several vehicles (a motorhome at
// 19.5 L/100 km and its tow car at 8 L/100 km average to a figure that
// neither burns). Where the caller names a vehicle, its fills are used;
// otherwise those of the primary vehicle.
//
// The primary vehicle is the one whose fills in fuel_log over the last
// PrimaryVehicleDays (all fills when none is that recent) hold the most
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
		k := r.Text("vehicle_id")
		a := by[k]
		if a == nil {
			a = &acc{}
			by[k] = a
		}
		v, _ := r.Number("volume")
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
		if r.Text("vehicle_id") == vehicle {
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
		x, ok := r.Number("consumption")
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

// PrimaryVehicleDays is the window the primary vehicle is picked over:
// the fills of the last year, or all fills when none is that recent, so a
// vehicle sold long ago does not stay primary and the pick reads little.
const PrimaryVehicleDays = 365

// PrimaryFrom is the first day of the window the primary vehicle is
// picked over, for a call on today (YYYY-MM-DD).
func PrimaryFrom(today string) string { return addDays(today, 1-PrimaryVehicleDays) }

// vehicleFills answers the vehicle meant (vehicle, or the primary one when
// ""), and its fills latest first, enough of them for RecentConsumption
// and LatestPrice.
func vehicleFills(ctx context.Context, s Store, c Call, vehicle UUID) ([]schema.Row, string, error) {
	v := string(vehicle)
	if v == "" {
		recent, err := collect(ctx, s, c.User, "fuel_log", schema.Query{Conditions: []schema.Condition{cond("date", schema.OpGte, PrimaryFrom(c.today()))}})
		if err != nil {
			return nil, "", err
		}
		if len(recent) == 0 {
			if recent, err = collect(ctx, s, c.User, "fuel_log", schema.Query{}); err != nil {
				return nil, "", err
			}
		}
		v = PrimaryVehicle(recent)
	} else if canon, err := schema.ParseUUID(v); err == nil {
		v = canon
	}
	var fills []schema.Row
	full, priced := 0, false
	q := schema.Query{Conditions: []schema.Condition{vehicleCond(UUID(v))}, Order: []schema.Order{
		{Column: "date", Desc: true}, {Column: "odometer", Desc: true}, {Column: "created_at", Desc: true}}}
	err := s.Each(ctx, c.User, "fuel_log", q, func(r schema.Row) error {
		fills = append(fills, r)
		if _, used := RecentConsumption([]schema.Row{r}); len(used) > 0 {
			full++
		}
		priced = priced || r["price"] != nil
		if full >= TripConsumptionFills && priced {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, "", err
	}
	return fills, v, nil
}

// vehicleLabel names a vehicle in a note.
func vehicleLabel(id string) string {
	if id == "" {
		return "fills with no vehicle recorded"
	}
	return "vehicle " + id
}

// Fuel is counted once. A fill-up is one purchase that may be written in
// two tables: fuel_log holds what went into the tank (litres, price per
// litre, odometer, consumption), expenses what it cost. They relate so:
//
//   - a fill-up and a fuel expense (a category in FuelCategories) of the
//     same date and the same amount are the same purchase, counted once,
//     as the expense (each expense stands for at most one fill-up);
//   - a fill-up with no such expense is a purchase too: spending counts it
//     once, as a "fuel" expense of its date and total (source fuel_log);
//   - so every spending total, category breakdown, budget, trip cost,
//     report and health score reads spendingRows (expenses plus the
//     unmatched fill-ups), never expenses plus fuel_log's totals;
//     fuel_log otherwise supplies litres, prices, odometers and economy;
//   - pam_log_fuel records a new fill's purchase as a "fuel" expense of
//     the same date and amount, unless one is already there.

// FuelCategories are the expense categories that hold fuel purchases
// (compared in lower case).
var FuelCategories = []string{"fuel", "gas", "gasoline", "petrol", "diesel"}

// IsFuelCategory says whether an expense category holds fuel purchases.
func IsFuelCategory(cat string) bool {
	return slices.Contains(FuelCategories, strings.ToLower(strings.TrimSpace(cat)))
}

// fuelExpenseOf is the id of the fuel expense of day and amount (a
// fill's purchase), "" when there is none.
func fuelExpenseOf(ctx context.Context, s Store, user, day string, total int64) (string, error) {
	rows, err := collect(ctx, s, user, "expenses", schema.Query{Conditions: []schema.Condition{eq("date", day)},
		Order: []schema.Order{{Column: "created_at"}, {Column: "id"}}})
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if IsFuelCategory(r.Text("category")) && r.Cents("amount") == total {
			return r.Text("id"), nil
		}
	}
	return "", nil
}

// fuelExpenseRow is the expense recording a fill's purchase.
func fuelExpenseRow(day string, total int64, litres float64, location string) schema.Row {
	desc := fmt.Sprintf("Fuel fill-up, %.2f L", litres)
	if location != "" {
		desc += ", " + location
	}
	return schema.Row{"amount": money(total), "category": "fuel", "date": day, "description": desc}
}

// spendingRows is what the user spent dated in [start, end] (either may
// be "" for open): the expenses, plus each fill-up that no fuel expense of
// the same date and amount stands for, as a "fuel" expense row with the
// fill's id, date and total and "source": "fuel_log". With category set,
// only rows of exactly that category. Rows are sorted by date, then id.
func spendingRows(ctx context.Context, s Store, user, start, end, category string) ([]schema.Row, error) {
	var conds []schema.Condition
	if start != "" {
		conds = append(conds, cond("date", schema.OpGte, start))
	}
	if end != "" {
		conds = append(conds, cond("date", schema.OpLte, end))
	}
	if category != "" && category != "fuel" {
		// No fill-up is spending of this category: the expenses alone,
		// through the (user_id, category, date) index.
		return collect(ctx, s, user, "expenses", schema.Query{Conditions: append(conds, eq("category", category)),
			Order: []schema.Order{{Column: "date"}, {Column: "id"}}})
	}
	exp, err := collect(ctx, s, user, "expenses", schema.Query{Conditions: conds})
	if err != nil {
		return nil, err
	}
	fills, err := collect(ctx, s, user, "fuel_log", schema.Query{Conditions: conds,
		Order: []schema.Order{{Column: "date"}, {Column: "id"}}})
	if err != nil {
		return nil, err
	}
	out := make([]schema.Row, 0, len(exp))
	for _, r := range exp {
		if category == "" || r.Text("category") == category {
			out = append(out, r)
		}
	}
	if category == "" || category == "fuel" {
		out = append(out, UnmatchedFills(exp, fills)...)
	}
	slices.SortFunc(out, func(x, y schema.Row) int {
		return cmp.Or(cmp.Compare(x.Text("date"), y.Text("date")), cmp.Compare(x.Text("id"), y.Text("id")))
	})
	return out, nil
}

// UnmatchedFills are the fill-ups among fills (fuel_log rows, oldest first)
// that no fuel expense among expenses stands for (same date and amount,
// each expense standing for at most one fill-up), as "fuel" expense rows
// with the fill's id, date and total and "source": "fuel_log". Fill-ups
// with no total are left out: nothing spent is known.
func UnmatchedFills(expenses, fills []schema.Row) []schema.Row {
	type key struct {
		day   string
		cents int64
	}
	unmatched := map[key]int{} // fuel expenses not yet standing for a fill
	for _, r := range expenses {
		if IsFuelCategory(r.Text("category")) {
			unmatched[key{r.Text("date"), r.Cents("amount")}]++
		}
	}
	var out []schema.Row
	for _, f := range fills {
		k := key{f.Text("date"), f.Cents("total")}
		if k.cents == 0 {
			continue
		}
		if unmatched[k] > 0 {
			unmatched[k]--
			continue
		}
		desc := "Fuel fill-up (fuel log)"
		if loc := f.Text("location"); loc != "" {
			desc += ", " + loc
		}
		out = append(out, schema.Row{"id": f.Text("id"), "amount": money(k.cents), "category": "fuel",
			"date": k.day, "description": desc, "source": "fuel_log"})
	}
	return out
}

// VehicleNamed is the vehicle_id a user means by kind, as the intent
// parser names vehicles ("rv", "car", "truck"; "" when none was named):
// the rig is the primary vehicle; a car or truck is, with several
// vehicles, the one of the others whose fills hold the most litres (the
// tow car), with one vehicle that one. "" or an unknown kind is the
// primary vehicle.
func VehicleNamed(fills []schema.Row, kind string) string {
	primary := PrimaryVehicle(fills)
	if kind != "car" && kind != "truck" {
		return primary
	}
	var others []schema.Row
	for _, r := range fills {
		if r.Text("vehicle_id") != primary {
			others = append(others, r)
		}
	}
	if len(others) == 0 {
		return primary
	}
	return PrimaryVehicle(others)
}
