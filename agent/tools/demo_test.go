package tools_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// demoNow pins the demo data set's clock: the data set ends here and every
// call is made at this instant, so the figures never drift.
var demoNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// demoFixture is a store filled with the scale 1 demo data set (seed 1)
// ending at demoNow, and a registry over it.
type demoFixture struct {
	t     testing.TB
	ctx   context.Context
	store *localstore.Store
	reg   *tools.Registry
}

func newDemo(tb testing.TB) *demoFixture {
	tb.Helper()
	ctx := context.Background()
	s := localstore.New(filepath.Join(tb.TempDir(), localstore.FileName), schema.Default())
	// One reader: a tool that reads the store again inside an Each
	// callback (which holds its reader) blocks here at once, instead of
	// deadlocking in the field only when requests pile up.
	s.ReadConns = 1
	now := demoNow
	s.Now = func() time.Time { now = now.Add(time.Millisecond); return now }
	if err := s.Open(ctx); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	if _, err := demo.Fill(ctx, s, demo.Options{Scale: 1, Now: demoNow}); err != nil {
		tb.Fatalf("demo fill: %v", err)
	}
	return &demoFixture{t: tb, ctx: ctx, store: s, reg: tools.NewRegistry(s)}
}

// run executes a tool as user at demoNow and decodes its answer.
func (d *demoFixture) run(user, tool, args string) map[string]any {
	d.t.Helper()
	res, err := d.reg.Execute(d.ctx, tools.Call{User: user, Now: demoNow}, tool, json.RawMessage(args))
	if err != nil {
		d.t.Fatalf("%s(%s): %v (fields %v)", tool, args, err, schema.ErrorFields(err))
	}
	return decode(d.t, res.Output)
}

// rows reads every row of table that user sees, in the order asked.
func (d *demoFixture) rows(user, table string, order []schema.Order, conds ...schema.Condition) []schema.Row {
	d.t.Helper()
	var out []schema.Row
	err := d.store.Each(d.ctx, user, table, schema.Query{Conditions: conds, Order: order}, func(r schema.Row) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		d.t.Fatalf("read %s: %v", table, err)
	}
	return out
}

// get reads one row by id.
func (d *demoFixture) get(user, table, id string) schema.Row {
	d.t.Helper()
	r, err := d.store.Get(d.ctx, user, table, id)
	if err != nil {
		d.t.Fatalf("get %s %s: %v", table, id, err)
	}
	return r
}
