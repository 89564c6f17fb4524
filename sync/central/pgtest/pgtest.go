// Package pgtest gives tests a fresh, empty Postgres database on a real
// server, dropped when the test ends. Import it from tests only.
//
// The server is the one of $PAM_TEST_PG_URL, by default
// postgres://postgres@127.0.0.1:5432/test (then the same as root). When it
// cannot be reached the test is skipped, unless $CI is "true": then it fails,
// so a CI job never passes by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable that overrides the admin URL.
const EnvURL = "PAM_TEST_PG_URL"

var defaultURLs = []string{
	"postgres://postgres@127.0.0.1:5432/test",
	"postgres://root@127.0.0.1:5432/test",
}

// AdminURL connects to the test server as its administrator and returns the
// URL that worked, or skips (fails under CI) when none does.
func AdminURL(tb testing.TB) string {
	tb.Helper()
	urls := defaultURLs
	if u := os.Getenv(EnvURL); u != "" {
		urls = []string{u}
	}
	var lastErr error
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, u)
		if err == nil {
			conn.Close(ctx)
			cancel()
			return u
		}
		cancel()
		lastErr = err
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("pgtest: Postgres unreachable (CI=true, so this fails): %v; set %s", lastErr, EnvURL)
	}
	tb.Skipf("pgtest: Postgres unreachable, skipping: %v (set %s, or start the server: pg_ctlcluster <version> main start)", lastErr, EnvURL)
	return ""
}

// NewDB creates an empty database pamtest_<random> on the test server and
// returns its URL (as the administrator). The database is dropped, with any
// sessions still connected to it, when the test ends, and so are the device
// login roles bound in it (pam_sync.device_users).
func NewDB(tb testing.TB) string {
	tb.Helper()
	admin := AdminURL(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	rand.Read(b)
	name := "pamtest_" + hex.EncodeToString(b)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("pgtest: admin URL: %v", err)
	}
	u.Path = "/" + name
	dbURL := u.String()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		roles := deviceRoles(ctx, dbURL)
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		for _, r := range roles {
			if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{r}.Sanitize()); err != nil {
				tb.Errorf("pgtest: drop role %s: %v", r, err)
			}
		}
	})
	return dbURL
}

// deviceRoles lists the device login roles bound in the database (roles are
// cluster-wide, so a test that creates devices would otherwise leave them
// behind when its database is dropped).
func deviceRoles(ctx context.Context, dbURL string) []string {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT DISTINCT role_name FROM pam_sync.device_users WHERE role_name LIKE 'pam\_dev\_%'`)
	if err != nil {
		return nil // no pam_sync schema: no devices
	}
	roles, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	return roles
}

// Connect opens a connection closed when the test ends.
func Connect(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
