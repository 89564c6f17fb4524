package replica_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// writeLocal records n expense creations on d in batches of 1,000 rows per
// transaction, as the bulk API does.
func writeLocal(tb testing.TB, d *device, user string, n int) {
	tb.Helper()
	ops := make([]localstore.Operation, 0, 1000)
	for i := 0; i < n; i++ {
		ops = append(ops, localstore.Operation{Op: schema.OpCreate, Table: "expenses",
			Data: expense(fmt.Sprintf("%d.%02d", 1+i%500, i%100), "fuel", fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28))})
		if len(ops) == cap(ops) || i == n-1 {
			if _, err := d.store.Apply(context.Background(), user, ops); err != nil {
				tb.Fatal(err)
			}
			ops = ops[:0]
		}
	}
}

// writeCentral inserts n expenses for user centrally in one statement, as
// an import by the web app's backend would; the capture trigger logs them.
func writeCentral(tb testing.TB, c *centralDB, user string, n int) {
	tb.Helper()
	if _, err := c.admin.Exec(context.Background(), `INSERT INTO expenses (id, user_id, amount, category, date, description, created_at, updated_at)
		SELECT gen_random_uuid(), $1, (i % 500) + 0.25, 'camping', date '2026-01-01' + (i % 300), 'central ' || i, now(), now()
		FROM generate_series(1, $2) i`, user, n); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkPush measures changes pushed per second to the local Postgres.
func BenchmarkPush(b *testing.B) {
	c := newCentral(b)
	d := c.newDevice(b, "rv", userA)
	const n = 20000
	total := 0
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		writeLocal(b, d, userA, n)
		start := time.Now()
		pushed, _, err := d.rep.Push(context.Background())
		elapsed += time.Since(start)
		if err != nil || pushed != n {
			b.Fatalf("pushed %d, %v", pushed, err)
		}
		total += pushed
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "changes/s")
}

// BenchmarkPullApply measures central changes pulled and applied per
// second by a device (pages of 2,000, one SQLite transaction each).
func BenchmarkPullApply(b *testing.B) {
	c := newCentral(b)
	const n = 20000
	writeCentral(b, c, userA, n)
	total := 0
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		d := c.newDevice(b, fmt.Sprint("rv", i), userA)
		start := time.Now()
		pulled, applied, _, err := d.rep.Pull(context.Background())
		elapsed += time.Since(start)
		if err != nil || applied != n {
			b.Fatalf("pulled %d applied %d, %v", pulled, applied, err)
		}
		total += applied
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "changes/s")
}

// BenchmarkCaptureOverhead compares a local write that records its change
// (row and change-log entry, as every API write does) with a plain insert
// of the same validated rows, both 1,000 rows a transaction into a fresh
// store, in alternating order so neither gets the warmer file.
func BenchmarkCaptureOverhead(b *testing.B) {
	rows := make([]schema.Row, 1000)
	ops := make([]localstore.Operation, len(rows))
	for i := range rows {
		rows[i] = expense(fmt.Sprintf("%d.00", 1+i), "fuel", "2026-03-01")
		ops[i] = localstore.Operation{Op: schema.OpCreate, Table: "expenses", Data: expense(fmt.Sprintf("%d.00", 1+i), "fuel", "2026-03-01")}
		rows[i]["user_id"] = userA
	}
	plainRun := func() time.Duration {
		d := openDevice(b, "plain", b.TempDir()+"/pam.db", "postgres://unused", nil)
		start := time.Now()
		if err := d.store.Load(context.Background(), "expenses", rows, localstore.LoadOptions{}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	capturedRun := func() time.Duration {
		d := openDevice(b, "captured", b.TempDir()+"/pam.db", "postgres://unused", nil)
		start := time.Now()
		if _, err := d.store.Apply(context.Background(), userA, ops); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	// One untimed pair first (a process's first store pays for warming
	// the allocator and the page cache), then four pairs an iteration, so
	// that even -benchtime 1x gives a ratio of several samples.
	plainRun()
	capturedRun()
	b.ResetTimer()
	const pairs = 4
	var plain, captured time.Duration
	for i := 0; i < b.N*pairs; i++ {
		if i%2 == 0 {
			plain += plainRun()
			captured += capturedRun()
		} else {
			captured += capturedRun()
			plain += plainRun()
		}
	}
	b.ReportMetric(float64(b.N*pairs*len(rows))/plain.Seconds(), "plain-rows/s")
	b.ReportMetric(float64(b.N*pairs*len(rows))/captured.Seconds(), "captured-rows/s")
	b.ReportMetric(captured.Seconds()/plain.Seconds(), "overhead-x")
}

// BenchmarkConverge30DaysOffline: a device was offline for a month with
// 15,000 local changes while 20,000 changes landed centrally; the time from
// link-up until both sides hold the same data.
func BenchmarkConverge30DaysOffline(b *testing.B) {
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := newCentral(b)
		d := c.newDevice(b, "rv", userA)
		writeLocal(b, d, userA, 15000)
		writeCentral(b, c, userA, 20000)
		b.StartTimer()
		start := time.Now()
		res := d.sync(b)
		elapsed += time.Since(start)
		b.StopTimer()
		if res.Pushed != 15000 || res.Applied != 20000 {
			b.Fatalf("sync = %+v", res)
		}
		if n := len(d.snapshot(b, userA)["expenses"]); n != 35000 {
			b.Fatalf("device holds %d expenses, want 35000", n)
		}
	}
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/converge")
}
