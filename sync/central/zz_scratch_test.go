package central_test

import (
	"fmt"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	_, conn := MustInit(t)
	for i := range 20 {
		insertExpense(t, conn, fmt.Sprintf("0197a000-0000-7000-8000-%012d", i), user1, "1")
	}
	mustExec(t, conn, `UPDATE expenses SET amount = 2 WHERE id = '0197a000-0000-7000-8000-000000000001'`)
	for range 10 {
		mustExec(t, conn, `UPDATE expenses SET amount = amount + 1 WHERE id = '0197a000-0000-7000-8000-000000000001'`)
	}
	st := time.Now()
	mustExec(t, conn, `INSERT INTO expenses (id, user_id, amount, category, date, description)
		SELECT gen_random_uuid(), (ARRAY[$1, $2, $3]::uuid[])[1 + g % 3], (g % 100000) / 100.0, 'fuel', DATE '2025-01-01' + g % 365, 'expense ' || g
		FROM generate_series(1, 100000) g`, user1, user2, user3)
	t.Logf("bulk after singles: %v", time.Since(st))
	st = time.Now()
	mustExec(t, conn, `UPDATE expenses SET amount = amount + 1`)
	t.Logf("bulk update after singles: %v", time.Since(st))
	st = time.Now()
	for i := range 1000 {
		insertExpense(t, conn, fmt.Sprintf("0197a000-0000-7000-9000-%012d", i), user1, "1")
	}
	t.Logf("1000 single-row inserts: %v", time.Since(st))
	mustExec(t, conn, `CREATE TABLE plain_expenses (LIKE expenses INCLUDING ALL)`)
	st = time.Now()
	for i := range 1000 {
		mustExec(t, conn, `INSERT INTO plain_expenses (id, user_id, amount, category, date) VALUES ($1, $2, 1, 'fuel', '2025-06-01')`, fmt.Sprintf("0197a000-0000-7000-9000-%012d", i), user1)
	}
	t.Logf("1000 single-row inserts, plain: %v", time.Since(st))
}
