package offline_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"
)

const (
	alex = "0190b000-0000-7000-8000-0000000000a1" // us, USD
	sam  = "0190b000-0000-7000-8000-0000000000b2" // metric, AUD
)

// today is the fixture's "now": 2026-03-15 12:00 UTC.
var today = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	store *localstore.Store
	p     *offline.Provider
}

func newFixture(t *testing.T) *fixture {
	s := storetest.Open(t, storetest.Options{Start: today, OneReader: true})
	f := &fixture{t: t, store: s, p: offline.New(tools.NewRegistry(s))}
	f.create(alex, "profiles", schema.Row{"full_name": "Alex Morgan", "units": "us", "currency": "USD"})
	f.create(sam, "profiles", schema.Row{"full_name": "Sam Rivera", "units": "metric", "currency": "AUD",
		"current_latitude": 33.0, "current_longitude": -112.0})

	// Sam's March: groceries 412.10 + 87.90 = 500.00, fuel 380.00, total 880.00.
	f.create(sam, "expenses", schema.Row{"amount": "412.10", "category": "groceries", "date": "2026-03-02"})
	f.create(sam, "expenses", schema.Row{"amount": "87.90", "category": "groceries", "date": "2026-03-10"})
	f.create(sam, "expenses", schema.Row{"amount": "380.00", "category": "fuel", "date": "2026-03-05"})
	f.create(sam, "expenses", schema.Row{"amount": "50.00", "category": "groceries", "date": "2026-02-20"}) // last month
	f.create(alex, "expenses", schema.Row{"amount": "999.99", "category": "groceries", "date": "2026-03-03"})
	f.create(sam, "budgets", schema.Row{"name": "Groceries", "category": "groceries", "budgeted_amount": "600.00",
		"start_date": "2026-03-01", "end_date": "2026-03-31"})
	// Income: 250.50 + 1,000.00 = 1,250.50 in March.
	f.create(sam, "income_entries", schema.Row{"source": "youtube", "amount": "250.50", "date": "2026-03-08"})
	f.create(sam, "income_entries", schema.Row{"source": "workamping", "amount": "1000.00", "date": "2026-03-12"})
	f.create(sam, "income_entries", schema.Row{"source": "youtube", "amount": "75.00", "date": "2026-02-12"})
	f.create(alex, "income_entries", schema.Row{"source": "youtube", "amount": "5000.00", "date": "2026-03-12"})
	f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2026-01-10", "mileage": 47000,
		"status": "completed", "next_due_date": "2026-03-23", "next_due_mileage": 52000})
	f.create(sam, "calendar_events", schema.Row{"title": "Moab", "start_date": "2026-03-20T00:00:00.000000Z",
		"end_date": "2026-03-25T00:00:00.000000Z", "event_type": "trip"})
	f.create(sam, "calendar_events", schema.Row{"title": "Sedona", "start_date": "2026-04-02T00:00:00.000000Z",
		"end_date": "2026-04-04T00:00:00.000000Z", "event_type": "trip"})
	f.create(sam, "calendar_events", schema.Row{"title": "Tucson", "start_date": "2026-03-01T00:00:00.000000Z",
		"end_date": "2026-03-03T00:00:00.000000Z", "event_type": "trip"})
	f.create(sam, "calendar_events", schema.Row{"title": "Dentist", "start_date": "2026-03-18T00:00:00.000000Z",
		"end_date": "2026-03-18T00:00:00.000000Z", "event_type": "personal"})
	f.create(alex, "calendar_events", schema.Row{"title": "Yuma", "start_date": "2026-03-18T00:00:00.000000Z",
		"end_date": "2026-03-19T00:00:00.000000Z", "event_type": "trip"})
	return f
}

func (f *fixture) create(user, table string, row schema.Row) schema.Row {
	f.t.Helper()
	out, err := f.store.Create(context.Background(), user, table, row)
	if err != nil {
		f.t.Fatalf("create %s: %v", table, err)
	}
	return out
}

func (f *fixture) rows(user, table string) []schema.Row {
	f.t.Helper()
	var out []schema.Row
	err := f.store.Each(context.Background(), user, table, schema.Query{}, func(r schema.Row) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func ask(tb testing.TB, p *offline.Provider, user string, now time.Time, msg string) string {
	tb.Helper()
	ctx := tools.WithCall(context.Background(), tools.Call{User: user, Now: now})
	res, err := p.Chat(ctx, llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: msg}}}, nil)
	if err != nil {
		tb.Fatalf("%q: %v", msg, err)
	}
	return res.Message.Content
}

func (f *fixture) ask(user, msg string, want ...string) string {
	f.t.Helper()
	got := ask(f.t, f.p, user, today, msg)
	for _, w := range want {
		if !strings.Contains(got, w) {
			f.t.Errorf("%q:\n got %q\nwant it to contain %q", msg, got, w)
		}
	}
	return got
}

func TestSpendingThisMonth(t *testing.T) {
	f := newFixture(t)
	f.ask(sam, "how much did I spend this month", "$880.00", "this month (1–15 Mar 2026)", "groceries $500.00", "fuel $380.00")
	f.ask(alex, "how much did I spend this month", "$999.99")
}

func TestSpendingInCategory(t *testing.T) {
	f := newFixture(t)
	got := f.ask(sam, "how much did I spend on groceries this month", "$500.00 on groceries", "2 expenses")
	if strings.Contains(got, "380") {
		t.Errorf("category answer mentions fuel: %q", got)
	}
}

func TestBudgetLeft(t *testing.T) {
	f := newFixture(t)
	f.ask(sam, "how much is left in my groceries budget", "$100.00 left of $600.00", "spent $500.00")
}

func TestNextMaintenance(t *testing.T) {
	f := newFixture(t)
	f.ask(sam, "when is my next oil change due", "oil change on 2026-03-23 (in 8 days)", "52,000 km")
}

func TestUpcomingTrips(t *testing.T) {
	f := newFixture(t)
	got := f.ask(sam, "what trips do I have coming up", "2 upcoming trips", "Moab 2026-03-20 to 2026-03-25, in 5 days", "Sedona 2026-04-02")
	for _, no := range []string{"Tucson", "Dentist", "Yuma"} {
		if strings.Contains(got, no) {
			t.Errorf("trips answer mentions %s: %q", no, got)
		}
	}
}

func TestIncomeThisMonth(t *testing.T) {
	f := newFixture(t)
	f.ask(sam, "how much did I earn this month", "$1,250.50", "workamping $1,000.00", "youtube $250.50")
}

func TestLogExpense(t *testing.T) {
	f := newFixture(t)
	f.ask(sam, "spent $45 on groceries at Walmart", "Logged $45.00 for groceries at Walmart today.", "$55.00 left of $600.00")
	var found int
	for _, r := range f.rows(sam, "expenses") {
		if r["amount"] == "45.00" && r["category"] == "groceries" && r["description"] == "Walmart" && r["date"] == "2026-03-15" {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("Sam's expense rows written: %d, want 1", found)
	}
	if slices.ContainsFunc(f.rows(alex, "expenses"), func(r schema.Row) bool { return r["amount"] == "45.00" }) {
		t.Fatal("the expense was written for Alex too")
	}
}

func TestLogFuel(t *testing.T) {
	f := newFixture(t)
	f.ask(sam, "filled up 62 litres for $118 at 48,210 km", "Logged 62 L for $118.00", "48,210 km")
	rows := f.rows(sam, "fuel_log")
	if len(rows) != 1 || rows[0]["total"] != "118.00" || rows[0]["odometer"] != 48210.0 || rows[0]["volume"] != 62.0 {
		t.Fatalf("fuel rows: %v", rows)
	}
	if len(f.rows(alex, "fuel_log")) != 0 {
		t.Fatal("fuel row written for Alex")
	}
}

func TestUnknownMessage(t *testing.T) {
	f := newFixture(t)
	before := len(f.rows(sam, "expenses"))
	got := f.ask(sam, "write me a poem about the sea")
	if got != offline.Fallback {
		t.Fatalf("got %q, want the fallback", got)
	}
	if len(f.rows(sam, "expenses")) != before {
		t.Fatal("a tool wrote on an unknown message")
	}
}

// BenchmarkOfflineAnswer answers the common questions on the scale 1 demo
// data set and reports the median and 95th percentile latency.
func BenchmarkOfflineAnswer(b *testing.B) {
	ctx := context.Background()
	s := localstore.New(filepath.Join(b.TempDir(), localstore.FileName), schema.Default())
	if err := s.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	if _, err := demo.Fill(ctx, s, demo.Options{Scale: 1, Now: now}); err != nil {
		b.Fatal(err)
	}
	p := offline.New(tools.NewRegistry(s))
	msgs := []string{
		"how much did I spend this month",
		"how much did I spend on groceries this month",
		"how much is left in my groceries budget",
		"what's my fuel economy",
		"when is my next oil change due",
		"what trips do I have coming up",
		"campsites near me",
		"how much did I earn this month",
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		ask(b, p, demo.UserB, now, msgs[i%len(msgs)])
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "p95-µs")
}
