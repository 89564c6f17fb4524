package offline_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"
)

// demoNow pins the demo data set's clock: it ends here and every question
// is asked at this instant.
var demoNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

type demoFixture struct {
	t     *testing.T
	store *localstore.Store
	p     *offline.Provider
}

// newDemo is the offline answerer over the scale 1 demo data set ending
// at demoNow.
func newDemo(t *testing.T) *demoFixture {
	t.Helper()
	s := storetest.Open(t, storetest.Options{Start: demoNow, OneReader: true, Demo: true})
	return &demoFixture{t: t, store: s, p: offline.New(tools.NewRegistry(s))}
}

// ask asks msg as user and checks the answer holds each of want.
func (d *demoFixture) ask(user, msg string, want ...string) string {
	d.t.Helper()
	got := ask(d.t, d.p, user, demoNow, msg)
	for _, w := range want {
		if !strings.Contains(got, w) {
			d.t.Errorf("%q:\n got %q\nwant it to contain %q", msg, got, w)
		}
	}
	return got
}

// rows reads user's rows of table in order.
func (d *demoFixture) rows(user, table string, order ...schema.Order) []schema.Row {
	d.t.Helper()
	var out []schema.Row
	err := d.store.Each(context.Background(), user, table, schema.Query{Order: order}, func(r schema.Row) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

// TestDemoTripFuelCostOneVehicle: "How much will fuel cost for a 300 mile
// trip?" as Alex uses his RV's economy, not a mix with the tow car's.
//
// Alex's RV's latest 3 full fills (demo set, now 2026-03-15): 19.82, 19.61
// and 21.60 L/100km, mean 20.343 L/100km = 235.215 / 20.343 = 11.6 mpg
// (the tow car's 8.28 and 8.18 mixed with the RV's 19.82 gave 19.4 mpg).
// 300 mi = 482.8 km × 20.343 / 100 = 98.2 L = 25.9 gal, at the RV's own
// latest (diesel) price.
func TestDemoTripFuelCostOneVehicle(t *testing.T) {
	d := newDemo(t)
	var rv []float64
	for _, r := range d.rows(demo.UserA, "fuel_log", schema.Order{Column: "date", Desc: true}) {
		if c, ok := r["consumption"].(float64); ok && r["vehicle_id"] == demo.VehicleAlexRV && len(rv) < 3 {
			rv = append(rv, c)
		}
	}
	if len(rv) != 3 || rv[0] != 19.82 || rv[1] != 19.61 || rv[2] != 21.60 {
		t.Fatalf("the RV's latest full fills are %v, the comment says 19.82, 19.61, 21.60", rv)
	}
	got := d.ask(demo.UserA, "How much will fuel cost for a 300 mile trip?", "11.6 mpg", "25.9 gal")
	if strings.Contains(got, "19.4 mpg") {
		t.Errorf("mixed vehicles: %q", got)
	}
	d.ask(demo.UserA, "What's my fuel economy?", "mpg")
}

// TestDemoBestHustleHourly: Sam's best hustle, Freelance Bookkeeping for
// RVers, is worked through the catalogue attempt "Freelance Bookkeeping
// for Small Businesses on Starlink", 148 recorded hours; income 9959.89,
// costs 347.13, profit 9612.76: 9612.76 / 148 = 64.95 an hour after
// costs, 9959.89 / 148 = 67.30 before.
func TestDemoBestHustleHourly(t *testing.T) {
	d := newDemo(t)
	d.ask(demo.UserB, "which side hustle pays best", "Freelance Bookkeeping for RVers", "$9,612.76 profit",
		"$64.95 an hour after costs ($67.30 before) over 148 recorded hours")
}

// TestDemoBiggestExpense: "What was my biggest expense this year?" answers
// the single largest expense row (amount, what, when), not the year's
// total. By hand (Alex, demo set, 2026-01-01..2026-03-15): the largest
// amount is 585.00, the monthly site rent at Desert Palms RV Resort, paid
// on the 1st of January, February and March; the earliest is answered.
// The year's total, 6497.04, was the old answer.
func TestDemoBiggestExpense(t *testing.T) {
	d := newDemo(t)
	var best schema.Row
	for _, r := range d.rows(demo.UserA, "expenses", schema.Order{Column: "date"}, schema.Order{Column: "id"}) {
		if r["date"].(string) < "2026-01-01" {
			continue
		}
		if best == nil || amountCents(t, r["amount"]) > amountCents(t, best["amount"]) {
			best = r
		}
	}
	if best["amount"] != "585.00" || best["date"] != "2026-01-01" {
		t.Fatalf("biggest row %v, the comment says 585.00 on 2026-01-01", best)
	}
	got := d.ask(demo.UserA, "What was my biggest expense this year?", "$585.00", "camping", best["description"].(string), "on 2026-01-01")
	if strings.Contains(got, "6,497.04") {
		t.Errorf("answered the total: %q", got)
	}
	// The category narrows it; the word "largest" too.
	d.ask(demo.UserA, "largest grocery expense this year", "biggest expense on groceries", "groceries:")
}

func amountCents(tb testing.TB, v any) int64 {
	tb.Helper()
	n, err := schema.ParseDecimal(v, 2)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestDemoUnitsAsked: the unit the question names wins, then the
// profile's. Sam counts in metric, Alex in US units.
//
// Sam's fuel economy over the last 6 months (2025-09-15..2026-03-15), full
// tank to full tank: 599.2 L over 2,319 km = 25.8 L/100km; in mpg,
// 235.215 / 25.84 = 9.1 mpg. Alex's RV over the same months: 134.6 gal
// over 1,547 mi = 11.5 mpg = 20.5 L/100km.
func TestDemoUnitsAsked(t *testing.T) {
	d := newDemo(t)
	sam := fullToFull(t, d.rows(demo.UserB, "fuel_log", schema.Order{Column: "odometer"}), "", "2025-09-15", "2026-03-15")
	alex := fullToFull(t, d.rows(demo.UserA, "fuel_log", schema.Order{Column: "odometer"}), demo.VehicleAlexRV, "2025-09-15", "2026-03-15")
	mpg := func(l100 float64) string {
		return strconv.FormatFloat(math.Round(235.2145833/l100*10)/10, 'f', 1, 64) + " mpg"
	}
	if mpg(sam) != "9.1 mpg" || mpg(alex) != "11.5 mpg" {
		t.Fatalf("by hand: Sam %.2f L/100km = %s, Alex %.2f = %s; the comment says 9.1 and 11.5 mpg", sam, mpg(sam), alex, mpg(alex))
	}
	// Last year's fill-ups (2025), by hand from the rows.
	var samL, alexL float64
	for _, r := range d.rows(demo.UserB, "fuel_log") {
		if strings.HasPrefix(r["date"].(string), "2025-") {
			samL += r["volume"].(float64)
		}
	}
	for _, r := range d.rows(demo.UserA, "fuel_log") {
		if strings.HasPrefix(r["date"].(string), "2025-") {
			alexL += r["volume"].(float64)
		}
	}
	if samL < 1000 || alexL < 1000 {
		t.Fatalf("litres in 2025: Sam %.1f, Alex %.1f", samL, alexL)
	}
	gal := func(l float64) string { return oneDecimal(l/3.785411784) + " gal" }
	for _, tc := range []struct {
		user, msg string
		want      []string
		not       string
	}{
		{demo.UserB, "What is my mpg?", []string{mpg(sam), "gal over", "mi,"}, "L/100km"},
		{demo.UserB, "What's my fuel economy?", []string{"25.8 L/100km", "599.2 L over 2,319 km"}, "mpg"},
		{demo.UserA, "fuel economy in L/100km", []string{"20.5 L/100km", " L over ", " km,"}, "mpg"},
		{demo.UserA, "What's my fuel economy?", []string{"11.5 mpg", "134.6 gal over 1,547 mi"}, "L/100km"},
		{demo.UserA, "what's my fuel economy in litres per 100 km", []string{"20.5 L/100km"}, "mpg"},
		{demo.UserB, "how many gallons did I buy last year", []string{gal(samL)}, " L "},
		{demo.UserA, "how many litres did I buy last year", []string{oneDecimal(alexL) + " L"}, "gal"},
	} {
		got := d.ask(tc.user, tc.msg, tc.want...)
		if strings.Contains(got, tc.not) {
			t.Errorf("%q: %q holds %q", tc.msg, got, tc.not)
		}
	}
}

// TestDemoFillInGallons: a fill-up given in gallons is stored in litres
// (15 gal × 3.785411784 = 56.781 L, price 64.80 / 56.781 = 1.141 a litre),
// its odometer in km, its purchase as one fuel expense, and the answer
// speaks gallons, whatever the profile says.
func TestDemoFillInGallons(t *testing.T) {
	d := newDemo(t)
	for i, user := range []string{demo.UserA, demo.UserB} {
		before := len(d.rows(user, "expenses"))
		odo := []string{"60,000 miles", "60,000 miles"}[i]
		d.ask(user, "filled up 15 gallons for $64.80 at "+odo, "Logged 15 gal for $64.80 ($4.32/gal) at 60,000 mi")
		var fill schema.Row
		for _, r := range d.rows(user, "fuel_log", schema.Order{Column: "created_at", Desc: true}) {
			fill = r
			break
		}
		if fill["volume"] != 56.781 || fill["total"] != "64.80" || fill["price"] != "1.141" || fill["odometer"] != 96560.6 {
			t.Errorf("%s: stored %v", user, fill)
		}
		if n := len(d.rows(user, "expenses")); n != before+1 {
			t.Errorf("%s: %d expenses after the fill, want %d", user, n, before+1)
		}
	}
}

// TestDemoFillInGallonsNoOdometer: "gas $64.80 15 gal" has no odometer
// reading, which the fuel log needs; the purchase is stored once as a fuel
// expense with its volume in litres (15 gal × 3.785411784 = 56.78 L,
// 64.80 / 15 = $4.32/gal), the answer speaks gallons, and logging the same
// fill later with its odometer adds the fuel log row without a second
// expense.
func TestDemoFillInGallonsNoOdometer(t *testing.T) {
	d := newDemo(t)
	for _, user := range []string{demo.UserA, demo.UserB} {
		expenses, fills := len(d.rows(user, "expenses")), len(d.rows(user, "fuel_log"))
		d.ask(user, "gas $64.80 15 gal", "Logged 15 gal of fuel for $64.80 ($4.32/gal) today as a fuel expense", "odometer")
		if n := len(d.rows(user, "fuel_log")); n != fills {
			t.Errorf("%s: %d fuel log rows, want %d (no odometer)", user, n, fills)
		}
		got := d.rows(user, "expenses", schema.Order{Column: "created_at", Desc: true})
		if len(got) != expenses+1 {
			t.Fatalf("%s: %d expenses, want %d", user, len(got), expenses+1)
		}
		if e := got[0]; e["amount"] != "64.80" || e["category"] != "fuel" || e["date"] != "2026-03-15" ||
			e["description"] != "Fuel fill-up, 56.78 L" {
			t.Errorf("%s: stored %v", user, e)
		}
		d.ask(user, "filled up 15 gallons for $64.80 at 60,000 miles", "Logged 15 gal for $64.80")
		if n := len(d.rows(user, "fuel_log")); n != fills+1 {
			t.Errorf("%s: %d fuel log rows after the odometer, want %d", user, n, fills+1)
		}
		if n := len(d.rows(user, "expenses")); n != expenses+1 {
			t.Errorf("%s: %d expenses after the odometer, want %d: the purchase counted twice", user, n, expenses+1)
		}
	}
}

// fullToFull is the consumption (L/100km) of one vehicle's fills (sorted
// by odometer) dated in [from, to]: the fuel after the first full fill up
// to the last one, over the distance between them.
func fullToFull(t *testing.T, rows []schema.Row, vehicle, from, to string) float64 {
	t.Helper()
	var fills []schema.Row
	for _, r := range rows {
		v, _ := r["vehicle_id"].(string)
		if d := r["date"].(string); d >= from && d <= to && (vehicle == "" || v == vehicle) {
			fills = append(fills, r)
		}
	}
	first, last := -1, -1
	for i, r := range fills {
		if r["filled_to_top"] == true {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	litres := 0.0
	for _, r := range fills[first+1 : last+1] {
		litres += r["volume"].(float64)
	}
	km := fills[last]["odometer"].(float64) - fills[first]["odometer"].(float64)
	return litres / km * 100
}

// oneDecimal writes x as the answers do: one decimal at most, thousands
// grouped ("1,234.5", "980").
func oneDecimal(x float64) string {
	s := strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if frac != "" {
		return whole + "." + frac
	}
	return whole
}

// TestDemoTripFuelCostVehicleNamed: "in the car" costs the trip with the
// tow car's economy: its latest 3 full fills, 8.28, 8.18 and 8.08
// L/100km, mean 8.18 L/100km = 235.215 / 8.18 = 28.8 mpg; and "the car's
// mpg" is the car's own full-to-full figure.
func TestDemoTripFuelCostVehicleNamed(t *testing.T) {
	d := newDemo(t)
	var car []float64
	for _, r := range d.rows(demo.UserA, "fuel_log", schema.Order{Column: "date", Desc: true}) {
		if c, ok := r["consumption"].(float64); ok && r["vehicle_id"] == demo.VehicleAlexCar && len(car) < 3 {
			car = append(car, c)
		}
	}
	if len(car) != 3 || car[0] != 8.28 || car[1] != 8.18 || car[2] != 8.08 {
		t.Fatalf("the car's latest full fills are %v, the comment says 8.28, 8.18, 8.08", car)
	}
	d.ask(demo.UserA, "how much will fuel cost for a 300 mile trip in the car", "28.8 mpg")
	rv := fullToFull(t, d.rows(demo.UserA, "fuel_log", schema.Order{Column: "odometer"}), demo.VehicleAlexCar, "2025-09-15", "2026-03-15")
	d.ask(demo.UserA, "what's the car's mpg", oneDecimal(235.2145833/rv)+" mpg")
}
