package replica_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

// TestAdoptedWebAppDatabase: a device bound to user U after the Wheels &
// Wins database was adopted gets U's rows that were there before, its
// writes reach the web app with the web app's own bigint ids, the web
// app's writes reach it, and it holds nothing of V.
func TestAdoptedWebAppDatabase(t *testing.T) {
	f := supabasetest.Install(t, pgtest.NewDB(t))
	ctx := context.Background()
	owner := pgtest.Connect(t, f.OwnerURL)
	if err := central.InitWith(ctx, owner, schema.Default(), central.Options{Adopt: true}); err != nil {
		t.Fatalf("init --adopt: %v", err)
	}
	c := &centralDB{url: f.OwnerURL, admin: owner}
	d := c.newDevice(t, "rv", f.U)
	if res := d.sync(t); res.Rejected != 0 {
		t.Fatalf("first sync: %+v", res)
	}
	count := func(table, user string) int {
		t.Helper()
		res, err := d.store.Find(ctx, user, table, schema.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Rows)
	}
	var webExpenses int
	owner.QueryRow(ctx, `SELECT count(*) FROM expenses WHERE user_id = $1`, f.U).Scan(&webExpenses)
	if n, _ := d.store.ConflictCount(ctx); n > 0 {
		recs, _ := d.store.Conflicts(ctx, f.U, 20)
		t.Fatalf("the web app's rows did not all stand on the device: %+v", recs)
	}
	if webExpenses == 0 || count("expenses", f.U) != webExpenses {
		t.Fatalf("device has %d of U's %d pre-existing expenses", count("expenses", f.U), webExpenses)
	}
	if count("expenses", f.V) != 0 {
		t.Fatal("device holds V's expenses")
	}

	// The device's write reaches the web app with a bigint id.
	id := mustCreate(t, d, f.U, "expenses", expense("42.50", "fuel", "2026-03-01"))
	if res := d.sync(t); res.Rejected != 0 {
		rej, _ := d.store.Rejections(ctx, 5)
		t.Fatalf("push refused: %+v %+v", res, rej)
	}
	var webID int64
	var amount string
	err := pgx.BeginFunc(ctx, pgtest.Connect(t, f.AuthenticatorURL), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, supabasetest.Claims("authenticated", f.U)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT id, amount::text FROM expenses WHERE pam_id = $1`, id).Scan(&webID, &amount)
	})
	if err != nil || webID <= 0 || amount != "42.50" {
		t.Fatalf("the web app reads the device's expense as id %d amount %q (%v)", webID, amount, err)
	}

	// The web app's insert (no id, as supabase-js) reaches the device.
	err = pgx.BeginFunc(ctx, pgtest.Connect(t, f.AuthenticatorURL), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, supabasetest.Claims("authenticated", f.U)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO expenses (user_id, amount, category, description, date) VALUES ($1, 7.25, 'food', 'from the web', '2026-03-02')`, f.U)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d.sync(t)
	if s := diff(d.snapshot(t, f.U), c.snapshot(t, f.U), d.name, "central"); s != "" {
		t.Fatalf("device differs from the adopted central:\n%s", s)
	}

	// The device role, claiming V through request.jwt.claims, reaches
	// nothing of V's through the web app's policies (no TO clause).
	dev := pgtest.Connect(t, d.url)
	err = pgx.BeginFunc(ctx, dev, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('request.jwt.claims', $1, true)`, supabasetest.Claims("authenticated", f.V)); err != nil {
			return err
		}
		for _, q := range []string{
			`SELECT count(*) FROM expenses WHERE user_id = $1`,
			`SELECT count(*) FROM fuel_log WHERE user_id = $1`,
			`SELECT count(*) FROM profiles WHERE id = $1`,
			`WITH u AS (UPDATE profiles SET full_name = 'x' WHERE id = $1 RETURNING 1) SELECT count(*) FROM u`,
			`WITH u AS (DELETE FROM expenses WHERE user_id = $1 RETURNING 1) SELECT count(*) FROM u`,
		} {
			var n int
			if err := tx.QueryRow(ctx, q, f.V).Scan(&n); err != nil || n != 0 {
				t.Errorf("device claiming V: %s -> %d (%v), want 0", q, n, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
