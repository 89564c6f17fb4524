// Package supabasetest builds, on the local test Postgres, a faithful
// reduction of the Wheels & Wins Supabase database: the Supabase base
// (roles anon, authenticated, service_role, authenticator,
// supabase_auth_admin; schema auth with auth.users and auth.uid() reading
// request.jwt.claims; the default privileges; the supabase_realtime
// publication), an installing role shaped like a project's "postgres"
// (NOSUPERUSER, BYPASSRLS, CREATEROLE), the web app's tables as the web app
// has them, and rows for two users. It also carries the web app's statements
// and a runner, so a test can check that they give the same results before
// and after PAM adopts the database, and a catalog snapshot for "changes
// nothing" assertions.
//
// The SQL is in testdata/*.sql, each table with the upstream file it comes
// from (github.com/Thabonel/wheels-wins-landing-page: types.ts and
// supabase/migrations; github.com/supabase/postgres and supabase/auth for the
// base). Import this package from tests only.
//
// Judgement calls, where the upstream facts disagree or are silent:
//   - types.ts (generated from the live database) wins over migrations for
//     columns, nullability and defaults; the migrations are CREATE TABLE IF
//     NOT EXISTS over tables that already existed live (fuel_log and
//     maintenance_records live have bigint ids and none of 05_vehicle_management's
//     columns). Numeric precisions types.ts cannot show are ours (money
//     numeric(10,2)/(12,2) as the migrations use).
//   - updated_at triggers only where types.ts has the column (profiles,
//     calendar_events): the triggers the migrations add on expenses and
//     budgets would fail on every update of the live tables, which lack it.
//   - social_posts keeps RLS on with the final "Anyone can view approved
//     posts" policy, although 20250712_simple_post_fix.sql (last by name)
//     disables RLS "for testing".
//   - No handle_new_user trigger on auth.users: its last version inserts
//     profiles.user_id, a column the live profiles does not have.
//   - The installing role stands in for postgres; the administrator of the
//     test server stands in for supabase_admin.
package supabasetest

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/sync/central/pgtest"
)

//go:embed testdata/*.sql
var sqlFiles embed.FS

// Installer is the installing role, the fixture's stand-in for a Supabase
// project's "postgres": LOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION
// BYPASSRLS, owner of the web app's tables. Roles are cluster-wide: every
// fixture shares this one (it owns nothing outside the fixture databases).
const Installer = "supabase_postgres"

// The Supabase roles. Anon, Authenticated and ServiceRole are NOLOGIN;
// Authenticator (PostgREST's login, NOINHERIT, member of the three) and
// AuthAdmin (GoTrue's login, owner of auth.users) log in.
const (
	Anon          = "anon"
	Authenticated = "authenticated"
	ServiceRole   = "service_role"
	Authenticator = "authenticator"
	AuthAdmin     = "supabase_auth_admin"
)

// The two users every fixture has, with rows in every table.
const (
	UserU = "aaaaaaaa-0000-4000-8000-00000000000a"
	UserV = "bbbbbbbb-0000-4000-8000-00000000000b"
)

// roleLockKey keys the advisory lock, taken in the server's admin database,
// that serialises role creation between fixtures of parallel tests and test
// binaries ("supaRole" in ASCII).
const roleLockKey = 0x73757061526f6c65

// Fixture is an installed Supabase-like database.
type Fixture struct {
	AdminURL         string // the administrator (superuser), the fresh database
	OwnerURL         string // logs in as Installer (trust auth, no password)
	AuthenticatorURL string // logs in as authenticator, as PostgREST does
	AuthAdminURL     string // logs in as supabase_auth_admin, as GoTrue does
	Database         string
	U, V             string // UserU, UserV
}

// Options vary the fixture; the zero value is the Wheels & Wins database.
type Options struct {
	// BaseOnly installs the Supabase base and the two users in auth.users,
	// without the web app's tables and rows: a clean Supabase project.
	BaseOnly bool
	// NoDefaultGrants leaves out the default privileges on schema public
	// (testdata/05_default_grants.sql), as projects created without the old
	// default grants to the Data API roles have it. Meant with BaseOnly: the
	// web app's tables would then have no grants and its statements fail.
	NoDefaultGrants bool
}

// Install builds the Wheels & Wins fixture in the fresh database of adminURL
// (from pgtest.NewDB): the cluster-wide roles where missing, the Supabase
// base (testdata/00_base.sql and 05_default_grants.sql, as the
// administrator), the web app's tables (testdata/10_webapp.sql, as
// Installer), the two users in auth.users (as supabase_auth_admin) and their
// rows (testdata/20_seed.sql, as authenticated with each user's claims,
// through authenticator).
func Install(tb testing.TB, adminURL string) Fixture {
	tb.Helper()
	return InstallWith(tb, adminURL, Options{})
}

// InstallWith is Install with options.
func InstallWith(tb testing.TB, adminURL string, opts Options) Fixture {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f, err := fixtureFor(adminURL)
	if err != nil {
		tb.Fatalf("supabasetest: %v", err)
	}
	if err := ensureRoles(ctx, pgtest.AdminURL(tb)); err != nil {
		tb.Fatalf("supabasetest: roles: %v", err)
	}
	admin, err := adminRole(ctx, adminURL)
	if err != nil {
		tb.Fatalf("supabasetest: %v", err)
	}
	repl := strings.NewReplacer(
		"{{installer}}", pgx.Identifier{Installer}.Sanitize(),
		"{{database}}", pgx.Identifier{f.Database}.Sanitize(),
		"{{admin}}", pgx.Identifier{admin}.Sanitize(),
	)
	steps := []struct{ file, url string }{{"testdata/00_base.sql", f.AdminURL}}
	if !opts.NoDefaultGrants {
		steps = append(steps, struct{ file, url string }{"testdata/05_default_grants.sql", f.AdminURL})
	}
	if !opts.BaseOnly {
		steps = append(steps, struct{ file, url string }{"testdata/10_webapp.sql", f.OwnerURL})
	}
	for _, s := range steps {
		if err := execFile(ctx, s.url, s.file, repl); err != nil {
			tb.Fatalf("supabasetest: %v", err)
		}
	}
	if err := signUp(ctx, f.AuthAdminURL, UserU, "u@example.com"); err != nil {
		tb.Fatalf("supabasetest: %v", err)
	}
	if err := signUp(ctx, f.AuthAdminURL, UserV, "v@example.com"); err != nil {
		tb.Fatalf("supabasetest: %v", err)
	}
	if opts.BaseOnly {
		return f
	}
	for _, u := range []struct{ id, tag string }{{UserU, "u"}, {UserV, "v"}} {
		if err := seed(ctx, f.AuthenticatorURL, u.id, u.tag); err != nil {
			tb.Fatalf("supabasetest: seed %s: %v", u.tag, err)
		}
	}
	return f
}

// fixtureFor derives the fixture's URLs from the admin URL of its database.
func fixtureFor(adminURL string) (Fixture, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return Fixture{}, fmt.Errorf("admin URL: %w", err)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		return Fixture{}, fmt.Errorf("admin URL %q names no database", adminURL)
	}
	return Fixture{
		AdminURL:         adminURL,
		OwnerURL:         WithUser(adminURL, Installer),
		AuthenticatorURL: WithUser(adminURL, Authenticator),
		AuthAdminURL:     WithUser(adminURL, AuthAdmin),
		Database:         db,
		U:                UserU,
		V:                UserV,
	}, nil
}

// WithUser returns dbURL logging in as user, without a password (the test
// server trusts local connections).
func WithUser(dbURL, user string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.User = url.User(user)
	return u.String()
}

// roleSQL creates the cluster-wide roles where missing and sets the
// attributes and memberships Supabase gives them (supabase/postgres
// init-scripts/00000000000000-initial-schema.sql and 00000000000001-auth-schema.sql,
// migrations 10000000000000_demote-postgres.sql for postgres,
// 20230529180330_alter_api_roles_for_inherit.sql for INHERIT,
// 20250605172253_grant_with_admin_to_postgres_16_and_above.sql for postgres's
// membership, 20260821154147_revoke_createrole_from_auth_admin.sql). Each
// creation tolerates a concurrent one from elsewhere (the central package
// creates anon and authenticated itself).
func roleSQL() []string {
	create := func(role, attrs string) string {
		return fmt.Sprintf(`DO $do$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %s) THEN
    BEGIN
      CREATE ROLE %s %s;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$do$`, quoteLiteral(role), pgx.Identifier{role}.Sanitize(), attrs)
	}
	roles := []struct{ name, attrs string }{
		{Anon, "NOLOGIN INHERIT"},
		{Authenticated, "NOLOGIN INHERIT"},
		{ServiceRole, "NOLOGIN INHERIT BYPASSRLS"},
		{Authenticator, "LOGIN NOINHERIT"},
		{AuthAdmin, "LOGIN NOINHERIT NOREPLICATION"},
		{Installer, "LOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS"},
	}
	var stmts []string
	for _, r := range roles {
		stmts = append(stmts, create(r.name, r.attrs))
		stmts = append(stmts, fmt.Sprintf("ALTER ROLE %s %s", pgx.Identifier{r.name}.Sanitize(), r.attrs))
	}
	return append(stmts,
		"GRANT anon, authenticated, service_role TO authenticator",
		"GRANT anon, authenticated, service_role TO "+pgx.Identifier{Installer}.Sanitize()+" WITH ADMIN OPTION",
	)
}

// ensureRoles runs roleSQL on the server of serverURL under an advisory
// lock held in that database, so fixtures of parallel tests (and of other
// test binaries, which use the same server database) never race on the
// shared catalog rows of roles.
func ensureRoles(ctx context.Context, serverURL string) error {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(roleLockKey)); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(roleLockKey))
	for _, s := range roleSQL() {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// adminRole names the role adminURL logs in as.
func adminRole(ctx context.Context, adminURL string) (string, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	var r string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&r); err != nil {
		return "", fmt.Errorf("current_user: %w", err)
	}
	return r, nil
}

// execFile runs one embedded SQL file, placeholders replaced, as one simple
// query (one implicit transaction) on a connection to dbURL.
func execFile(ctx context.Context, dbURL, name string, repl *strings.Replacer) error {
	b, err := sqlFiles.ReadFile(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("%s: connect: %w", name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, repl.Replace(string(b))); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// signUp creates a confirmed e-mail user in auth.users, as GoTrue does
// (connected as supabase_auth_admin).
func signUp(ctx context.Context, authAdminURL, id, email string) error {
	conn, err := pgx.Connect(ctx, authAdminURL)
	if err != nil {
		return fmt.Errorf("sign up %s: connect: %w", email, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO auth.users
  (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
   raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '',
   '2026-10-01 00:00:00+00', '{"provider": "email", "providers": ["email"]}', '{}',
   '2026-10-01 00:00:00+00', '2026-10-01 00:00:00+00')`, id, email)
	if err != nil {
		return fmt.Errorf("sign up %s: %w", email, err)
	}
	return nil
}

// seed inserts one user's rows as the web app does: through authenticator,
// as role authenticated with the user's claims, without ids.
func seed(ctx context.Context, authenticatorURL, uid, tag string) error {
	b, err := sqlFiles.ReadFile("testdata/20_seed.sql")
	if err != nil {
		return fmt.Errorf("read seed: %w", err)
	}
	sql := strings.NewReplacer("{{uid}}", uid, "{{who}}", tag).Replace(string(b))
	conn, err := pgx.Connect(ctx, authenticatorURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := actAs(ctx, tx, Authenticated, uid); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sql); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Claims returns the request.jwt.claims PostgREST sets for role and, when
// uid is not empty, that signed-in user (sub, email as the fixture names it).
func Claims(role, uid string) string {
	c := struct {
		Aud   string `json:"aud,omitempty"`
		Email string `json:"email,omitempty"`
		Role  string `json:"role"`
		Sub   string `json:"sub,omitempty"`
	}{Role: role}
	if uid != "" {
		c.Aud, c.Sub = "authenticated", uid
		switch uid {
		case UserU:
			c.Email = "u@example.com"
		case UserV:
			c.Email = "v@example.com"
		}
	}
	b, _ := json.Marshal(c) // a struct of strings always marshals
	return string(b)
}

// actAs switches the transaction to role with the claims of uid, as
// PostgREST does at the start of every request.
func actAs(ctx context.Context, tx pgx.Tx, role, uid string) error {
	if _, err := tx.Exec(ctx, "SET LOCAL ROLE "+pgx.Identifier{role}.Sanitize()); err != nil {
		return fmt.Errorf("set role %s: %w", role, err)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('request.jwt.claims', $1, true)", Claims(role, uid)); err != nil {
		return fmt.Errorf("set claims: %w", err)
	}
	return nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
