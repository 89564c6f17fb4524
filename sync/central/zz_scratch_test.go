package central_test

import (
	"context"
	"testing"
	"time"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
)

func TestScratch(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDB(t)
	conn := pgtest.Connect(t, url)
	if err := central.Init(ctx, conn, schema.Default()); err != nil {
		t.Fatal(err)
	}
	conn.Exec(ctx, `CREATE TABLE plain (LIKE expenses INCLUDING ALL)`)
	for _, tbl := range []string{"plain", "expenses"} {
		st := time.Now()
		_, err := conn.Exec(ctx, `INSERT INTO `+tbl+` (id, user_id, amount, category, date, description, created_at, updated_at)
		SELECT gen_random_uuid(), (ARRAY['11111111-1111-1111-1111-111111111111','22222222-2222-2222-2222-222222222222','33333333-3333-3333-3333-333333333333']::uuid[])[1 + g % 3], (g % 1000) + 0.25, 'fuel', current_date, 'x' || g, now(), now() FROM generate_series(1, 100000) g`)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", tbl, time.Since(st))
	}
	st := time.Now()
	_, err := conn.Exec(ctx, `UPDATE expenses SET amount = amount + 1`)
	t.Logf("update: %v %v", time.Since(st), err)
	st = time.Now()
	_, err = conn.Exec(ctx, `DELETE FROM expenses`)
	t.Logf("delete: %v %v", time.Since(st), err)
	var n int
	conn.QueryRow(ctx, `select count(*) from pam_sync.change_log`).Scan(&n)
	t.Log(n)
	rows, _ := conn.Query(ctx, `(select user_id, seq, cl, cells::text from pam_sync.change_log order by user_id, seq limit 2) union all (select user_id, seq, cl, cells::text from pam_sync.change_log where seq > 33333 order by user_id, seq limit 2) union all (select user_id, seq, cl, cells::text from pam_sync.change_log where seq > 66666 order by user_id, seq limit 2) `)
	for rows.Next() {
		var u, c string
		var s, cl int64
		rows.Scan(&u, &s, &cl, &c)
		t.Log(u, s, cl, c)
	}
	rows.Close()
}
