package supabasetest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

func testContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// mustInstall returns a fresh database with the fixture installed.
func mustInstall(tb testing.TB) supabasetest.Fixture {
	tb.Helper()
	return supabasetest.Install(tb, pgtest.NewDB(tb))
}

// queryString runs a one-value query.
func queryString(tb testing.TB, conn *pgx.Conn, sql string, args ...any) string {
	tb.Helper()
	var s string
	if err := conn.QueryRow(testContext(tb), sql, args...).Scan(&s); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return s
}

// TestInstall checks the fixture against the facts it reduces.
func TestInstall(t *testing.T) {
	t.Parallel()
	f := mustInstall(t)
	admin := pgtest.Connect(t, f.AdminURL)

	t.Run("roles", func(t *testing.T) {
		tests := []struct{ role, want string }{
			{"anon", "login=f inherit=t bypassrls=f super=f createrole=f"},
			{"authenticated", "login=f inherit=t bypassrls=f super=f createrole=f"},
			{"service_role", "login=f inherit=t bypassrls=t super=f createrole=f"},
			{"authenticator", "login=t inherit=f bypassrls=f super=f createrole=f"},
			{"supabase_auth_admin", "login=t inherit=f bypassrls=f super=f createrole=f"},
			{supabasetest.Installer, "login=t inherit=t bypassrls=t super=f createrole=t"},
		}
		for _, tt := range tests {
			got := queryString(t, admin, `SELECT format('login=%s inherit=%s bypassrls=%s super=%s createrole=%s',
  rolcanlogin, rolinherit, rolbypassrls, rolsuper, rolcreaterole) FROM pg_roles WHERE rolname = $1`, tt.role)
			if got != tt.want {
				t.Errorf("%s: %s, want %s", tt.role, got, tt.want)
			}
		}
		got := queryString(t, admin, `SELECT string_agg(r.rolname, ',' ORDER BY r.rolname) FROM pg_auth_members m
  JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'authenticator'`)
		if got != "anon,authenticated,service_role" {
			t.Errorf("authenticator is member of %s", got)
		}
	})

	t.Run("auth.uid reads request.jwt.claims", func(t *testing.T) {
		ctx := testContext(t)
		tx, err := admin.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "SELECT set_config('request.jwt.claims', $1, true)", supabasetest.Claims("authenticated", supabasetest.UserV)); err != nil {
			t.Fatal(err)
		}
		var uid, role, email, sub string
		if err := tx.QueryRow(ctx, "SELECT auth.uid()::text, auth.role(), auth.email(), auth.jwt()->>'sub'").Scan(&uid, &role, &email, &sub); err != nil {
			t.Fatal(err)
		}
		if uid != supabasetest.UserV || role != "authenticated" || email != "v@example.com" || sub != supabasetest.UserV {
			t.Errorf("auth functions: uid=%s role=%s email=%s sub=%s", uid, role, email, sub)
		}
	})

	t.Run("ids", func(t *testing.T) {
		tests := []struct{ table, want string }{
			{"expenses", "bigint nextval('expenses_id_seq'::regclass)"},
			{"fuel_log", "bigint nextval('fuel_log_id_seq'::regclass)"},
			{"maintenance_records", "bigint nextval('maintenance_records_id_seq'::regclass)"},
			{"pam_analytics_logs", "bigint nextval('pam_analytics_logs_id_seq'::regclass)"},
			{"budgets", "uuid gen_random_uuid()"},
			{"income_entries", "uuid gen_random_uuid()"},
			{"calendar_events", "uuid gen_random_uuid()"},
			{"social_posts", "uuid gen_random_uuid()"},
			{"profiles", "uuid auth.uid()"},
		}
		for _, tt := range tests {
			got := queryString(t, admin, `SELECT format_type(a.atttypid, a.atttypmod) || ' ' || pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = ('public.' || $1)::regclass AND a.attname = 'id'`, tt.table)
			if got != tt.want {
				t.Errorf("%s.id: %s, want %s", tt.table, got, tt.want)
			}
		}
	})

	t.Run("every table: owner, RLS, TO-less policies, cascade to auth.users, two users' rows", func(t *testing.T) {
		tables := []string{"profiles", "expenses", "fuel_log", "maintenance_records", "budgets", "budget_categories",
			"income_entries", "calendar_events", "social_posts", "pam_analytics_logs"}
		for _, table := range tables {
			got := queryString(t, admin, `SELECT format('owner=%s rls=%s policies=%s public-only=%s cascade=%s',
  pg_get_userbyid(c.relowner), c.relrowsecurity,
  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
  (SELECT bool_and(p.polroles = '{0}') FROM pg_policy p WHERE p.polrelid = c.oid),
  (SELECT bool_and(k.confdeltype = 'c') FROM pg_constraint k WHERE k.conrelid = c.oid AND k.confrelid = 'auth.users'::regclass))
FROM pg_class c WHERE c.oid = ('public.' || $1)::regclass`, table)
			if !strings.HasPrefix(got, "owner="+supabasetest.Installer+" rls=t policies=") ||
				!strings.HasSuffix(got, "public-only=t cascade=t") || strings.Contains(got, "policies=0 ") {
				t.Errorf("%s: %s", table, got)
			}
			key := "user_id"
			if table == "profiles" {
				key = "id"
			}
			counts := queryString(t, admin, `SELECT format('%s/%s', count(*) FILTER (WHERE `+key+` = $1), count(*) FILTER (WHERE `+key+` = $2)) FROM public.`+table,
				supabasetest.UserU, supabasetest.UserV)
			if counts == "0/0" || strings.HasPrefix(counts, "0/") || strings.HasSuffix(counts, "/0") {
				t.Errorf("%s: rows of U/V %s", table, counts)
			}
		}
	})

	t.Run("updated_at triggers, realtime, view columns", func(t *testing.T) {
		tests := []struct{ name, sql, want string }{
			{"triggers", `SELECT string_agg(tgrelid::regclass::text || ':' || tgname, ',' ORDER BY tgrelid::regclass::text) FROM pg_trigger WHERE NOT tgisinternal`,
				"calendar_events:update_calendar_events_updated_at,profiles:update_profiles_updated_at"},
			{"realtime", `SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'supabase_realtime'`,
				"calendar_events,expenses"},
			{"budget_summary", `SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'public.budget_summary'::regclass AND attnum > 0`,
				"user_id uuid,budget_id uuid,name text,total_budget numeric,total_spent numeric,total_remaining numeric"},
			{"anon grants", `SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM information_schema.role_table_grants WHERE grantee = 'anon' AND table_name = 'expenses'`,
				"DELETE,INSERT,REFERENCES,SELECT,TRIGGER,TRUNCATE,UPDATE"},
		}
		for _, tt := range tests {
			if got := queryString(t, admin, tt.sql); got != tt.want {
				t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
			}
		}
	})
}

// TestInstallBaseOnly: a clean Supabase project, with and without the
// default grants, is reachable by the installing role the way a project's
// postgres is: a table it creates is granted to the API roles only when the
// project has the default grants.
func TestInstallBaseOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts supabasetest.Options
		want string
	}{
		{"default grants", supabasetest.Options{BaseOnly: true}, "anon,authenticated,service_role," + supabasetest.Installer},
		{"no default grants", supabasetest.Options{BaseOnly: true, NoDefaultGrants: true}, supabasetest.Installer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			f := supabasetest.InstallWith(t, pgtest.NewDB(t), tt.opts)
			admin := pgtest.Connect(t, f.AdminURL)
			if got := queryString(t, admin, "SELECT count(*)::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"); got != "0" {
				t.Errorf("public has %s relations, want 0", got)
			}
			if got := queryString(t, admin, "SELECT count(*)::text FROM auth.users"); got != "2" {
				t.Errorf("auth.users has %s users, want 2", got)
			}
			owner := pgtest.Connect(t, f.OwnerURL)
			if _, err := owner.Exec(ctx, "CREATE TABLE public.probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid REFERENCES auth.users ON DELETE CASCADE)"); err != nil {
				t.Fatalf("the installing role cannot create a table referencing auth.users: %v", err)
			}
			got := queryString(t, admin, `SELECT string_agg(DISTINCT grantee, ',' ORDER BY grantee) FROM information_schema.role_table_grants WHERE table_name = 'probe'`)
			if got != tt.want {
				t.Errorf("probe is granted to %s, want %s", got, tt.want)
			}
		})
	}
}

// TestWebAppStatementsDeterministic runs the web app's statements on two
// fresh fixtures: the results are identical, so a before/after comparison
// with Run measures the adoption and nothing else. It also pins what the
// statements give on the web app's own database.
func TestWebAppStatementsDeterministic(t *testing.T) {
	t.Parallel()
	stmts := supabasetest.WebAppStatements()
	var runs [2][]supabasetest.Result
	for i := range runs {
		f := mustInstall(t)
		res, err := supabasetest.Run(testContext(t), f.AdminURL, stmts)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if len(res) != len(stmts) {
			t.Fatalf("run %d: %d results for %d statements", i, len(res), len(stmts))
		}
		runs[i] = res
	}
	if d := supabasetest.Diff(runs[0], runs[1]); d != "" {
		t.Errorf("not deterministic:\n%s", d)
	}

	byName := map[string]supabasetest.Result{}
	for _, r := range runs[0] {
		byName[r.Name] = r
	}
	tests := []struct {
		name     string
		sqlState string
		count    int64
		contains string
	}{
		{"expenses/insert without id", "", 1, `"id":"<number>"`},
		{"expenses/update by id", "", 1, `"amount":21.50`},
		{"expenses/delete by id", "", 1, ""},
		{"expenses/delete another user's row by id", "", 0, ""},
		{"expenses/read own", "", 3, ""},
		{"expenses/read without filter", "", 3, ""},
		{"fuel_log/insert without id", "", 1, `"id":"<number>"`},
		{"fuel_log/update by id", "", 1, `"odometer":121015`},
		{"fuel_log/delete by id", "", 1, ""},
		{"maintenance_records/insert without id nor user_id", "", 1, `"user_id":"` + supabasetest.UserU + `"`},
		{"budgets/insert without id", "", 1, `"id":"<string>"`},
		{"budgets/delete by category", "", 1, ""},
		{"budget_summary/read own", "", 2, `"total_budget":1000.00`},
		{"budget_summary/anon reads nothing", "", 0, ""},
		{"income_entries/insert without id", "", 1, `"id":"<string>"`},
		{"income_entries/delete by id", "", 1, ""},
		{"calendar_events/move by id", "", 1, `"updated_at":"<string>"`},
		{"profiles/read own", "", 1, `"email":"u@example.com"`},
		{"profiles/read another user's", "", 0, ""},
		{"profiles/update another user's", "", 0, ""},
		{"social_posts/anon reads approved", "", 2, ""},
		{"social_posts/anon reads all it may", "", 2, ""},
		{"social_posts/read feed", "", 3, `"status":"pending"`},
		{"social_posts/insert as another user", "42501", 0, ""},
		{"social_posts/anon insert", "42501", 0, ""},
		{"pam_analytics_logs/insert without id", "", 1, `"id":"<number>"`},
		{"service_role/insert expense for a user", "", 1, ""},
		{"service_role/read all expenses", "", 2, ""},
		{"service_role/delete a user's fuel log", "", 2, ""},
		{"realtime/web app tables published", "", 2, `{"replica_identity":"f","tablename":"calendar_events"}`},
		{"auth/delete user v", "", 1, ""},
		{"auth/after deletion: rows left per user", "", 2, `{"budget_categories":0,"budgets":0,"calendar_events":0,"expenses":0,"fuel_log":0,"income_entries":0,"maintenance_records":0,"pam_analytics_logs":0,"profiles":0,"social_posts":0,"user_id":"` + supabasetest.UserV + `"}`},
		{"auth/after deletion: v cannot read", "", 0, ""},
	}
	for _, tt := range tests {
		r, ok := byName[tt.name]
		if !ok {
			t.Errorf("%s: no such statement", tt.name)
			continue
		}
		if r.SQLState != tt.sqlState || r.Count != tt.count || !strings.Contains(r.Rows, tt.contains) {
			t.Errorf("%s, want sqlstate %q, %d rows containing %s", r, tt.sqlState, tt.count, tt.contains)
		}
	}
	for _, r := range runs[0] {
		if r.SQLState != "" && r.SQLState != "42501" {
			t.Errorf("unexpected failure: %s", r)
		}
	}
	if t.Failed() {
		for _, r := range runs[0] {
			t.Log(r)
		}
	}
}

// TestSnapshot: equal on two fresh fixtures, stable, and sensitive to a change.
func TestSnapshot(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	a, b := mustInstall(t), mustInstall(t)
	sa, err := supabasetest.Snapshot(ctx, a.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := supabasetest.Snapshot(ctx, b.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	if sa != sb {
		t.Errorf("snapshots of two fresh fixtures differ:\n%s", diffLines(sa, sb))
	}
	for _, want := range []string{
		`policy public.expenses "Users can manage their own expenses" PERMISSIVE ALL to=public using=(auth.uid() = user_id)`,
		"relation public.budget_summary kind=v owner=" + supabasetest.Installer,
		"publication supabase_realtime owner=" + supabasetest.Installer + " all=false public.calendar_events,public.expenses",
		"column auth.users.id uuid not null",
	} {
		if !strings.Contains(sa, want) {
			t.Errorf("snapshot lacks %q", want)
		}
	}
	owner := pgtest.Connect(t, a.OwnerURL)
	if _, err := owner.Exec(ctx, "ALTER TABLE public.expenses ADD COLUMN sync_id uuid"); err != nil {
		t.Fatal(err)
	}
	after, err := supabasetest.Snapshot(ctx, a.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffLines(sa, after); d != "+ column public.expenses.sync_id uuid pos=10" {
		t.Errorf("snapshot after adding a column, diff:\n%s", d)
	}
}

// diffLines lists the lines only in a (-) or only in b (+).
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestBeforeAdoption_DeviceRoleWithForgedClaimsReachesOtherUsersRows
// documents the hole the central installer must close: the web app's
// policies (auth.uid() = user_id, no TO clause) apply to every role, so a
// non-superuser login without BYPASSRLS - shaped like a PAM device role that
// was granted the tables - which sets request.jwt.claims to another user's
// id reads, changes and creates that user's rows. This is the state BEFORE
// adoption; after `central init --adopt` the same attempts must reach nothing.
func TestBeforeAdoption_DeviceRoleWithForgedClaimsReachesOtherUsersRows(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := mustInstall(t)
	admin := pgtest.Connect(t, f.AdminURL)

	rnd := make([]byte, 6)
	rand.Read(rnd)
	role := "pam_dev_before_" + hex.EncodeToString(rnd)
	ident := pgx.Identifier{role}.Sanitize()
	for _, s := range []string{
		"CREATE ROLE " + ident + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOINHERIT",
		"GRANT SELECT, INSERT, UPDATE, DELETE ON public.expenses, public.profiles TO " + ident,
		"GRANT USAGE ON SEQUENCE public.expenses_id_seq TO " + ident,
	} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, f.AdminURL)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close(ctx)
		// Privileges in this database first, then the cluster-wide role.
		for _, s := range []string{"DROP OWNED BY " + ident, "DROP ROLE " + ident} {
			if _, err := c.Exec(ctx, s); err != nil {
				t.Errorf("cleanup: %s: %v", s, err)
			}
		}
	})

	dev := pgtest.Connect(t, supabasetest.WithUser(f.AdminURL, role))
	if got := queryString(t, dev, "SELECT count(*)::text FROM public.expenses"); got != "0" {
		t.Fatalf("without claims the device role reads %s expenses, want 0", got)
	}
	if _, err := dev.Exec(ctx, "SELECT set_config('request.jwt.claims', $1, false)", `{"sub":"`+supabasetest.UserV+`"}`); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, sql, want string }{
		{"reads V's expenses", "SELECT count(*)::text FROM public.expenses WHERE user_id = '" + supabasetest.UserV + "'", "3"},
		{"reads V's profile e-mail", "SELECT email FROM public.profiles WHERE id = '" + supabasetest.UserV + "'", "v@example.com"},
		{"updates V's profile", "WITH u AS (UPDATE public.profiles SET nickname = 'owned' WHERE id = '" + supabasetest.UserV + "' RETURNING 1) SELECT count(*)::text FROM u", "1"},
		{"inserts an expense as V", "WITH i AS (INSERT INTO public.expenses (user_id, amount, category) VALUES ('" + supabasetest.UserV + "', 1, 'forged') RETURNING 1) SELECT count(*)::text FROM i", "1"},
		{"reads nothing of U meanwhile", "SELECT count(*)::text FROM public.expenses WHERE user_id = '" + supabasetest.UserU + "'", "0"},
	}
	for _, tt := range tests {
		if got := queryString(t, dev, tt.sql); got != tt.want {
			t.Errorf("%s: %s, want %s (the hole is documented as open before adoption)", tt.name, got, tt.want)
		}
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	a := supabasetest.Result{Name: "a", Count: 1, Rows: `{"x":1}`}
	b := supabasetest.Result{Name: "b", SQLState: "42883"}
	tests := []struct {
		name          string
		before, after []supabasetest.Result
		want          string
	}{
		{"equal", []supabasetest.Result{a, b}, []supabasetest.Result{a, b}, ""},
		{"changed", []supabasetest.Result{a}, []supabasetest.Result{{Name: "a", SQLState: "42883"}}, "--- before\na: 1 rows\n{\"x\":1}\n+++ after\na: ERROR 42883\n"},
		{"missing", []supabasetest.Result{a, b}, []supabasetest.Result{a}, "only before: b: ERROR 42883\n"},
	}
	for _, tt := range tests {
		if got := supabasetest.Diff(tt.before, tt.after); got != tt.want {
			t.Errorf("%s: Diff = %q, want %q", tt.name, got, tt.want)
		}
	}
}
