package tools_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"
)

// The fixture's users: Alex counts in US units, Sam in metric.
const (
	alex = "0190b000-0000-7000-8000-0000000000a1"
	sam  = "0190b000-0000-7000-8000-0000000000b2"

	rv1 = "0190b000-0000-7000-8000-00000000e001" // Sam's motorhome
	rv2 = "0190b000-0000-7000-8000-00000000e002" // Sam's tow car
)

// today is the fixture's "now": 2026-03-15 12:00 UTC.
var today = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t     testing.TB
	ctx   context.Context
	store *localstore.Store
	reg   *tools.Registry
}

// newFixture opens a fresh store on a fixed clock, with a profile for each
// user (Alex: us/USD; Sam: metric/AUD), and a registry over it.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	s := storetest.Open(tb, storetest.Options{Start: today, OneReader: true})
	f := &fixture{t: tb, ctx: context.Background(), store: s, reg: tools.NewRegistry(s)}
	f.create(alex, "profiles", schema.Row{"full_name": "Alex Morgan", "units": "us", "currency": "USD"})
	f.create(sam, "profiles", schema.Row{"full_name": "Sam Rivera", "units": "metric", "currency": "AUD",
		"current_latitude": 33.0, "current_longitude": -112.0})
	return f
}

func (f *fixture) call(user string) tools.Call { return tools.Call{User: user, Now: today} }

// create writes a row as user through the store (not through a tool).
func (f *fixture) create(user, table string, row schema.Row) schema.Row {
	f.t.Helper()
	out, err := f.store.Create(f.ctx, user, table, row)
	if err != nil {
		f.t.Fatalf("create %s: %v", table, err)
	}
	return out
}

// run executes a tool that must succeed and returns its answer as JSON
// decodes it (what the API and the model see).
func (f *fixture) run(user, tool, args string) map[string]any {
	f.t.Helper()
	res, err := f.reg.Execute(f.ctx, f.call(user), tool, json.RawMessage(args))
	if err != nil {
		f.t.Fatalf("%s(%s): %v (fields %v)", tool, args, err, schema.ErrorFields(err))
	}
	return decode(f.t, res.Output)
}

// fail executes a tool that must fail with code and returns the error.
func (f *fixture) fail(user, tool, args, code string) error {
	f.t.Helper()
	_, err := f.reg.Execute(f.ctx, f.call(user), tool, json.RawMessage(args))
	if err == nil {
		f.t.Fatalf("%s(%s) succeeded, want %s", tool, args, code)
	}
	if got := schema.ErrorCode(err); got != code {
		f.t.Fatalf("%s(%s): code %s (%v), want %s", tool, args, got, err, code)
	}
	return err
}

// rows reads every row of table that user sees.
func (f *fixture) rows(user, table string, conds ...schema.Condition) []schema.Row {
	f.t.Helper()
	var out []schema.Row
	err := f.store.Each(f.ctx, user, table, schema.Query{Conditions: conds}, func(r schema.Row) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		f.t.Fatalf("read %s: %v", table, err)
	}
	return out
}

func decode(tb testing.TB, v any) map[string]any {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal answer: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("answer is not an object: %s", b)
	}
	return m
}

// get walks a decoded answer by keys and indexes: get(m, "budget", "spent").
func get(tb testing.TB, v any, path ...any) any {
	tb.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				tb.Fatalf("at %q: not an object: %v", k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				tb.Fatalf("at [%d]: not a list that long: %v", k, v)
			}
			v = l[k]
		}
	}
	return v
}

// want asserts that the answer holds want at path.
func want(tb testing.TB, m map[string]any, want any, path ...any) {
	tb.Helper()
	got := get(tb, m, path...)
	if n, ok := want.(int); ok {
		want = float64(n)
	}
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("%v = %#v, want %#v", path, got, want)
	}
}

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	for _, fe := range schema.ErrorFields(err) {
		out[fe.Field] = fe.Reason
	}
	return out
}
