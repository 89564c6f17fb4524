package replica_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

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

// BenchmarkPush measures changes pushed per second to the local Postgres,
// and, in the same run, its floor: the same rows written by a raw
// multi-row upsert into the same table as the superuser (no RLS, no
// capture triggers, no versions or change log), in transactions of the
// push's batch size. ratio_to_floor is push rate / floor rate (goal of
// issue 10: >= 0.3; a pushed change writes three rows under RLS).
// server-us/change is the CPU time the device's Postgres backends spent
// per change (Linux, Postgres on this machine; not reported elsewhere):
// unlike the rate, it barely moves with the load of a shared machine.
func BenchmarkPush(b *testing.B) {
	c := newCentral(b)
	d := c.newDevice(b, "rv", userA)
	const n = 20000
	total := 0
	var elapsed, floor, server time.Duration
	measured := true
	if _, err := d.pool.Exec(context.Background(), `SELECT 1`); err != nil { // connected before the first push
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		writeLocal(b, d, userA, n)
		rows := outboxRows(b, d, n)
		floor += upsertFloor(b, c, rows, d.rep.PushBatch)
		before, ok := backendsCPU(b, c, d)
		start := time.Now()
		pushed, _, err := d.rep.Push(context.Background())
		elapsed += time.Since(start)
		if err != nil || pushed != n {
			b.Fatalf("pushed %d, %v", pushed, err)
		}
		after, ok2 := backendsCPU(b, c, d)
		for pid, t := range after {
			server += t - before[pid] // a backend begun during the push counts from 0
		}
		measured = measured && ok && ok2
		total += pushed
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "changes/s")
	b.ReportMetric(float64(total)/floor.Seconds(), "floor-rows/s")
	b.ReportMetric(floor.Seconds()/elapsed.Seconds(), "ratio_to_floor")
	if measured {
		b.ReportMetric(float64(server.Nanoseconds())/1000/float64(total), "server-us/change")
	}
}

// backendsCPU returns the CPU time so far of each Postgres backend of d's
// role, from /proc/<pid>/schedstat; ok is false when Postgres runs
// elsewhere (or not on Linux).
func backendsCPU(tb testing.TB, c *centralDB, d *device) (map[int]time.Duration, bool) {
	tb.Helper()
	u, err := url.Parse(d.url)
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := c.admin.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE usename = $1`, u.User.Username())
	if err != nil {
		tb.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		tb.Fatal(err)
	}
	cpu := make(map[int]time.Duration, len(pids))
	for _, pid := range pids {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
		if err != nil {
			return nil, false
		}
		var ns int64
		if _, err := fmt.Sscan(string(raw), &ns); err != nil {
			return nil, false
		}
		cpu[int(pid)] = time.Duration(ns)
	}
	return cpu, true
}

// outboxRows returns the rows of d's pending outbox as their API values
// (owner and id set), as central would hold them.
func outboxRows(tb testing.TB, d *device, n int) []map[string]any {
	tb.Helper()
	entries, err := d.store.Outbox(context.Background(), n)
	if err != nil || len(entries) != n {
		tb.Fatalf("outbox: %d entries, %v", len(entries), err)
	}
	t, _ := schema.Default().Table("expenses")
	rows := make([]map[string]any, len(entries))
	for i, e := range entries {
		row := map[string]any{}
		for col, v := range e.Data {
			if c, ok := t.Column(col); ok {
				row[col] = c.Output(v)
			}
		}
		row["id"] = e.RowID
		rows[i] = row
	}
	return rows
}

// upsertFloor times a raw multi-row upsert of rows into central's expenses
// as the superuser, per transactions of batch rows (1,000 to a statement,
// pipelined), without triggers (session_replication_role = replica); the
// rows are then deleted again, untimed, so that the push finds the table
// as it was.
func upsertFloor(tb testing.TB, c *centralDB, rows []map[string]any, batch int) time.Duration {
	tb.Helper()
	ctx := context.Background()
	t, _ := schema.Default().Table("expenses")
	var cols, sets []string
	for _, col := range t.ColumnNames() {
		cols = append(cols, schema.Quote(col))
		if col != "id" {
			sets = append(sets, fmt.Sprintf("%s = excluded.%s", schema.Quote(col), schema.Quote(col)))
		}
	}
	upsert := fmt.Sprintf(`INSERT INTO expenses (%s) SELECT %s FROM json_populate_recordset(NULL::expenses, $1::text::json)
		ON CONFLICT (id) DO UPDATE SET %s`, strings.Join(cols, ", "), strings.Join(cols, ", "), strings.Join(sets, ", "))
	if _, err := c.admin.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		tb.Fatal(err)
	}
	defer c.admin.Exec(ctx, `SET session_replication_role = origin`)
	var ids []string
	start := time.Now()
	for lo := 0; lo < len(rows); lo += batch {
		part := rows[lo:min(lo+batch, len(rows))]
		bt := &pgx.Batch{}
		bt.Queue(`BEGIN`)
		for s := 0; s < len(part); s += 1000 {
			raw, err := json.Marshal(part[s:min(s+1000, len(part))])
			if err != nil {
				tb.Fatal(err)
			}
			bt.Queue(upsert, string(raw))
		}
		bt.Queue(`COMMIT`)
		if err := c.admin.SendBatch(ctx, bt).Close(); err != nil {
			tb.Fatalf("floor upsert: %v", err)
		}
	}
	took := time.Since(start)
	for _, r := range rows {
		ids = append(ids, r["id"].(string))
	}
	if _, err := c.admin.Exec(ctx, `DELETE FROM expenses WHERE id = ANY($1::text[]::uuid[])`, ids); err != nil {
		tb.Fatal(err)
	}
	return took
}

// BenchmarkPullApply measures central changes pulled and applied per
// second by a device, and, in the same run, its floor: the same rows, read
// back from the device, inserted into a fresh SQLite file with the same
// table and settings (WAL, synchronous=FULL) by raw batched inserts (64
// rows to a statement, 2,000 to a transaction). ratio_to_floor is pull
// rate / floor rate (goal of issue 10: >= 0.25; an applied change reads,
// merges and writes two rows).
func BenchmarkPullApply(b *testing.B) {
	c := newCentral(b)
	const n = 20000
	writeCentral(b, c, userA, n)
	total := 0
	var elapsed, floor time.Duration
	for i := 0; i < b.N; i++ {
		d := c.newDevice(b, fmt.Sprint("rv", i), userA)
		start := time.Now()
		pulled, applied, _, err := d.rep.Pull(context.Background())
		elapsed += time.Since(start)
		if err != nil || applied != n {
			b.Fatalf("pulled %d applied %d, %v", pulled, applied, err)
		}
		total += applied
		floor += insertFloor(b, d, n)
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "changes/s")
	b.ReportMetric(float64(total)/floor.Seconds(), "floor-rows/s")
	b.ReportMetric(floor.Seconds()/elapsed.Seconds(), "ratio_to_floor")
}

// insertFloor times raw batched inserts of d's expenses into a fresh
// SQLite file.
func insertFloor(tb testing.TB, d *device, n int) time.Duration {
	tb.Helper()
	ctx := context.Background()
	t, _ := schema.Default().Table("expenses")
	cols := t.ColumnNames()
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = schema.Quote(col)
	}
	src, err := sql.Open("sqlite", "file:"+d.path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	res, err := src.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM expenses`, strings.Join(quoted, ", ")))
	if err != nil {
		tb.Fatal(err)
	}
	var rows [][]any
	for res.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := res.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		rows = append(rows, vals)
	}
	res.Close()
	if len(rows) != n {
		tb.Fatalf("device holds %d expenses, want %d", len(rows), n)
	}
	dst, err := sql.Open("sqlite", "file:"+filepath.Join(tb.TempDir(), "floor.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	defer dst.Close()
	dst.SetMaxOpenConns(1)
	for _, stmt := range t.DDL(schema.SQLite) {
		if _, err := dst.ExecContext(ctx, stmt); err != nil {
			tb.Fatalf("floor table: %v", err)
		}
	}
	const perStmt, perTx = 64, 2000
	one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	full := fmt.Sprintf("INSERT INTO expenses (%s) VALUES %s", strings.Join(quoted, ", "), one+strings.Repeat(", "+one, perStmt-1))
	start := time.Now()
	for lo := 0; lo < len(rows); lo += perTx {
		tx, err := dst.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		part := rows[lo:min(lo+perTx, len(rows))]
		for s := 0; s < len(part); s += perStmt {
			chunk := part[s:min(s+perStmt, len(part))]
			q := full
			if len(chunk) < perStmt {
				q = fmt.Sprintf("INSERT INTO expenses (%s) VALUES %s", strings.Join(quoted, ", "), one+strings.Repeat(", "+one, len(chunk)-1))
			}
			args := make([]any, 0, len(chunk)*len(cols))
			for _, r := range chunk {
				args = append(args, r...)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				tb.Fatalf("floor insert: %v", err)
			}
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
	return time.Since(start)
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
	// Each run opens a fresh store: its integrity check at open (which
	// writes wait for) is start-up, not the write path, so it ends first.
	fresh := func(name string) *device {
		d := openDevice(b, name, b.TempDir()+"/pam.db", "postgres://unused", nil)
		if _, err := d.store.CheckedIntegrity(context.Background()); err != nil {
			b.Fatal(err)
		}
		return d
	}
	plainRun := func() time.Duration {
		d := fresh("plain")
		start := time.Now()
		if err := d.store.Load(context.Background(), "expenses", rows, localstore.LoadOptions{}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	capturedRun := func() time.Duration {
		d := fresh("captured")
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
