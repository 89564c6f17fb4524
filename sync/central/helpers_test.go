package central_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/merge"
)

// Users of the tests.
const (
	user1 = "11111111-1111-4111-8111-111111111111"
	user2 = "22222222-2222-4222-8222-222222222222"
	user3 = "33333333-3333-4333-8333-333333333333"
)

// MustInit returns the URL of a fresh database with the central schema
// installed, and an administrator connection to it.
func MustInit(tb testing.TB) (string, *pgx.Conn) {
	tb.Helper()
	url := pgtest.NewDB(tb)
	conn := pgtest.Connect(tb, url)
	if err := central.Init(testContext(tb), conn, schema.Default()); err != nil {
		tb.Fatalf("Init: %v", err)
	}
	return url, conn
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// MustAddDevice creates a device role bound to users and connects as it.
func MustAddDevice(tb testing.TB, admin *pgx.Conn, url string, users ...string) (*pgx.Conn, string) {
	tb.Helper()
	devURL, role := MustAddDeviceURL(tb, admin, url, users...)
	return pgtest.Connect(tb, devURL), role
}

// MustAddDeviceURL creates a device role bound to users and returns its URL
// and role; the role is dropped when the test ends.
func MustAddDeviceURL(tb testing.TB, admin *pgx.Conn, url string, users ...string) (string, string) {
	tb.Helper()
	devURL, role, err := central.AddDevice(testContext(tb), admin, url, users)
	if err != nil {
		tb.Fatalf("AddDevice: %v", err)
	}
	tb.Cleanup(func() {
		// Roles are cluster-wide: drop them, or every test run leaves some.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		central.RemoveDevice(ctx, c, role)
	})
	return devURL, role
}

func mustExec(tb testing.TB, conn interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, sql string, args ...any) pgconn.CommandTag {
	tb.Helper()
	tag, err := conn.Exec(testContext(tb), sql, args...)
	if err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return tag
}

func insertExpense(tb testing.TB, conn interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, id, user string, amount string) {
	tb.Helper()
	mustExec(tb, conn, `INSERT INTO expenses (id, user_id, amount, category, date) VALUES ($1, $2, $3::numeric, 'fuel', '2025-06-01')`, id, user, amount)
}

// entry is one change log row as the tests read it.
type entry struct {
	User   string
	Seq    int64
	Table  string
	RowID  string
	CL     int64
	Cells  map[string]merge.Cell
	Origin string
}

func logOf(tb testing.TB, conn *pgx.Conn, user string) []entry {
	tb.Helper()
	rows, err := conn.Query(testContext(tb), `SELECT user_id::text, seq, tbl, row_id::text, cl, origin,
			CASE WHEN hlc IS NULL THEN cells
			     ELSE coalesce((SELECT jsonb_object_agg(key, jsonb_build_object('v', value, 't', hlc, 'n', node)) FROM jsonb_each(cells)), '{}') END
		FROM pam_sync.change_log WHERE user_id = $1 ORDER BY seq`, user)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []entry
	for rows.Next() {
		var e entry
		var cells []byte
		if err := rows.Scan(&e.User, &e.Seq, &e.Table, &e.RowID, &e.CL, &e.Origin, &cells); err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(cells, &e.Cells); err != nil {
			tb.Fatalf("cells %s: %v", cells, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func countOf(tb testing.TB, conn *pgx.Conn, sql string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := conn.QueryRow(testContext(tb), sql, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return n
}

// sqlState returns the SQLSTATE of a Postgres error, "" otherwise.
func sqlState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// Error codes the tests expect.
const (
	codeInsufficientPrivilege = "42501" // permission denied; also RLS WITH CHECK violations
	codeRaiseException        = "P0001"
)

func wantCode(tb testing.TB, err error, code, what string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("%s: succeeded, want SQLSTATE %s", what, code)
	}
	if got := sqlState(err); got != code {
		tb.Fatalf("%s: %v (SQLSTATE %q), want SQLSTATE %s", what, err, got, code)
	}
}
