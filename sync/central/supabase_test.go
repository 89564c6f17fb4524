package central_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

// TestCleanSupabaseProject installs central, as the project's installing
// role (NOSUPERUSER, BYPASSRLS, CREATEROLE), into a clean Supabase-like
// project without the old default grants, and uses the tables it created
// the way the web app and Supabase do.
func TestCleanSupabaseProject(t *testing.T) {
	t.Parallel()
	f := supabasetest.InstallWith(t, pgtest.NewDB(t), supabasetest.Options{BaseOnly: true, NoDefaultGrants: true})
	ctx := testContext(t)
	owner := pgtest.Connect(t, f.OwnerURL)
	if err := central.Init(ctx, owner, schema.Default()); err != nil {
		t.Fatalf("Init as the project's installing role: %v", err)
	}
	api := pgtest.Connect(t, f.AuthenticatorURL)
	as := func(t *testing.T, role, user string, fn func(pgx.Tx) error) error {
		t.Helper()
		return pgx.BeginFunc(ctx, api, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, role, supabasetest.Claims(role, user)); err != nil {
				return err
			}
			return fn(tx)
		})
	}

	t.Run("InsertWithoutID", func(t *testing.T) {
		// supabase-js: .insert({user_id, amount, category, date}).select()
		var id string
		err := as(t, supabasetest.Authenticated, f.U, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `INSERT INTO expenses (user_id, amount, category, date) VALUES ($1, 12.5, 'fuel', '2026-01-02') RETURNING id::text`, f.U).Scan(&id)
		})
		if err != nil || id == "" {
			t.Fatalf("web app insert without id: %q, %v", id, err)
		}
		if l := logOf(t, owner, f.U); len(l) == 0 || l[len(l)-1].RowID != id {
			t.Fatalf("the web app's insert was not logged for its user: %+v", l)
		}
	})

	t.Run("UpdatedAtKeptCentrally", func(t *testing.T) {
		const id = "0197a000-0000-7000-8000-0000000a0101"
		insertExpense(t, owner, id, f.U, "5.00")
		mustExec(t, owner, `UPDATE expenses SET updated_at = '2020-01-01' WHERE id = $1`, id)
		err := as(t, supabasetest.Authenticated, f.U, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE expenses SET amount = 6 WHERE id = $1`, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countOf(t, owner, `SELECT count(*) FROM expenses WHERE id = $1 AND updated_at > now() - interval '1 hour'`, id); n != 1 {
			t.Fatal("a web app update left updated_at as it was")
		}
	})

	t.Run("ServiceRoleWrites", func(t *testing.T) {
		err := as(t, supabasetest.ServiceRole, "", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO expenses (user_id, amount, category, date) VALUES ($1, 1, 'food', '2026-01-03')`, f.V)
			return err
		})
		if err != nil {
			t.Fatalf("service_role insert on a project without default grants: %v", err)
		}
	})

	t.Run("AnonAsTheProjectHasIt", func(t *testing.T) {
		// This project grants anon nothing on new tables; Init grants it
		// nothing either.
		err := as(t, supabasetest.Anon, "", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT count(*) FROM camping_locations`)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "anon reads PAM's reference data")
	})

	t.Run("Realtime", func(t *testing.T) {
		n, err := central.AddToRealtime(ctx, owner, schema.Default())
		if err != nil || n != 38 {
			t.Fatalf("AddToRealtime added %d tables (%v), want 38", n, err)
		}
		if n, err := central.AddToRealtime(ctx, owner, schema.Default()); err != nil || n != 0 {
			t.Fatalf("second AddToRealtime added %d (%v), want 0", n, err)
		}
	})

	t.Run("DeleteAuthUser", func(t *testing.T) {
		const id = "0197a000-0000-7000-8000-0000000a0102"
		insertExpense(t, owner, id, f.V, "7.00")
		mustExec(t, owner, `INSERT INTO profiles (id, email) VALUES ($1, 'v@example.org')`, f.V)
		before := len(logOf(t, owner, f.V))
		auth := pgtest.Connect(t, f.AuthAdminURL)
		mustExec(t, auth, `DELETE FROM auth.users WHERE id = $1`, f.V)
		for _, tbl := range []string{"expenses", "profiles"} {
			col := "user_id"
			if tbl == "profiles" {
				col = "id"
			}
			if n := countOf(t, owner, `SELECT count(*) FROM `+tbl+` WHERE `+col+` = $1`, f.V); n != 0 {
				t.Fatalf("%d %s rows of the deleted user remain", n, tbl)
			}
		}
		l := logOf(t, owner, f.V)
		if len(l) <= before || l[len(l)-1].CL%2 != 0 {
			t.Fatalf("the deletions were not logged for the devices: %+v", l[before:])
		}
	})
}

// TestSupabaseConnections: a device URL built from a pooler URL keeps the
// pooler's ".projectref" suffix (Supavisor routes the login by it), and a
// transaction-mode pooler's port turns pgx's named prepared statements off.
func TestSupabaseConnections(t *testing.T) {
	t.Parallel()
	adminURL, admin := MustInit(t)
	pooled := "postgres://postgres.abcdefghij:secret@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?sslmode=require"
	devURL, role, err := central.AddDevice(testContext(t), admin, pooled, []string{user1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { central.RemoveDevice(testContext(t), pgtest.Connect(t, adminURL), role) })
	cfg, err := pgx.ParseConfig(devURL)
	if err != nil {
		t.Fatal(err)
	}
	if want := role + ".abcdefghij"; cfg.User != want {
		t.Fatalf("device URL user %q, want %q", cfg.User, want)
	}
	if cfg.Host != "aws-0-eu-central-1.pooler.supabase.com" || cfg.Port != 6543 || cfg.Database != "postgres" {
		t.Fatalf("device URL lost the pooler's address: %s", devURL)
	}
	for _, tc := range []struct {
		url  string
		want pgx.QueryExecMode
	}{
		{devURL, pgx.QueryExecModeExec},
		{"postgres://u@db.abcdefghij.supabase.co:5432/postgres", pgx.QueryExecModeCacheStatement},
		{"postgres://u@h:6543/postgres?default_query_exec_mode=simple_protocol", pgx.QueryExecModeSimpleProtocol},
	} {
		cfg, err := pgx.ParseConfig(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		central.ForPooler(cfg, tc.url)
		if cfg.DefaultQueryExecMode != tc.want {
			t.Errorf("%s: exec mode %v, want %v", tc.url, cfg.DefaultQueryExecMode, tc.want)
		}
	}
}
