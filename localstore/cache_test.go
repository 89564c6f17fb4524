package localstore

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// TestCacheCostIsHeapBytes: what the cache charges for a result is what
// the result holds on the Go heap, within a quarter, so that CacheBytes
// bounds real memory.
func TestCacheCostIsHeapBytes(t *testing.T) {
	ctx := context.Background()
	s := New(t.TempDir()+"/pam.db", schema.Default())
	s.CacheBytes = 0
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u := "0190a000-0000-7000-8000-000000000001"
	ops := []Operation{}
	for i := 0; i < 1000; i++ {
		ops = append(ops, Operation{Op: schema.OpCreate, Table: "expenses", Data: schema.Row{"amount": fmt.Sprintf("%d.25", i), "category": "groceries", "date": "2026-03-01", "description": "weekly shop at the store"}})
	}
	if _, err := s.Apply(ctx, u, ops); err != nil {
		t.Fatal(err)
	}
	var res []*Result
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	var est int64
	for i := 0; i < 20; i++ {
		r, err := s.Find(ctx, u, "expenses", schema.Query{Limit: 200, Offset: i * 50})
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r)
		est += cost(r)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	runtime.KeepAlive(res)
	real := int64(m1.HeapAlloc) - int64(m0.HeapAlloc)
	if r := float64(real) / float64(est); r < 0.8 || r > 1.25 {
		t.Fatalf("20 pages of 200 expenses hold %d bytes of heap; the cache charges %d (ratio %.2f)", real, est, r)
	}
}
