package tools_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
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
	s := storetest.Open(tb, storetest.Options{Start: demoNow, OneReader: true, Demo: true})
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
