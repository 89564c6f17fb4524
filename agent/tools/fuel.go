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
//
// Both reads go through Find, page by page, so a repeated call (a chat
// planning one trip after another) is answered from the store's read
// cache, which every write of fuel_log invalidates: with two scans per
// call (Each: uncached, every column of every row decoded again) plan_trip
// took 2.8 times as long as before the primary vehicle was picked.
func vehicleFills(ctx context.Context, s Store, c Call, vehicle UUID) ([]schema.Row, string, error) {
	v := string(vehicle)
	if v == "" {
		var recent []schema.Row
		appendRow := func(r schema.Row) error { recent = append(recent, r); return nil }
		byID := []schema.Order{{Column: "id"}}
		err := findEach(ctx, s, c.User, "fuel_log", schema.Query{Conditions: []schema.Condition{cond("date", schema.OpGte, PrimaryFrom(c.today()))},
			Order: byID}, schema.MaxLimit, appendRow)
		if err != nil {
			return nil, "", err
		}
		if len(recent) == 0 {
			if err := findEach(ctx, s, c.User, "fuel_log", schema.Query{Order: byID}, schema.MaxLimit, appendRow); err != nil {
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
		{Column: "date", Desc: true}, {Column: "odometer", Desc: true}, {Column: "created_at", Desc: true}, {Column: "id"}}}
	err := findEach(ctx, s, c.User, "fuel_log", q, vehicleFillsPage, func(r schema.Row) error {
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

// vehicleFillsPage is how many of a vehicle's fills one read asks for:
// a few more than TripConsumptionFills, as some fills are partial.
const vehicleFillsPage = 16

// findEach calls fn on the rows of q in order, read page rows at a time
// through Find (q's Limit and Offset are its own), so that the pages are
// served from the store's read cache until the table changes. q's order
// must be total (end it with the id) for the pages to join up. fn may end
// the read early by returning an error, which findEach returns. The rows
// may be shared with the cache: fn must not modify them.
func findEach(ctx context.Context, s Store, user, table string, q schema.Query, page int, fn func(schema.Row) error) error {
	q.Limit = page
	for q.Offset = 0; ; q.Offset += page {
		res, err := s.Find(ctx, user, table, q)
		if err != nil {
			return err
		}
		for _, r := range res.Rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(res.Rows) < page || q.Offset+len(res.Rows) >= res.Count {
			return nil
		}
	}
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

// datedIn is the conditions for rows dated in [start, end]; an empty
// bound is open.
func datedIn(start, end string) []schema.Condition {
	var conds []schema.Condition
	if start != "" {
		conds = append(conds, cond("date", schema.OpGte, start))
	}
	if end != "" {
		conds = append(conds, cond("date", schema.OpLte, end))
	}
	return conds
}

// fillsOf reads the user's fill-ups matching conds, by date, then id.
func fillsOf(ctx context.Context, s Store, user string, conds []schema.Condition) ([]schema.Row, error) {
	return collect(ctx, s, user, "fuel_log", schema.Query{Conditions: conds,
		Order: []schema.Order{{Column: "date"}, {Column: "id"}}})
}

// spendingRows is what the user spent dated in [start, end] (either may
// be "" for open): the expenses, plus each fill-up that no fuel expense of
// the same date and amount stands for, as a "fuel" expense row with the
// fill's id, date and total and "source": "fuel_log". With category set,
// only rows of exactly that category. Rows are sorted by date, then id.
func spendingRows(ctx context.Context, s Store, user, start, end, category string) ([]schema.Row, error) {
	conds := datedIn(start, end)
	if category != "" && category != "fuel" {
		// No fill-up is spending of this category: the expenses alone,
		// through the (user_id, category, date) index.
		return collect(ctx, s, user, "expenses", schema.Query{Conditions: append(conds, eq("category", category)),
			Order: []schema.Order{{Column: "date"}, {Column: "id"}}})
	}
	if category == "" {
		rows, _, err := spendingSpan(ctx, s, user, start, end)
		return rows, err
	}
	// "fuel": the fuel expenses through the category index; a fill is
	// matched by an expense of its own date, so only the expenses of the
	// fills' dates are read for that (of any spelling of a fuel
	// category), not every expense of the period.
	fills, err := fillsOf(ctx, s, user, conds)
	if err != nil {
		return nil, err
	}
	exp, err := fuelExpenses(ctx, s, user, conds)
	if err != nil {
		return nil, err
	}
	match, err := expensesOnDaysOf(ctx, s, user, fills, conds)
	if err != nil {
		return nil, err
	}
	return spendingOf(exp, UnmatchedFills(match, fills)), nil
}

// spendingSpan is spendingRows(start, end, ""), and what it read as a
// fuelSpan (the period's fill-ups, matched against every expense of the
// period), so that the fuel budgets within the period spend from it.
func spendingSpan(ctx context.Context, s Store, user, start, end string) ([]schema.Row, *fuelSpan, error) {
	conds := datedIn(start, end)
	fills, err := fillsOf(ctx, s, user, conds)
	if err != nil {
		return nil, nil, err
	}
	exp, err := collect(ctx, s, user, "expenses", schema.Query{Conditions: conds})
	if err != nil {
		return nil, nil, err
	}
	return spendingOf(exp, UnmatchedFills(exp, fills)), &fuelSpan{start: start, end: end, fills: fills, match: exp}, nil
}

// fuelExpenses are the expenses of category "fuel" matching conds.
func fuelExpenses(ctx context.Context, s Store, user string, conds []schema.Condition) ([]schema.Row, error) {
	return collect(ctx, s, user, "expenses", schema.Query{Conditions: append(slices.Clip(conds), eq("category", "fuel")),
		Order: []schema.Order{{Column: "date"}, {Column: "id"}}})
}

// spendingOf is expenses and unmatched fill-ups, sorted by date, then id.
func spendingOf(exp, unmatched []schema.Row) []schema.Row {
	out := make([]schema.Row, 0, len(exp)+len(unmatched))
	out = append(out, exp...)
	out = append(out, unmatched...)
	slices.SortFunc(out, func(x, y schema.Row) int {
		return cmp.Or(cmp.Compare(x.Text("date"), y.Text("date")), cmp.Compare(x.Text("id"), y.Text("id")))
	})
	return out
}

// fuelSpan is the fill-ups of a span of days and the expenses they can be
// matched against (those of their days), read once for the spending of
// several fuel budgets within the span: a 12-month view spends over a
// dozen monthly fuel budgets, and spendingRows would read the fuel log and
// the expenses of the fills' days for each. A fill is matched only by an
// expense of its own day, so matching within a budget's period is the
// same on the span's rows as on the period's.
type fuelSpan struct {
	start, end   string
	fills, match []schema.Row
}

// readFuelSpan reads the fill-ups dated in [start, end] and the expenses
// of their days.
func readFuelSpan(ctx context.Context, s Store, user, start, end string) (*fuelSpan, error) {
	conds := []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)}
	fills, err := fillsOf(ctx, s, user, conds)
	if err != nil {
		return nil, err
	}
	match, err := expensesOnDaysOf(ctx, s, user, fills, conds)
	if err != nil {
		return nil, err
	}
	return &fuelSpan{start: start, end: end, fills: fills, match: match}, nil
}

// covers says whether [start, end] lies within the span.
func (fs *fuelSpan) covers(start, end string) bool {
	return fs != nil && start != "" && end != "" && fs.start != "" && fs.end != "" && fs.start <= start && end <= fs.end
}

// unmatched is UnmatchedFills over the rows dated in [start, end], which
// the span covers.
func (fs *fuelSpan) unmatched(start, end string) []schema.Row {
	in := func(rows []schema.Row) []schema.Row {
		var out []schema.Row
		for _, r := range rows {
			if d := r.Text("date"); start <= d && d <= end {
				out = append(out, r)
			}
		}
		return out
	}
	return UnmatchedFills(in(fs.match), in(fs.fills))
}

// fuelSpanOf reads the fuel span of the fuel budgets among budgets (their
// periods' union, first start to last end), nil when fewer than two: one
// budget is read as well by spendingRows.
func fuelSpanOf(ctx context.Context, s Store, user string, budgets []schema.Row, cat func(schema.Row) string) (*fuelSpan, error) {
	n, start, end := 0, "", ""
	for _, b := range budgets {
		bs, be := b.Text("start_date"), b.Text("end_date")
		if cat(b) != "fuel" || bs == "" || be == "" {
			continue
		}
		if n++; n == 1 || bs < start {
			start = bs
		}
		if n == 1 || be > end {
			end = be
		}
	}
	if n < 2 {
		return nil, nil
	}
	return readFuelSpan(ctx, s, user, start, end)
}

// expensesOnDaysOf reads the expenses dated on the days of fills (all of
// them matching conds) that have a total: all a fill can be matched
// against. Many days are read as the period (conds) instead.
func expensesOnDaysOf(ctx context.Context, s Store, user string, fills []schema.Row, conds []schema.Condition) ([]schema.Row, error) {
	var days []any
	for _, f := range fills {
		if d := f.Text("date"); f.Cents("total") != 0 && !slices.Contains(days, any(d)) {
			days = append(days, d)
		}
	}
	switch {
	case len(days) == 0:
		return nil, nil
	case len(days) > maxMatchDays:
		return collect(ctx, s, user, "expenses", schema.Query{Conditions: conds})
	}
	return collect(ctx, s, user, "expenses", schema.Query{Conditions: []schema.Condition{{Column: "date", Op: schema.OpIn, Value: days}}})
}

// maxMatchDays bounds the days expensesOnDaysOf names in one query.
const maxMatchDays = 100

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
