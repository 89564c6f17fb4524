package central_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/replica"
)

func TestInit(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	cat := schema.Default()

	t.Run("Tables", func(t *testing.T) {
		var base, views int
		for _, name := range cat.Names() {
			var kind string
			err := conn.QueryRow(testContext(t), `SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = 'public' AND c.relname = $1`, name).Scan(&kind)
			if err != nil {
				t.Fatalf("table %s: %v", name, err)
			}
			switch kind {
			case "r":
				base++
			case "v":
				views++
			default:
				t.Fatalf("table %s has relkind %s", name, kind)
			}
		}
		if base != 38 || views != 1 {
			t.Fatalf("got %d tables and %d views, want 38 and 1", base, views)
		}
	})

	t.Run("SyncSchema", func(t *testing.T) {
		want := []string{"anomalies", "change_log", "conflicts", "device_users", "devices", "meta", "push_outcomes", "push_tx", "row_meta", "tables", "user_clock"}
		rows, _ := conn.Query(testContext(t), `SELECT tablename::text FROM pg_tables WHERE schemaname = 'pam_sync' ORDER BY 1`)
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("pam_sync tables %v, want %v", got, want)
		}
		var version string
		if err := conn.QueryRow(testContext(t), `SELECT value FROM pam_sync.meta WHERE key = 'schema_version'`).Scan(&version); err != nil || version != central.SchemaVersion {
			t.Fatalf("schema_version %q (%v), want %q", version, err, central.SchemaVersion)
		}
	})

	t.Run("Triggers", func(t *testing.T) {
		n := countOf(t, conn, `SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pam_capture_%' AND NOT tgisinternal`)
		if n != 3*38 {
			t.Fatalf("%d capture triggers, want %d", n, 3*38)
		}
		// Statement level (tgtype bit 0 clear), AFTER (bit 1 clear), with transition tables.
		n = countOf(t, conn, `SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pam_capture_%'
			AND tgtype & 1 = 0 AND tgtype & 2 = 0 AND (tgoldtable IS NOT NULL OR tgnewtable IS NOT NULL)`)
		if n != 3*38 {
			t.Fatalf("%d statement-level AFTER triggers with transition tables, want %d", n, 3*38)
		}
	})

	t.Run("RowLevelSecurity", func(t *testing.T) {
		n := countOf(t, conn, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind = 'r' AND n.nspname IN ('public', 'pam_sync') AND c.relrowsecurity AND c.relforcerowsecurity`)
		if n != 38+11 {
			t.Fatalf("%d tables with forced RLS, want %d", n, 38+11)
		}
		var opts []string
		conn.QueryRow(testContext(t), `SELECT reloptions FROM pg_class WHERE oid = 'public.budget_summary'::regclass`).Scan(&opts)
		if !slices.Contains(opts, "security_invoker=true") {
			t.Fatalf("budget_summary options %v: want security_invoker=true", opts)
		}
	})

	t.Run("Grants", func(t *testing.T) {
		for _, tb := range cat.Tables {
			var ins, upd, del, sel bool
			err := conn.QueryRow(testContext(t), `SELECT has_table_privilege('pam_device', $1, 'SELECT'), has_table_privilege('pam_device', $1, 'INSERT'),
				has_table_privilege('pam_device', $1, 'UPDATE'), has_table_privilege('pam_device', $1, 'DELETE')`, "public."+tb.Name).Scan(&sel, &ins, &upd, &del)
			if err != nil {
				t.Fatal(err)
			}
			w := central.Writable(tb)
			if !sel || ins != w || upd != w || del != w {
				t.Errorf("%s (%s): select %v insert %v update %v delete %v, want writes %v", tb.Name, tb.Role, sel, ins, upd, del, w)
			}
		}
		if countOf(t, conn, `SELECT count(*) FROM information_schema.role_table_grants WHERE table_schema = 'pam_sync' AND grantee = 'PUBLIC'`) != 0 {
			t.Fatal("PUBLIC holds privileges on pam_sync tables")
		}
	})
}

// TestInitIdempotent runs Init a second time and compares the catalog
// before and after: tables, columns, constraints, indexes, triggers,
// policies with their expressions, function bodies, ACLs, grants and role
// memberships must be identical.
func TestInitIdempotent(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	before := catalogSnapshot(t, conn)
	if err := central.Init(testContext(t), conn, schema.Default()); err != nil {
		t.Fatalf("second Init: %v", err)
	}
	after := catalogSnapshot(t, conn)
	if len(before) < 500 {
		t.Fatalf("snapshot has only %d lines: too small to mean anything", len(before))
	}
	if !slices.Equal(before, after) {
		for _, l := range before {
			if !slices.Contains(after, l) {
				t.Errorf("lost:   %s", l)
			}
		}
		for _, l := range after {
			if !slices.Contains(before, l) {
				t.Errorf("gained: %s", l)
			}
		}
		t.Fatal("second Init changed the catalog")
	}
}

func catalogSnapshot(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	const schemas = `('public', 'pam_sync', 'auth')`
	queries := map[string]string{
		"column": `SELECT table_schema, table_name, column_name, data_type, coalesce(column_default, ''), is_nullable
			FROM information_schema.columns WHERE table_schema IN ` + schemas,
		"relation": `SELECT n.nspname, c.relname, c.relkind::text, c.relrowsecurity::text, c.relforcerowsecurity::text,
			coalesce(c.reloptions::text, ''), coalesce(c.relacl::text, ''), pg_get_userbyid(c.relowner)::text
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ` + schemas,
		"constraint": `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
			WHERE connamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ` + schemas + `)`,
		"index":   `SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname IN ` + schemas,
		"trigger": `SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled::text FROM pg_trigger WHERE NOT tgisinternal`,
		"policy": `SELECT schemaname, tablename, policyname, permissive, roles::text, cmd, coalesce(qual, ''), coalesce(with_check, '')
			FROM pg_policies WHERE schemaname IN ` + schemas,
		"function": `SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid), coalesce(p.proacl::text, ''), pg_get_userbyid(p.proowner)::text
			FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ` + schemas,
		"view":   `SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname IN ` + schemas,
		"schema": `SELECT nspname, coalesce(nspacl::text, ''), pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname IN ` + schemas,
		"grant": `SELECT grantor, grantee, table_schema, table_name, privilege_type, is_grantable
			FROM information_schema.role_table_grants WHERE table_schema IN ` + schemas,
		"routine_grant": `SELECT grantor, grantee, routine_schema, routine_name, privilege_type
			FROM information_schema.role_routine_grants WHERE routine_schema IN ` + schemas,
		"role": `SELECT rolname, rolsuper::text, rolinherit::text, rolcanlogin::text, rolbypassrls::text, rolconnlimit::text
			FROM pg_roles WHERE rolname IN ('pam_device', 'authenticated', 'anon')`,
		"membership": `SELECT r.rolname, m.rolname, a.admin_option::text FROM pg_auth_members a
			JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
			WHERE (r.rolname IN ('pam_device', 'authenticated', 'anon') OR m.rolname IN ('pam_device', 'authenticated', 'anon'))
			AND m.rolname NOT LIKE 'pam\_dev\_%'`,
		"meta": `SELECT key, value FROM pam_sync.meta`,
	}
	var out []string
	for kind, q := range queries {
		rows, err := conn.Query(testContext(t), q)
		if err != nil {
			t.Fatalf("snapshot %s: %v", kind, err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = fmt.Sprint(v)
			}
			out = append(out, kind+": "+strings.Join(parts, " | "))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatalf("snapshot %s: %v", kind, err)
		}
	}
	slices.Sort(out)
	return out
}

// TestInitConcurrent runs Init from several sessions at once on one fresh
// database: the advisory lock serialises them and all succeed.
func TestInitConcurrent(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		conn := pgtest.Connect(t, url)
		wg.Go(func() { errs[i] = central.Init(testContext(t), conn, schema.Default()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Init %d: %v", i, err)
		}
	}
}

// TestInitRefusesUnprivileged: a role that can neither bypass RLS nor is a
// superuser would hide every row from itself under FORCE ROW LEVEL SECURITY.
func TestInitRefusesUnprivileged(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDB(t)
	conn := pgtest.Connect(t, url)
	mustExec(t, conn, `SET ROLE pg_read_all_data`)
	err := central.Init(testContext(t), conn, schema.Default())
	mustExec(t, conn, `RESET ROLE`)
	if err != central.ErrNotPrivileged {
		t.Fatalf("Init as pg_read_all_data: %v, want ErrNotPrivileged", err)
	}
}

// TestInitKeepsSupabaseAuth: on a Supabase project auth.uid() exists and
// belongs to Supabase; Init must use it, never replace it.
func TestInitKeepsSupabaseAuth(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDB(t)
	conn := pgtest.Connect(t, url)
	const body = `SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid /* supabase */`
	mustExec(t, conn, `CREATE SCHEMA auth`)
	mustExec(t, conn, `CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$`+body+`$$`)
	if err := central.Init(testContext(t), conn, schema.Default()); err != nil {
		t.Fatal(err)
	}
	var src string
	conn.QueryRow(testContext(t), `SELECT prosrc FROM pg_proc WHERE oid = 'auth.uid()'::regprocedure`).Scan(&src)
	if src != body {
		t.Fatalf("auth.uid() replaced: %s", src)
	}
	insertExpense(t, conn, expenseID, user1, "1")
	var n int64
	err := pgx.BeginFunc(testContext(t), conn, func(tx pgx.Tx) error {
		mustExec(t, tx, `SET LOCAL ROLE authenticated`)
		mustExec(t, tx, `SELECT set_config('request.jwt.claim.sub', $1, true)`, user1)
		return tx.QueryRow(testContext(t), `SELECT count(*) FROM expenses`).Scan(&n)
	})
	if err != nil || n != 1 {
		t.Fatalf("web app through Supabase's auth.uid(): %d rows, %v", n, err)
	}
}

// TestContractVersions: the version Init installs is the one devices speak.
func TestContractVersions(t *testing.T) {
	if central.SchemaVersion != replica.ContractVersion {
		t.Fatalf("central installs contract %s, devices speak %s", central.SchemaVersion, replica.ContractVersion)
	}
}
