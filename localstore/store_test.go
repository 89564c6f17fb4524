package localstore_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"

	_ "modernc.org/sqlite"
)

var update = flag.Bool("update", false, "rewrite generated files")

// MustOpenStore opens a store on a fresh file with a fixed clock.
func MustOpenStore(tb testing.TB) *localstore.Store {
	tb.Helper()
	return storetest.Open(tb, storetest.Options{Start: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)})
}

func TestMigrationMatchesSchema(t *testing.T) {
	path := filepath.Join("migrations", "0001_tables.sql")
	want := localstore.TablesSQL(schema.Default())
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date with package schema; run go test ./localstore -run TestMigrationMatchesSchema -update", path)
	}
}

func TestOpenHealth(t *testing.T) {
	s := MustOpenStore(t)
	h, err := s.Health(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !h.OK() || h.TablesPresent != 39 {
		t.Fatalf("health = %+v, want ok and 39/39", h)
	}
	if s.DeviceID() == "" {
		t.Fatal("no device id")
	}
}

// TestUpgradeKeepsOutbox opens a database made by the first two migrations
// with changes still pending, as a device would have it, and checks that
// the later migrations (0003 rebuilds the outbox) keep every entry.
func TestUpgradeKeepsOutbox(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), localstore.FileName)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE _pam_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"migrations/0001_tables.sql", "migrations/0002_changelog.sql"} {
		body, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := db.Exec(`INSERT INTO _pam_migrations VALUES (?, '2026-01-01T00:00:00Z')`, name); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 3; i++ {
		if _, err := db.Exec(`INSERT INTO _pam_changes (tx, hlc, tbl, row_id, user_id, op, cl, data, created_at)
			VALUES (?, ?, 'expenses', ?, ?, 'create', 1, '{"amount":1200,"category":"fuel"}', '2026-01-01T00:00:00Z')`,
			100, 100+i, fmt.Sprintf("0190a000-0000-7000-8000-%012d", i), alice); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := localstore.New(path, schema.Default())
	if err := s.Open(ctx); err != nil {
		t.Fatalf("open upgraded store: %v", err)
	}
	defer s.Close()
	out, err := s.Outbox(ctx, 100)
	if err != nil || len(out) != 3 {
		t.Fatalf("outbox after upgrade: %d entries, %v; want 3", len(out), err)
	}
	for i, e := range out {
		if e.Seq != int64(i+1) || e.Op != schema.OpCreate || e.Data["category"] != "fuel" {
			t.Fatalf("entry %d after upgrade: %+v", i, e)
		}
	}
	// Writes go on recording into the rebuilt table.
	if _, err := s.Create(ctx, alice, "expenses", schema.Row{"amount": "1", "category": "fuel", "date": "2026-03-01"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PendingChanges(ctx); err != nil || n != 4 {
		t.Fatalf("pending after a write = %d, %v; want 4", n, err)
	}
}

// mustMigrateTo makes a database at path with only the named migrations
// applied, as an older release left it.
func mustMigrateTo(tb testing.TB, path string, names ...string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE _pam_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`); err != nil {
		tb.Fatal(err)
	}
	for _, name := range names {
		body, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		if _, err := db.Exec(`INSERT INTO _pam_migrations VALUES (?, '2026-01-01T00:00:00Z')`, name); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// TestUpgradeIndexesClock upgrades a database whose change log has no
// index on hlc: the clock's high-water mark survives, and reading it at
// start seeks the new index instead of scanning the log.
func TestUpgradeIndexesClock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), localstore.FileName)
	db := mustMigrateTo(t, path, "migrations/0001_tables.sql", "migrations/0002_changelog.sql", "migrations/0003_changelog_check.sql")
	const top = int64(1) << 60 // far ahead of the wall clock
	for i := int64(0); i < 500; i++ {
		hlc := 1000 + i
		if i == 250 {
			hlc = top // the log is in seq order; the mark need not be last
		}
		if _, err := db.Exec(`INSERT INTO _pam_changes (tx, hlc, tbl, row_id, user_id, op, cl, data, created_at)
			VALUES (?, ?, 'expenses', ?, ?, 'create', 1, '{}', '2026-01-01T00:00:00Z')`,
			hlc, hlc, fmt.Sprintf("0190a000-0000-7000-8000-%012d", i), alice); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := localstore.New(path, schema.Default())
	if err := s.Open(ctx); err != nil {
		t.Fatalf("open upgraded store: %v", err)
	}
	defer s.Close()
	if now := int64(s.Clock().Now()); now <= top {
		t.Fatalf("clock after upgrade = %d, want past the log's high-water mark %d", now, top)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`EXPLAIN QUERY PLAN SELECT coalesce(max(hlc), 0) FROM _pam_changes`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "_pam_changes_hlc_idx") || strings.HasPrefix(plan[0], "SCAN") {
		t.Fatalf("start-up reads the clock with plan %q, want a search of _pam_changes_hlc_idx", plan)
	}
}
