package contextengine_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/contextengine"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"
)

const (
	alice = "0190a000-0000-7000-8000-000000000001"
	bob   = "0190a000-0000-7000-8000-000000000002"
)

var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// fixture is a real store plus every string value written to it, per user,
// so tests can check that snippets come from rows.
type fixture struct {
	t      *testing.T
	s      *localstore.Store
	e      *contextengine.Engine
	values map[string][]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := storetest.Open(t, storetest.Options{Start: now.Add(-time.Hour), OneReader: true})
	return &fixture{t: t, s: s, e: &contextengine.Engine{Store: s, Now: func() time.Time { return now }}, values: map[string][]string{}}
}

func (f *fixture) create(user, table string, row schema.Row) schema.Row {
	f.t.Helper()
	out, err := f.s.Create(context.Background(), user, table, row)
	if err != nil {
		f.t.Fatalf("create %s: %v", table, err)
	}
	for _, v := range row {
		collect(v, func(s string) { f.values[user] = append(f.values[user], s) })
	}
	return out
}

func collect(v any, add func(string)) {
	switch x := v.(type) {
	case string:
		add(x)
	case []any:
		for _, e := range x {
			collect(e, add)
		}
	case map[string]any:
		for _, e := range x {
			collect(e, add)
		}
	}
}

func (f *fixture) build(user, msg string, budget int) contextengine.Context {
	f.t.Helper()
	c, err := f.e.Build(context.Background(), user, msg, budget)
	if err != nil {
		f.t.Fatalf("build: %v", err)
	}
	return c
}

func ts(d time.Duration) string { return schema.FormatTimestamp(now.Add(d)) }
func day(d int) string          { return schema.FormatDate(now.AddDate(0, 0, d)) }

func (f *fixture) exchange(user, msg, resp string, at time.Duration) {
	f.create(user, "pam_memory", schema.Row{"session_id": "s1", "content": "User: " + msg + "\nPAM: " + resp,
		"message": msg, "response": resp, "timestamp": ts(at)})
}

// seed writes a full set of alice's data, including rows that must not
// appear (dismissed, expired, past, far ahead).
func (f *fixture) seed(user string) {
	f.create(user, "profiles", schema.Row{"units": "us", "currency": "CAD", "vehicle_type": "Class A",
		"vehicle_make_model": "Winnebago Adventurer", "fuel_type": "diesel", "region": "Alberta",
		"travel_style": []any{"boondocking", "slow travel"}})
	f.create(user, "pam_user_context", schema.Row{"context_type": "general",
		"learned_preferences": map[string]any{"campsite": "free dispersed sites", "fuel_brand": "Shell"}})
	f.exchange(user, "Where can we dump tanks near Banff?", "The Lake Louise sani-dump is open year round.", -2*time.Hour)
	f.create(user, "calendar_events", schema.Row{"title": "Jasper loop", "location_name": "Jasper National Park",
		"start_date": ts(5 * 24 * time.Hour), "end_date": ts(9 * 24 * time.Hour), "event_type": "trip"})
	f.create(user, "calendar_events", schema.Row{"title": "Old Okanagan trip", "start_date": ts(-20 * 24 * time.Hour),
		"end_date": ts(-15 * 24 * time.Hour), "event_type": "trip"})
	f.create(user, "calendar_events", schema.Row{"title": "Far away Yukon trip", "start_date": ts(60 * 24 * time.Hour),
		"end_date": ts(70 * 24 * time.Hour), "event_type": "trip"})
	f.create(user, "calendar_events", schema.Row{"title": "Dentist appointment", "start_date": ts(24 * time.Hour),
		"end_date": ts(25 * time.Hour), "event_type": "personal"})
	f.create(user, "active_recommendations", schema.Row{"title": "Fill propane in Canmore", "description": "Cheapest propane on your route."})
	f.create(user, "active_recommendations", schema.Row{"title": "Dismissed tire sale", "dismissed": true})
	f.create(user, "active_recommendations", schema.Row{"title": "Expired campground deal", "expires_at": ts(-time.Hour)})
	f.create(user, "maintenance_records", schema.Row{"task": "Generator oil change", "date": day(-80),
		"mileage": json.Number("52000"), "next_due_date": day(5)})
	f.create(user, "maintenance_records", schema.Row{"task": "Roof reseal", "date": day(-300),
		"mileage": json.Number("40000"), "next_due_date": day(-3)})
	f.create(user, "maintenance_records", schema.Row{"task": "Transmission service", "date": day(-10),
		"mileage": json.Number("51000"), "next_due_date": day(200)})
}

func contents(c contextengine.Context) []string {
	var out []string
	for _, s := range c.Snippets {
		out = append(out, s.Content)
	}
	return out
}

func find(c contextengine.Context, substr string) (int, contextengine.Snippet, bool) {
	for i, s := range c.Snippets {
		if strings.Contains(s.Content, substr) {
			return i, s, true
		}
	}
	return -1, contextengine.Snippet{}, false
}

func TestRealSnippetsOnly(t *testing.T) {
	f := newFixture(t)
	f.seed(alice)
	c := f.build(alice, "Plan a camping trip for next week on a budget", 100000)
	if len(c.Snippets) == 0 {
		t.Fatal("no snippets")
	}
	for _, s := range c.Snippets {
		fromRow := false
		for _, v := range f.values[alice] {
			if len(v) >= 2 && strings.Contains(s.Content, v) {
				fromRow = true
				break
			}
		}
		if !fromRow {
			t.Errorf("snippet %q contains no value of alice's rows", s.Content)
		}
		if !strings.Contains(c.Text, "- "+s.Content+"\n") {
			t.Errorf("snippet %q not in text", s.Content)
		}
	}
	for _, want := range []string{"Units: us", "Currency: CAD", "Winnebago Adventurer", "Alberta", "boondocking, slow travel",
		"free dispersed sites", "Shell", "Lake Louise", "Jasper loop", "Fill propane", "Generator oil change", "Roof reseal"} {
		if _, _, ok := find(c, want); !ok {
			t.Errorf("missing %q in %q", want, contents(c))
		}
	}
	for _, banned := range []string{"Old Okanagan", "Yukon", "Dentist", "Dismissed tire", "Expired campground",
		"Transmission", "cell coverage", "ferry", "budget camping"} {
		if strings.Contains(strings.ToLower(c.Text), strings.ToLower(banned)) {
			t.Errorf("text has %q:\n%s", banned, c.Text)
		}
	}
	if _, s, _ := find(c, "Roof reseal"); !strings.Contains(s.Content, "overdue by 3 days") {
		t.Errorf("overdue maintenance = %q", s.Content)
	}
	for i := 1; i < len(c.Snippets); i++ {
		if c.Snippets[i].Score > c.Snippets[i-1].Score {
			t.Fatalf("snippets not best first: %v", c.Snippets)
		}
	}
	if !strings.Contains(c.Text, "Profile:\n") || !strings.Contains(c.Text, "Upcoming:\n") {
		t.Errorf("sections missing:\n%s", c.Text)
	}
	// Deterministic.
	if again := f.build(alice, "Plan a camping trip for next week on a budget", 100000); !reflect.DeepEqual(c, again) {
		t.Errorf("two builds differ")
	}
}

func TestNewestExchangeOutranksOlder(t *testing.T) {
	f := newFixture(t)
	// The newer one is written first so row order cannot explain the result.
	f.exchange(alice, "Where should we stop tonight?", "Try the Elk Lake campground.", -2*time.Hour)
	f.exchange(alice, "Where should we stop tonight?", "Try the Pine Ridge campground.", -5*time.Hour)
	f.exchange(alice, "Where should we stop tonight?", "Try the Cedar Flats campground.", -72*time.Hour)
	c := f.build(alice, "any plans tonight", 10000) // one shared word: equal relevance, not highlighted
	iNew, newer, ok1 := find(c, "Elk Lake")
	iMid, mid, ok2 := find(c, "Pine Ridge")
	iOld, old, ok3 := find(c, "Cedar Flats")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("the three different exchanges must all survive: %q", contents(c))
	}
	if !(newer.Score > mid.Score && mid.Score > old.Score && iNew < iMid && iMid < iOld) {
		t.Fatalf("recency inverted: newest %.3f@%d, middle %.3f@%d, oldest %.3f@%d", newer.Score, iNew, mid.Score, iMid, old.Score, iOld)
	}
	if !strings.Contains(c.Text, "Recent conversation:\n") {
		t.Errorf("no conversation section:\n%s", c.Text)
	}
}

func TestDifferentPreferencesSurviveSameOneResolved(t *testing.T) {
	f := newFixture(t)
	f.create(alice, "pam_user_context", schema.Row{"context_type": "general", "last_updated": ts(-48 * time.Hour),
		"learned_preferences": map[string]any{"campsite": "free dispersed sites", "fuel_brand": "Shell"}})
	f.create(alice, "pam_user_context", schema.Row{"context_type": "travel", "last_updated": ts(-time.Hour),
		"learned_preferences": map[string]any{"campsite": "paid RV parks with hookups"},
		"travel_preferences":  map[string]any{"pace": "slow", "max_drive_hours": json.Number("4")}})
	c := f.build(alice, "hello", 10000)
	for _, want := range []string{"Shell", "paid RV parks with hookups", "pace: slow", "max drive hours: 4"} {
		if _, _, ok := find(c, want); !ok {
			t.Errorf("preference %q lost: %q", want, contents(c))
		}
	}
	if _, _, ok := find(c, "free dispersed sites"); ok {
		t.Errorf("the older value of campsite should yield to the newer one: %q", contents(c))
	}
}

func TestRelevantMessageHighlightsMatch(t *testing.T) {
	f := newFixture(t)
	f.seed(alice)
	c := f.build(alice, "When is the generator oil change due?", 10000)
	_, s, ok := find(c, "Generator oil change")
	if !ok || !s.Relevant {
		t.Fatalf("generator snippet not highlighted: %+v", c.Snippets)
	}
	if !strings.Contains(c.Text, "Relevant now:\n- "+s.Content+"\n") {
		t.Errorf("not under Relevant now:\n%s", c.Text)
	}
	if c.Snippets[0].Content != s.Content {
		t.Errorf("the matching snippet should rank first, got %q", c.Snippets[0].Content)
	}
	if _, u, _ := find(c, "Units: us"); u.Relevant {
		t.Errorf("units marked relevant to a generator question")
	}
}

func TestBudgetRespected(t *testing.T) {
	f := newFixture(t)
	f.seed(alice)
	for i := range 12 {
		f.exchange(alice, "Question number "+string(rune('A'+i))+" about the route to Jasper?",
			"A long answer about roads, fuel stops and campgrounds along the Icefields Parkway, variant "+string(rune('A'+i))+".",
			-time.Duration(i+1)*time.Hour)
	}
	full := f.build(alice, "route to Jasper", 1_000_000)
	total := len(full.Snippets) + full.Dropped
	if total < 20 {
		t.Fatalf("seeded too little: %d", total)
	}
	for _, budget := range []int{-5, 0, 10, 25, 60, 120, 250, 500, 1000, 1_000_000} {
		c := f.build(alice, "route to Jasper", budget)
		if c.Tokens > budget && c.Tokens > 0 {
			t.Errorf("budget %d: %d tokens", budget, c.Tokens)
		}
		want := 0
		if c.Text != "" {
			want = (len(c.Text) + 2) / 3
		}
		if c.Tokens != want {
			t.Errorf("budget %d: Tokens %d, measured %d", budget, c.Tokens, want)
		}
		if len(c.Snippets)+c.Dropped != total {
			t.Errorf("budget %d: kept %d + dropped %d != %d", budget, len(c.Snippets), c.Dropped, total)
		}
		if budget < 500 && c.Dropped == 0 {
			t.Errorf("budget %d: nothing dropped", budget)
		}
		for _, s := range c.Snippets {
			if !strings.Contains(c.Text, "- "+s.Content+"\n") {
				t.Errorf("budget %d: snippet %q cut or missing", budget, s.Content)
			}
		}
		if (len(c.Snippets) == 0) != (c.Text == "") {
			t.Errorf("budget %d: %d snippets, text %q", budget, len(c.Snippets), c.Text)
		}
	}
	if c := f.build(alice, "route to Jasper", 60); len(c.Snippets) == 0 {
		t.Errorf("a 60-token budget should fit something")
	}
}

func TestEmptyUser(t *testing.T) {
	f := newFixture(t)
	f.seed(bob)
	for _, user := range []string{alice, ""} {
		c, err := f.e.Build(context.Background(), user, "plan a trip", 1000)
		if err != nil {
			t.Fatalf("user %q: %v", user, err)
		}
		if !reflect.DeepEqual(c, contextengine.Context{}) {
			t.Errorf("user %q: %+v, want empty", user, c)
		}
	}
}

func TestOtherUsersRowsNeverAppear(t *testing.T) {
	f := newFixture(t)
	f.seed(alice)
	f.create(bob, "profiles", schema.Row{"region": "Patagonia", "vehicle_make_model": "Zebra Cruiser"})
	f.create(bob, "pam_user_context", schema.Row{"context_type": "general", "learned_preferences": map[string]any{"campsite": "Bob's secret spot"}})
	f.exchange(bob, "Bob private question about Jasper route", "Bob private answer", -time.Minute)
	f.create(bob, "calendar_events", schema.Row{"title": "Bob Jasper trip", "start_date": ts(24 * time.Hour),
		"end_date": ts(48 * time.Hour), "event_type": "trip"})
	f.create(bob, "maintenance_records", schema.Row{"task": "Bob brake job", "date": day(-5),
		"mileage": json.Number("1"), "next_due_date": day(1)})
	c := f.build(alice, "Jasper route campsite", 100000)
	for _, s := range []string{"Patagonia", "Zebra", "Bob"} {
		if strings.Contains(c.Text, s) {
			t.Errorf("bob's %q in alice's context:\n%s", s, c.Text)
		}
	}
	b := f.build(bob, "Jasper route campsite", 100000)
	for _, s := range []string{"Patagonia", "Bob's secret spot", "Bob Jasper trip", "Bob brake job"} {
		if !strings.Contains(b.Text, s) {
			t.Errorf("bob's own %q missing:\n%s", s, b.Text)
		}
	}
	if strings.Contains(b.Text, "Winnebago") || strings.Contains(b.Text, "Lake Louise") {
		t.Errorf("alice's data in bob's context:\n%s", b.Text)
	}
}
