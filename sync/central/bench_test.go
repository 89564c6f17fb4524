package central_test

import (
	"testing"
	"time"
)

// BenchmarkCaptureBulkInsert measures one INSERT ... SELECT of 100,000
// expenses for three users with the capture triggers (change log, row_meta,
// per-user sequence ranges) against the same insert into an identical table
// without them, and reports both rates.
func BenchmarkCaptureBulkInsert(b *testing.B) {
	const rows = 100_000
	_, conn := MustInit(b)
	mustExec(b, conn, `CREATE TABLE plain_expenses (LIKE expenses INCLUDING ALL)`)
	const insert = ` (id, user_id, amount, category, date, description)
		SELECT gen_random_uuid(), (ARRAY[$1, $2, $3]::uuid[])[1 + g % 3], (g % 100000) / 100.0, 'fuel', DATE '2025-01-01' + g % 365, 'expense ' || g
		FROM generate_series(1, $4::int) g`
	var captured, plain time.Duration
	for b.Loop() {
		b.StopTimer()
		mustExec(b, conn, `TRUNCATE expenses, plain_expenses, pam_sync.change_log, pam_sync.row_meta, pam_sync.user_clock`)
		mustExec(b, conn, `CHECKPOINT`)
		b.StartTimer()
		start := time.Now()
		mustExec(b, conn, `INSERT INTO expenses`+insert, user1, user2, user3, rows)
		captured += time.Since(start)
		b.StopTimer()
		start = time.Now()
		mustExec(b, conn, `INSERT INTO plain_expenses`+insert, user1, user2, user3, rows)
		plain += time.Since(start)
		b.StartTimer()
	}
	if n := countOf(b, conn, `SELECT count(*) FROM pam_sync.change_log`); n != rows {
		b.Fatalf("%d entries logged, want %d", n, rows)
	}
	b.ReportMetric(float64(b.N*rows)/captured.Seconds(), "rows/s-captured")
	b.ReportMetric(float64(b.N*rows)/plain.Seconds(), "rows/s-plain")
}
