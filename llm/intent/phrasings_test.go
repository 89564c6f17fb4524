package intent

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// phrasingFile is testdata/phrasings.json: varied wordings of every intent,
// with the slots that matter, and negatives that must not be taken with
// confidence.
type phrasingFile struct {
	Now   string     `json:"now"` // the default clock, RFC 3339
	Cases []phrasing `json:"cases"`
}

type phrasing struct {
	Text   string    `json:"text"`
	Units  string    `json:"units"`
	Now    string    `json:"now"` // overrides the file's
	Intent Name      `json:"intent"`
	Slots  wantSlots `json:"slots"`
	// Core cases must all pass.
	Core bool `json:"core"`
	// Confident false expects the intent below Confident (an entry missing
	// a slot). Absent means true. Negatives (intent "") ignore it.
	Confident *bool `json:"confident"`
}

// wantSlots lists the slots to check; an absent key is not checked.
type wantSlots struct {
	Period             json.RawMessage `json:"period"` // {"label", "from", "to"} or null
	Date               *string         `json:"date"`   // 2006-01-02
	Category           *string         `json:"category"`
	Merchant           *string         `json:"merchant"`
	Place              *string         `json:"place"`
	Origin             *string         `json:"origin"`
	Destination        *string         `json:"destination"`
	Service            *string         `json:"service"`
	Source             *string         `json:"source"`
	Vehicle            *string         `json:"vehicle"`
	AmountCents        *int64          `json:"amount_cents"`
	TotalCents         *int64          `json:"total_cents"`
	MaxPriceCents      *int64          `json:"max_price_cents"`
	PricePerLitreCents *float64        `json:"price_per_litre_cents"`
	VolumeL            *float64        `json:"volume_l"`
	DistanceKM         *float64        `json:"distance_km"`
	OdometerKM         *float64        `json:"odometer_km"`
	RadiusKM           *float64        `json:"radius_km"`
	Months             *int            `json:"months"`
	Free               *bool           `json:"free"`
	Partial            *bool           `json:"partial"`
}

type wantPeriod struct {
	Label string `json:"label"`
	From  string `json:"from"`
	To    string `json:"to"`
}

func loadPhrasings(tb testing.TB) phrasingFile {
	tb.Helper()
	b, err := os.ReadFile("testdata/phrasings.json")
	if err != nil {
		tb.Fatal(err)
	}
	var f phrasingFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		tb.Fatalf("testdata/phrasings.json: %v", err)
	}
	return f
}

// mustParser returns a Parser for units with its clock stopped at now
// (RFC 3339), in now's zone.
func mustParser(tb testing.TB, units, now string) *Parser {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, now)
	if err != nil {
		tb.Fatalf("now %q: %v", now, err)
	}
	p := NewParser()
	p.Units = units
	p.Now = func() time.Time { return t }
	p.Location = t.Location()
	return p
}

// check returns what differs between got and the case, "" if nothing.
func (c *phrasing) check(got Intent) string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if c.Intent == Unknown {
		if !got.NeedsModel() {
			add("negative taken as %s with confidence %.2f", got.Name, got.Confidence)
		}
		return strings.Join(diffs, "; ")
	}
	if got.Name != c.Intent {
		add("intent %q (%.2f), want %q", got.Name, got.Confidence, c.Intent)
		return strings.Join(diffs, "; ")
	}
	wantConfident := c.Confident == nil || *c.Confident
	if wantConfident && got.Confidence < Confident {
		add("confidence %.2f < %.2f", got.Confidence, Confident)
	}
	if !wantConfident && got.Confidence >= Confident {
		add("confidence %.2f, want below %.2f", got.Confidence, Confident)
	}
	w, s := &c.Slots, &got.Slots
	if len(w.Period) > 0 {
		switch {
		case string(w.Period) == "null":
			if s.Period != nil {
				add("period %q, want none", s.Period.Label)
			}
		case s.Period == nil:
			add("no period, want %s", w.Period)
		default:
			var wp wantPeriod
			if err := json.Unmarshal(w.Period, &wp); err != nil {
				add("bad period in testdata: %v", err)
				break
			}
			if s.Period.Label != wp.Label {
				add("period %q, want %q", s.Period.Label, wp.Label)
			}
			if wp.From != "" && (s.Period.From.Format(time.DateOnly) != wp.From || s.Period.To.Format(time.DateOnly) != wp.To) {
				add("period [%s, %s), want [%s, %s)", s.Period.From.Format(time.DateOnly),
					s.Period.To.Format(time.DateOnly), wp.From, wp.To)
			}
		}
	}
	if w.Date != nil {
		if got := s.Date.Format(time.DateOnly); s.Date.IsZero() && *w.Date != "" || !s.Date.IsZero() && got != *w.Date {
			add("date %s, want %s", got, *w.Date)
		}
	}
	str := func(name string, want *string, got string) {
		if want != nil && *want != got {
			add("%s %q, want %q", name, got, *want)
		}
	}
	str("category", w.Category, s.Category)
	str("merchant", w.Merchant, s.Merchant)
	str("place", w.Place, s.Place)
	str("origin", w.Origin, s.Origin)
	str("destination", w.Destination, s.Destination)
	str("service", w.Service, s.Service)
	str("source", w.Source, s.Source)
	str("vehicle", w.Vehicle, s.Vehicle)
	i64 := func(name string, want *int64, got int64) {
		if want != nil && *want != got {
			add("%s %d, want %d", name, got, *want)
		}
	}
	i64("amount_cents", w.AmountCents, s.AmountCents)
	i64("total_cents", w.TotalCents, s.TotalCents)
	i64("max_price_cents", w.MaxPriceCents, s.MaxPriceCents)
	f64 := func(name string, want *float64, got float64) {
		if want != nil && !approx(*want, got) {
			add("%s %v, want %v", name, got, *want)
		}
	}
	f64("price_per_litre_cents", w.PricePerLitreCents, s.PricePerLitreCents)
	f64("volume_l", w.VolumeL, s.VolumeL)
	f64("distance_km", w.DistanceKM, s.DistanceKM)
	f64("odometer_km", w.OdometerKM, s.OdometerKM)
	f64("radius_km", w.RadiusKM, s.RadiusKM)
	if w.Months != nil && *w.Months != s.Months {
		add("months %d, want %d", s.Months, *w.Months)
	}
	if w.Free != nil && *w.Free != s.Free {
		add("free %v, want %v", s.Free, *w.Free)
	}
	if w.Partial != nil && *w.Partial != s.Partial {
		add("partial %v, want %v", s.Partial, *w.Partial)
	}
	return strings.Join(diffs, "; ")
}

// approx compares floats to 1e-9 relative: the conversions are exact
// products, so only the last bit may differ.
func approx(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestPhrasings is the acceptance test: at least 97 % of the phrasings map
// to the right intent and slots, every core phrasing does, and no negative
// is taken with confidence.
func TestPhrasings(t *testing.T) {
	f := loadPhrasings(t)
	if len(f.Cases) < 70 {
		t.Fatalf("%d phrasings, want at least 70", len(f.Cases))
	}
	counts := map[Name]int{}
	pass, negatives := 0, 0
	for _, c := range f.Cases {
		counts[c.Intent]++
		now := f.Now
		if c.Now != "" {
			now = c.Now
		}
		p := mustParser(t, c.Units, now)
		got := p.Parse(c.Text)
		diff := c.check(got)
		switch {
		case diff == "":
			pass++
		case c.Intent == Unknown:
			t.Errorf("negative %q: %s", c.Text, diff)
		case c.Core:
			t.Errorf("core %q (%s): %s", c.Text, c.Units, diff)
		default:
			t.Logf("miss %q (%s): %s", c.Text, c.Units, diff)
		}
		if c.Intent == Unknown {
			negatives++
		}
	}
	if negatives < 10 {
		t.Errorf("%d negatives, want at least 10", negatives)
	}
	for _, n := range []Name{SpendingTotal, BudgetLeft, FuelEconomy, TripFuelCost, NextMaintenance,
		MaintenanceForecast, UpcomingTrips, CampsitesNear, IncomeTotal, BestHustle, LogExpense, LogFuel} {
		if counts[n] < 3 {
			t.Errorf("%d phrasings of %s, want at least 3", counts[n], n)
		}
	}
	acc := float64(pass) / float64(len(f.Cases))
	t.Logf("accuracy %d/%d = %.1f %%", pass, len(f.Cases), 100*acc)
	if acc < 0.97 {
		t.Errorf("accuracy %.1f %% < 97 %%", 100*acc)
	}
}
