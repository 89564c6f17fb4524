package localstore_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

const (
	alice = "0190a000-0000-7000-8000-000000000001"
	bob   = "0190a000-0000-7000-8000-000000000002"
)

func TestCRUDRecordsChanges(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	row, err := s.Create(ctx, alice, "expenses", schema.Row{"amount": "45.10", "category": "groceries", "date": "2026-03-14", "description": "Walmart"})
	if err != nil {
		t.Fatal(err)
	}
	if row["amount"] != "45.10" || row["user_id"] != alice {
		t.Fatalf("created row = %v", row)
	}
	id := row["id"].(string)
	if _, err := s.Update(ctx, alice, "expenses", id, schema.Row{"amount": 50}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, alice, "expenses", id)
	if err != nil || got["amount"] != "50.00" {
		t.Fatalf("get = %v, %v", got, err)
	}
	if _, err := s.Get(ctx, bob, "expenses", id); schema.ErrorCode(err) != schema.EFORBIDDEN {
		t.Fatalf("bob get: %v, want forbidden", err)
	}
	if err := s.Delete(ctx, bob, "expenses", id); schema.ErrorCode(err) != schema.EFORBIDDEN {
		t.Fatalf("bob delete: %v, want forbidden", err)
	}
	if err := s.Delete(ctx, alice, "expenses", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, alice, "expenses", id); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Fatalf("get after delete: %v", err)
	}
	n, err := s.PendingChanges(ctx)
	if err != nil || n != 3 {
		t.Fatalf("pending = %d, %v; want 3", n, err)
	}
}

func TestFindScopedAndCached(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	for _, u := range []string{alice, bob} {
		for _, d := range []string{"2026-01-05", "2026-02-10", "2026-02-20"} {
			if _, err := s.Create(ctx, u, "expenses", schema.Row{"amount": "10", "category": "fuel", "date": d}); err != nil {
				t.Fatal(err)
			}
		}
	}
	tbl, _ := s.Catalog.Table("expenses")
	conds, err := tbl.ParseFilters([]byte(`{"date": [{"op": "gte", "value": "2026-02-01"}, {"op": "lt", "value": "2026-03-01"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	q := schema.Query{Conditions: conds, Order: []schema.Order{{Column: "date", Desc: true}}}
	for i := 0; i < 3; i++ {
		res, err := s.Find(ctx, alice, "expenses", q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Count != 2 || len(res.Rows) != 2 || res.Rows[0]["date"] != "2026-02-20" {
			t.Fatalf("find = %+v", res)
		}
		for _, r := range res.Rows {
			if r["user_id"] != alice {
				t.Fatalf("leaked row %v", r)
			}
		}
		s.Cache().Wait()
	}
	if st := s.Cache().Stats(); st.Hits < 1 {
		t.Fatalf("cache stats = %+v, want hits", st)
	}
	// A write invalidates: the new row shows at once.
	if _, err := s.Create(ctx, alice, "expenses", schema.Row{"amount": "1", "category": "fuel", "date": "2026-02-11"}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Find(ctx, alice, "expenses", q)
	if err != nil || res.Count != 3 {
		t.Fatalf("after write count = %v, %v", res, err)
	}
	ownerFilter, _ := tbl.ParseFilters([]byte(`{"user_id": "` + bob + `"}`))
	if _, err := s.Find(ctx, alice, "expenses", schema.Query{Conditions: ownerFilter}); schema.ErrorCode(err) != schema.EFORBIDDEN {
		t.Fatalf("filter on bob: %v, want forbidden", err)
	}
}

func TestBulkAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	ops := []localstore.Operation{
		{Op: schema.OpCreate, Table: "expenses", Data: schema.Row{"amount": "1", "category": "a", "date": "2026-01-01"}},
		{Op: schema.OpCreate, Table: "expenses", Data: schema.Row{"amount": "-1", "category": "a", "date": "2026-01-01"}},
	}
	if _, err := s.Apply(ctx, alice, ops); schema.ErrorCode(err) != schema.EUNPROCESSABLE {
		t.Fatalf("bulk: %v", err)
	}
	st, err := s.Stats(ctx, alice)
	if err != nil || st.Tables["expenses"] != 0 || st.PendingChanges != 0 {
		t.Fatalf("after failed bulk: %+v %v", st, err)
	}
}

func TestWritesRefused(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	for _, tbl := range []string{"camping_locations", "budget_summary", "admin_users"} {
		_, err := s.Create(ctx, alice, tbl, schema.Row{"name": "x"})
		if schema.ErrorCode(err) != schema.ENOTALLOWED {
			t.Errorf("create %s: %v, want not allowed", tbl, err)
		}
	}
}

func TestBudgetSummaryView(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	if _, err := s.Create(ctx, alice, "budgets", schema.Row{"category": "food", "budgeted_amount": "500", "start_date": "2026-02-01", "end_date": "2026-02-28"}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct{ amt, date string }{{"100.25", "2026-02-03"}, {"50", "2026-02-28"}, {"999", "2026-03-01"}} {
		if _, err := s.Create(ctx, alice, "expenses", schema.Row{"amount": e.amt, "category": "food", "date": e.date}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Find(ctx, alice, "budget_summary", schema.Query{})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("summary = %+v %v", res, err)
	}
	r := res.Rows[0]
	if r["spent"] != "150.25" || r["remaining"] != "349.75" || r["percent_used"] != 30.05 {
		t.Fatalf("summary row = %v", r)
	}
}

// TestBulkReadAfterWrite: a read of a table after a write to it in the same
// batch must not hide the write: the table's cached reads are invalidated
// and the sync runner is told about the write.
func TestBulkReadAfterWrite(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	var pokes atomic.Int32
	s.OnWrite = func() { pokes.Add(1) }
	first, err := s.Create(ctx, alice, "expenses", schema.Row{"amount": "1", "category": "fuel", "date": "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // fill the cache with the one-row answer
		if res, err := s.Find(ctx, alice, "expenses", schema.Query{}); err != nil || res.Count != 1 {
			t.Fatalf("find = %+v, %v", res, err)
		}
		s.Cache().Wait()
	}
	pokes.Store(0)
	tests := []struct {
		name string
		ops  []localstore.Operation
	}{
		{"CreateThenRead", []localstore.Operation{
			{Op: schema.OpCreate, Table: "expenses", Data: schema.Row{"amount": "2", "category": "fuel", "date": "2026-01-02"}},
			{Op: localstore.OpRead, Table: "expenses", ID: first["id"].(string)},
		}},
		{"ReadCreateRead", []localstore.Operation{
			{Op: localstore.OpRead, Table: "expenses", ID: first["id"].(string)},
			{Op: schema.OpCreate, Table: "expenses", Data: schema.Row{"amount": "3", "category": "fuel", "date": "2026-01-03"}},
			{Op: localstore.OpRead, Table: "expenses", ID: first["id"].(string)},
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Apply(ctx, alice, tc.ops); err != nil {
				t.Fatal(err)
			}
			res, err := s.Find(ctx, alice, "expenses", schema.Query{})
			if err != nil || res.Count != i+2 {
				t.Fatalf("find after the batch: count %v, %v; want %d (a stale cached answer?)", res.Count, err, i+2)
			}
			if got := pokes.Load(); got != int32(i+1) {
				t.Fatalf("OnWrite called %d times, want %d: sync was not told of the write", got, i+1)
			}
			s.Cache().Wait()
		})
	}
	// A batch of reads only writes nothing and tells no one.
	if _, err := s.Apply(ctx, alice, []localstore.Operation{{Op: localstore.OpRead, Table: "expenses", ID: first["id"].(string)}}); err != nil {
		t.Fatal(err)
	}
	if got := pokes.Load(); got != int32(len(tests)) {
		t.Fatalf("a read-only batch called OnWrite: %d calls", got)
	}
}
