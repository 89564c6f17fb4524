package localstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// openBenchStore opens a store with the real clock (durability is what is
// measured, so nothing is faked).
func openBenchStore(b *testing.B, cacheBytes int64) *localstore.Store {
	b.Helper()
	s := localstore.New(filepath.Join(b.TempDir(), localstore.FileName), schema.Default())
	s.CacheBytes = cacheBytes
	if err := s.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func expense(i int) schema.Row {
	return schema.Row{"amount": fmt.Sprintf("%d.%02d", 1+i%200, i%100), "category": "groceries",
		"date": fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28), "description": "bench"}
}

// latencies records per-operation durations and reports percentiles.
type latencies []time.Duration

func (l latencies) report(b *testing.B, prefix string) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	q := func(p float64) float64 { return float64(l[int(p*float64(len(l)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(q(0.50), prefix+"p50-µs")
	b.ReportMetric(q(0.99), prefix+"p99-µs")
}

// BenchmarkInsertDurable: one row per transaction, committed with
// synchronous=FULL, as an API create does. The figure is bounded by fsync.
func BenchmarkInsertDurable(b *testing.B) {
	s := openBenchStore(b, 0)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Create(ctx, alice, "expenses", expense(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}

// BenchmarkInsertBatched: 1,000 validated rows and their change records per
// transaction (the bulk API path).
func BenchmarkInsertBatched(b *testing.B) {
	s := openBenchStore(b, 0)
	ctx := context.Background()
	const batch = 1000
	ops := make([]localstore.Operation, batch)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ops {
			ops[j] = localstore.Operation{Op: schema.OpCreate, Table: "expenses", Data: expense(i*batch + j)}
		}
		if _, err := s.Apply(ctx, alice, ops); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPointRead reads rows by id with and without the cache.
func BenchmarkPointRead(b *testing.B) {
	for _, bc := range []struct {
		name  string
		cache int64
	}{{"Uncached", 0}, {"Cached", 64 << 20}} {
		b.Run(bc.name, func(b *testing.B) {
			s := openBenchStore(b, bc.cache)
			ctx := context.Background()
			ids := make([]string, 200)
			for i := range ids {
				row, err := s.Create(ctx, alice, "expenses", expense(i))
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = row["id"].(string)
			}
			for _, id := range ids { // warm the cache (and SQLite's page cache)
				s.Get(ctx, alice, "expenses", id)
			}
			s.Cache().Wait()
			lat := make(latencies, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := s.Get(ctx, alice, "expenses", ids[i%len(ids)]); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			lat.report(b, "")
		})
	}
}

// BenchmarkInsertDurableBaseline is the floor for BenchmarkInsertDurable:
// the same two rows (the expense and its change record) inserted per
// transaction by bare SQL on the same schema and file settings (WAL,
// synchronous=FULL), with no validation, no clock, no cache. The gap between
// the two is what our code costs per durable write; the rest is fsync.
func BenchmarkInsertDurableBaseline(b *testing.B) {
	s := openBenchStore(b, 0)
	path := s.Path
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ts := schema.FormatTimestamp(time.Now())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		id := localstore.NewID()
		if _, err := tx.Exec(`INSERT INTO expenses (id, user_id, amount, category, date, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, alice, int64(100+i%20000), "groceries", "2026-01-01", "bench", ts, ts); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO _pam_changes (tx, hlc, tbl, row_id, user_id, op, cl, data, created_at) VALUES (?, ?, 'expenses', ?, ?, 'create', 1, '{}', ?)`,
			int64(i), int64(i), id, alice, ts); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}

// scale50 is the --scale 50 demo data set, filled once per benchmark run.
var scale50 = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pam-scale50")
	if err != nil {
		return "", err
	}
	s := localstore.New(filepath.Join(dir, localstore.FileName), schema.Default())
	if err := s.Open(context.Background()); err != nil {
		return "", err
	}
	defer s.Close()
	_, err = demo.Fill(context.Background(), s, demo.Options{Scale: 50, Now: benchNow})
	return s.Path, err
})

var benchNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// BenchmarkMonthOfExpenses: the dashboard's "this month" query — one user's
// expenses between two dates, newest first — over the --scale 50 data set
// (50 years of a couple's history), through the store, with and without
// the cache.
func BenchmarkMonthOfExpenses(b *testing.B) {
	path, err := scale50()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		cache int64
	}{{"Uncached", 0}, {"Cached", 64 << 20}} {
		b.Run(bc.name, func(b *testing.B) {
			s := localstore.New(path, schema.Default())
			s.CacheBytes = bc.cache
			if err := s.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			tbl, _ := s.Catalog.Table("expenses")
			months := make([]schema.Query, 12)
			for m := range months {
				conds, err := tbl.ParseFilters([]byte(fmt.Sprintf(`{"date": [{"op": "gte", "value": "2026-%02d-01"}, {"op": "lt", "value": "%s"}]}`,
					m+1, time.Date(2026, time.Month(m+2), 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))))
				if err != nil {
					b.Fatal(err)
				}
				months[m] = schema.Query{Conditions: conds, Order: []schema.Order{{Column: "date", Desc: true}}, Limit: 500}
			}
			ctx := context.Background()
			var rows int
			for _, q := range months { // warm
				res, err := s.Find(ctx, demo.UserA, "expenses", q)
				if err != nil {
					b.Fatal(err)
				}
				rows += len(res.Rows)
			}
			s.Cache().Wait()
			lat := make(latencies, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := s.Find(ctx, demo.UserA, "expenses", months[i%12]); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			lat.report(b, "")
			b.ReportMetric(float64(rows)/12, "rows/month")
		})
	}
}
