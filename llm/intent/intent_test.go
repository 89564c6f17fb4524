package intent

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // America/Denver for the DST tests, on any machine
)

// parserAt returns a metric Parser whose clock is stopped at now, in now's
// location.
func parserAt(now time.Time) *Parser {
	p := NewParser()
	p.Now = func() time.Time { return now }
	p.Location = now.Location()
	return p
}

func mustLocation(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestPeriods(t *testing.T) {
	denver := mustLocation(t, "America/Denver")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, denver) }
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, denver) }
	tests := []struct {
		name     string
		now      time.Time
		msg      string
		label    string
		from, to time.Time
	}{
		{"ThisMonthFirstMinute", at(2026, 3, 1, 0, 0), "how much did I spend this month", "this month", day(2026, 3, 1), day(2026, 4, 1)},
		{"ThisMonthLastMinute", at(2026, 3, 31, 23, 59), "how much did I spend this month", "this month", day(2026, 3, 1), day(2026, 4, 1)},
		{"ThisMonthDecember", at(2025, 12, 31, 23, 59), "spending this month", "this month", day(2025, 12, 1), day(2026, 1, 1)},
		{"DefaultIsThisMonth", at(2026, 2, 28, 12, 0), "how much did I spend", "this month", day(2026, 2, 1), day(2026, 3, 1)},
		{"LastMonthInJanuary", at(2026, 1, 15, 9, 0), "what did I spend last month", "last month", day(2025, 12, 1), day(2026, 1, 1)},
		{"LastMonthOnMarch31", at(2026, 3, 31, 9, 0), "what did I spend last month", "last month", day(2026, 2, 1), day(2026, 3, 1)},
		{"MarchSaidInFebruary", at(2026, 2, 10, 9, 0), "what did I spend in March", "March 2025", day(2025, 3, 1), day(2025, 4, 1)},
		{"MarchSaidInMarch", at(2026, 3, 2, 9, 0), "what did I spend in March", "March 2026", day(2026, 3, 1), day(2026, 4, 1)},
		{"LastMarchSaidInMarch", at(2026, 3, 2, 9, 0), "what did I spend last March", "March 2025", day(2025, 3, 1), day(2025, 4, 1)},
		{"MonthWithYear", at(2026, 3, 2, 9, 0), "spending for march 2024", "March 2024", day(2024, 3, 1), day(2024, 4, 1)},
		{"MayNeedsAPreposition", at(2026, 6, 2, 9, 0), "how much did I spend in may", "May 2026", day(2026, 5, 1), day(2026, 6, 1)},
		{"SinceJanuary", at(2026, 1, 15, 9, 0), "spending since january", "since January 2026", day(2026, 1, 1), day(2026, 1, 16)},
		{"SinceAugust", at(2026, 3, 15, 9, 0), "spending since August", "since August 2025", day(2025, 8, 1), day(2026, 3, 16)},
		{"ThisYearDec31", at(2026, 12, 31, 23, 0), "spending this year", "this year", day(2026, 1, 1), day(2027, 1, 1)},
		{"LastYear", at(2026, 1, 1, 0, 0), "spending last year", "last year", day(2025, 1, 1), day(2026, 1, 1)},
		{"Year", at(2026, 3, 15, 9, 0), "how much did I spend in 2024", "2024", day(2024, 1, 1), day(2025, 1, 1)},
		{"YearToDate", at(2026, 3, 15, 9, 0), "spending year to date", "this year", day(2026, 1, 1), day(2027, 1, 1)},
		{"ThisWeekOnSunday", at(2026, 3, 15, 9, 0), "spending this week", "this week", day(2026, 3, 9), day(2026, 3, 16)},
		{"ThisWeekOnMonday", at(2026, 3, 16, 9, 0), "spending this week", "this week", day(2026, 3, 16), day(2026, 3, 23)},
		{"LastWeekOnMonday", at(2026, 3, 16, 9, 0), "spending last week", "last week", day(2026, 3, 9), day(2026, 3, 16)},
		{"Today", at(2026, 3, 15, 9, 0), "what did I spend today", "today", day(2026, 3, 15), day(2026, 3, 16)},
		{"YesterdayOnNewYear", at(2026, 1, 1, 8, 0), "what did I spend yesterday", "yesterday", day(2025, 12, 31), day(2026, 1, 1)},
		{"Last30Days", at(2026, 3, 15, 9, 0), "spending last 30 days", "last 30 days", day(2026, 2, 14), day(2026, 3, 16)},
		{"PastTwoWeeks", at(2026, 3, 15, 9, 0), "spending over the past two weeks", "last 2 weeks", day(2026, 3, 2), day(2026, 3, 16)},
		{"PastMonth", at(2026, 3, 15, 9, 0), "spending in the past month", "past month", day(2026, 2, 16), day(2026, 3, 16)},
		{"LastThreeMonths", at(2026, 3, 15, 9, 0), "spending the last three months", "last 3 months", day(2025, 12, 16), day(2026, 3, 16)},
		{"Date", at(2026, 3, 15, 9, 0), "what did I spend on March 3rd", "March 3, 2026", day(2026, 3, 3), day(2026, 3, 4)},
		{"DateInTheFuture", at(2026, 3, 15, 9, 0), "what did I spend on March 20", "March 20, 2025", day(2025, 3, 20), day(2025, 3, 21)},
		{"Weekday", at(2026, 3, 15, 9, 0), "what did I spend on Friday", "March 13, 2026", day(2026, 3, 13), day(2026, 3, 14)},
		// 2026-03-08 is the day DST starts in Denver: 23 hours long.
		{"TodayDSTStart", at(2026, 3, 8, 12, 0), "what did I spend today", "today", day(2026, 3, 8), day(2026, 3, 9)},
		{"ThisWeekAcrossDST", at(2026, 3, 8, 12, 0), "spending this week", "this week", day(2026, 3, 2), day(2026, 3, 9)},
		{"NextMonthTrips", at(2026, 12, 5, 12, 0), "trips planned for next month", "next month", day(2027, 1, 1), day(2027, 2, 1)},
		{"AprilTripsSaidInMay", at(2026, 5, 5, 12, 0), "what trips are booked for april", "April 2027", day(2027, 4, 1), day(2027, 5, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := parserAt(tt.now).Parse(tt.msg)
			p := in.Slots.Period
			if p == nil {
				t.Fatalf("%q: no period (%s %.2f)", tt.msg, in.Name, in.Confidence)
			}
			if p.Label != tt.label || !p.From.Equal(tt.from) || !p.To.Equal(tt.to) {
				t.Errorf("%q: %q [%s, %s), want %q [%s, %s)", tt.msg, p.Label, p.From, p.To, tt.label, tt.from, tt.to)
			}
			if p.From.Location() != denver {
				t.Errorf("period in %v, want the user's location", p.From.Location())
			}
		})
	}
	t.Run("DSTDayIs23Hours", func(t *testing.T) {
		p := parserAt(at(2026, 3, 8, 12, 0)).Parse("what did I spend today").Slots.Period
		if got := p.To.Sub(p.From); got != 23*time.Hour {
			t.Errorf("today lasts %v, want 23h", got)
		}
	})
	t.Run("LocationAppliesToNow", func(t *testing.T) {
		// 05:30 UTC on April 1 is still March 31 in Denver.
		p := NewParser()
		p.Now = func() time.Time { return time.Date(2026, 4, 1, 5, 30, 0, 0, time.UTC) }
		p.Location = denver
		got := p.Parse("how much did I spend this month").Slots.Period
		if got == nil || !got.From.Equal(day(2026, 3, 1)) {
			t.Errorf("this month = %+v, want March in Denver", got)
		}
	})
	t.Run("Contains", func(t *testing.T) {
		p := Period{From: day(2026, 3, 1), To: day(2026, 4, 1)}
		if !p.Contains(day(2026, 3, 1)) || p.Contains(day(2026, 4, 1)) || !p.Contains(at(2026, 3, 31, 23, 59)) {
			t.Error("Contains is not half-open [From, To)")
		}
	})
}

func TestMoney(t *testing.T) {
	tests := []struct {
		msg  string
		want int64
	}{
		{"spent $45 on groceries", 4500},
		{"spent $45.5 on groceries", 4550},
		{"spent 45.50 on groceries", 4550},
		{"spent USD 45 on groceries", 4500},
		{"spent 45 USD on groceries", 4500},
		{"spent 45 dollars on groceries", 4500},
		{"spent 45 bucks on groceries", 4500},
		{"spent 45$ on groceries", 4500},
		{"spent $1,234.56 on repairs", 123456},
		{"spent $0.29 on laundry", 29},  // 0.29*100 is 28.999999999999996 in floating point
		{"spent $1.15 on laundry", 115}, // and 1.15*100 is 114.99999999999999
		{"spent $19.99 on groceries", 1999},
		{"spent $3.999 on laundry", 400}, // half up past the cent
		{"spent €12,50 on groceries", 1250},
		{"spent $1.2k on repairs", 120000},
		{"spent 75 cents on laundry", 75},
		{"spent $ 12 on laundry", 1200},
	}
	for _, tt := range tests {
		in := parserAt(time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)).Parse(tt.msg)
		if in.Name != LogExpense || in.Slots.AmountCents != tt.want {
			t.Errorf("%q: %s %d cents, want %s %d", tt.msg, in.Name, in.Slots.AmountCents, LogExpense, tt.want)
		}
	}
	t.Run("Ceiling", func(t *testing.T) {
		for msg, want := range map[string]int64{
			"campgrounds near Moab under $20":          2000,
			"campsites near Moab less than 25 dollars": 2500,
			"campgrounds near Moab $30 or less":        3000,
			"campgrounds near Moab $30 max":            3000,
			"campgrounds near Moab under 20":           2000,
		} {
			in := NewParser().Parse(msg)
			if in.Name != CampsitesNear || in.Slots.MaxPriceCents != want {
				t.Errorf("%q: %s max %d, want %d", msg, in.Name, in.Slots.MaxPriceCents, want)
			}
		}
	})
}

func TestDecimal(t *testing.T) {
	toks := newLexicon(nil).tokenize("48,210 48 210 1,234.56 62,5 .5 48.2k 0.125 1234567890123456")
	var nums []token
	for _, tk := range toks {
		if tk.kind == kNum {
			nums = append(nums, tk)
		}
	}
	want := []decimal{{48210, 0}, {48, 0}, {210, 0}, {123456, 2}, {625, 1}, {5, 1}, {48200, 0}, {125, 3}}
	if len(nums) != len(want) {
		t.Fatalf("%d numbers, want %d: %+v", len(nums), len(want), nums)
	}
	for i, n := range nums {
		if n.num != want[i] {
			t.Errorf("number %d %q = %+v, want %+v", i, n.orig, n.num, want[i])
		}
	}
	if c := (decimal{125, 3}).cents(); c != 13 {
		t.Errorf("0.125 = %d cents, want 13", c)
	}
}

// TestUnits checks that conversions are the exact products: gallons times
// 3.785411784, miles times 1.609344, bare figures in the user's units.
func TestUnits(t *testing.T) {
	tests := []struct {
		units, msg           string
		vol, odo, dist, rad  float64
		price                float64
		name                 Name
		wantVolume, wantDist bool
	}{
		{units: UnitsMetric, msg: "filled up 18.5 gal for $60", vol: 18.5 * 3.785411784, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 18.5 gallons for $60", vol: 18.5 * 3.785411784, name: LogFuel},
		{units: UnitsUS, msg: "filled up 62 litres for $118", vol: 62, name: LogFuel},
		{units: UnitsUS, msg: "filled up 62 liters for $118", vol: 62, name: LogFuel},
		{units: UnitsUS, msg: "filled up 62 L for $118", vol: 62, name: LogFuel},
		{units: UnitsUS, msg: "filled up 62l for $118", vol: 62, name: LogFuel},
		{units: UnitsUS, msg: "filled up 20 for $70", vol: 20 * 3.785411784, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 20 for $70", vol: 20, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 62 L at 48,210 km", vol: 62, odo: 48210, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 62 L at 48 210 km", vol: 62, odo: 48210, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 62 L at 48.2k km", vol: 62, odo: 48200, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 62 L at 30,112 mi", vol: 62, odo: 30112 * 1.609344, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 62 L odometer 30112 miles", vol: 62, odo: 30112 * 1.609344, name: LogFuel},
		{units: UnitsUS, msg: "filled up 20 gal at 48210", vol: 20 * 3.785411784, odo: 48210 * 1.609344, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 40 L at $1.899/L", vol: 40, price: 189.9, name: LogFuel},
		{units: UnitsMetric, msg: "filled up 40 L at 189.9¢/L", vol: 40, price: 189.9, name: LogFuel},
		{units: UnitsUS, msg: "filled up 20 gal at $3.459/gal", vol: 20 * 3.785411784, price: 345.9 / 3.785411784, name: LogFuel},
		{units: UnitsUS, msg: "filled up 20 gal at 3.459", vol: 20 * 3.785411784, price: 345.9 / 3.785411784, name: LogFuel},
		{units: UnitsMetric, msg: "fuel cost for 300 miles", dist: 300 * 1.609344, name: TripFuelCost},
		{units: UnitsMetric, msg: "fuel cost for 300 mi", dist: 300 * 1.609344, name: TripFuelCost},
		{units: UnitsUS, msg: "fuel cost for 300 km", dist: 300, name: TripFuelCost},
		{units: UnitsUS, msg: "fuel cost for 300 kilometres", dist: 300, name: TripFuelCost},
		{units: UnitsUS, msg: "fuel cost for 300", dist: 300 * 1.609344, name: TripFuelCost},
		{units: UnitsMetric, msg: "fuel cost for 300", dist: 300, name: TripFuelCost},
		{units: UnitsUS, msg: "campsites within 10 miles", rad: 10 * 1.609344, name: CampsitesNear},
		{units: UnitsUS, msg: "campsites within 10", rad: 10 * 1.609344, name: CampsitesNear},
		{units: UnitsMetric, msg: "campsites within 10", rad: 10, name: CampsitesNear},
	}
	for _, tt := range tests {
		p := NewParser()
		p.Units = tt.units
		in := p.Parse(tt.msg)
		s := in.Slots
		// Exact equality on purpose: the parser multiplies the same float64s.
		if in.Name != tt.name || s.VolumeL != tt.vol || s.OdometerKM != tt.odo || s.DistanceKM != tt.dist ||
			s.RadiusKM != tt.rad || !approx(s.PricePerLitreCents, tt.price) {
			t.Errorf("%s %q: %s vol %v odo %v dist %v radius %v price %v; want %s vol %v odo %v dist %v radius %v price %v",
				tt.units, tt.msg, in.Name, s.VolumeL, s.OdometerKM, s.DistanceKM, s.RadiusKM, s.PricePerLitreCents,
				tt.name, tt.vol, tt.odo, tt.dist, tt.rad, tt.price)
		}
	}
	t.Run("Economy", func(t *testing.T) {
		for _, msg := range []string{"what's my mpg", "my l/100km", "how many L/100 km am I using",
			"what's my km/l", "how many miles per gallon do I get", "fuel economy in litres per 100 km"} {
			if in := NewParser().Parse(msg); in.Name != FuelEconomy || in.NeedsModel() {
				t.Errorf("%q: %s %.2f, want %s", msg, in.Name, in.Confidence, FuelEconomy)
			}
		}
	})
}

func TestTypos(t *testing.T) {
	tests := map[string]Name{
		"budjet left":                         BudgetLeft,
		"how much budgit is left":             BudgetLeft,
		"maintenence due soon?":               NextMaintenance,
		"when is the oil chnage due":          NextMaintenance,
		"whats my fule economy":               FuelEconomy,
		"fuel econmy this month":              FuelEconomy,
		"campgrond near Moab":                 CampsitesNear,
		"free campsits near Tucson":           CampsitesNear,
		"upcomming trips":                     UpcomingTrips,
		"how much did I spnet on groceires":   SpendingTotal,
		"HOW MUCH DID I SPEND ON RESTURANTS?": SpendingTotal,
		"which side hustel pays best":         BestHustle,
		"incom this year":                     IncomeTotal,
		"fillled up 15 galons for $52":        LogFuel,
		"spent $20 on laundary":               LogExpense,
		"maintanence due soon":                NextMaintenance, // distance 2 from 7 letters
		"fule cost for 220 miles":             TripFuelCost,    // a swap wins over "full"
		"remaning budget for propane":         BudgetLeft,
	}
	for msg, want := range tests {
		if in := NewParser().Parse(msg); in.Name != want || in.NeedsModel() {
			t.Errorf("%q: %s %.2f, want %s with confidence", msg, in.Name, in.Confidence, want)
		}
	}
	t.Run("RealWordsStay", func(t *testing.T) {
		lx := newLexicon(nil)
		for _, w := range []string{"speed", "times", "change", "later", "plane", "sending", "mouth", "weather", "types",
			"past", "home", "calling", "running", "waiting", "full", "help", "send", "case", "care", "received"} {
			if c, ok := lx.correct(w); ok && c != w { // a phrase word is itself
				t.Errorf("%q corrected to %q", w, c)
			}
		}
	})
	t.Run("Contractions", func(t *testing.T) {
		for _, msg := range []string{"what's my mpg", "whats my mpg", "what’s my mpg", "hows my mpg", "how's my mpg"} {
			if in := NewParser().Parse(msg); in.Name != FuelEconomy || in.NeedsModel() {
				t.Errorf("%q: %s %.2f", msg, in.Name, in.Confidence)
			}
		}
	})
}

func TestCategories(t *testing.T) {
	p := NewParser()
	p.Categories = []string{"food", "fuel", "pets", "tolls", "phone_internet"}
	tests := map[string]string{
		"spent $20 on dog food":     "pets",
		"spent $20 on gas":          "fuel",
		"spent $20 on a toll":       "tolls",
		"spent $20 on food":         "food",
		"spent $20 on the phone":    "phone_internet",
		"spent $20 on internet":     "phone_internet",
		"spent $20 on propane":      "", // no propane category: the user must say
		"spent $20 on groceries":    "", // a synonym of groceries, which this user lacks
		"spent $20 on pet supplies": "pets",
	}
	for msg, want := range tests {
		in := p.Parse(msg)
		if in.Name != LogExpense || in.Slots.Category != want {
			t.Errorf("%q: %s category %q, want %q", msg, in.Name, in.Slots.Category, want)
		}
		if want == "" && !in.NeedsModel() {
			t.Errorf("%q: confident (%.2f) without a category", msg, in.Confidence)
		}
	}
}

func TestUnknown(t *testing.T) {
	p := NewParser()
	for _, msg := range []string{"", "   ", "?", "hi", "write me a poem about my budget",
		"what's the weather at the campground", strings.Repeat("how much did I spend ", 30)} {
		if in := p.Parse(msg); !in.NeedsModel() {
			t.Errorf("%q: %s %.2f, want a model", msg, in.Name, in.Confidence)
		}
	}
	if in := p.Parse("tell me a joke"); in != (Intent{}) {
		t.Errorf("tell me a joke: %+v, want the zero Intent", in)
	}
}

// TestZeroParser checks that a Parser built without NewParser works:
// system clock, metric units, default categories.
func TestZeroParser(t *testing.T) {
	var p Parser
	in := p.Parse("spent $45 on groceries this month")
	if in.Name != LogExpense || in.Slots.Category != "groceries" || in.Slots.AmountCents != 4500 {
		t.Errorf("%+v", in)
	}
}

// TestDeterministic parses every phrasing twice with two parsers, and once
// more from many goroutines on one parser (run with -race).
func TestDeterministic(t *testing.T) {
	f := loadPhrasings(t)
	now := "2026-03-15T10:00:00-06:00"
	p1, p2 := mustParser(t, UnitsUS, now), mustParser(t, UnitsUS, now)
	want := make([]Intent, len(f.Cases))
	for i, c := range f.Cases {
		want[i] = p1.Parse(c.Text)
		if got := p2.Parse(c.Text); !sameIntent(got, want[i]) {
			t.Errorf("%q: %+v, then %+v", c.Text, want[i], got)
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i, c := range f.Cases {
				if got := p1.Parse(c.Text); !sameIntent(got, want[i]) {
					t.Errorf("concurrent %q: %+v, want %+v", c.Text, got, want[i])
				}
			}
		})
	}
	wg.Wait()
}

func sameIntent(a, b Intent) bool {
	if (a.Slots.Period == nil) != (b.Slots.Period == nil) {
		return false
	}
	if a.Slots.Period != nil && *a.Slots.Period != *b.Slots.Period {
		return false
	}
	a.Slots.Period, b.Slots.Period = nil, nil
	return reflect.DeepEqual(a, b)
}
