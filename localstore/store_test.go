package localstore_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

var update = flag.Bool("update", false, "rewrite generated files")

// MustOpenStore opens a store on a fresh file with a fixed clock.
func MustOpenStore(tb testing.TB) *localstore.Store {
	tb.Helper()
	s := localstore.New(filepath.Join(tb.TempDir(), localstore.FileName), schema.Default())
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { now = now.Add(time.Millisecond); return now }
	if err := s.Open(context.Background()); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
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
