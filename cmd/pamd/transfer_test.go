package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/transfer"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

const transferUserID = "0190c1a2-7b3c-7def-8123-456789abcdef"

// pamdRun runs a pamd command in this process.
func pamdRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, func(string) string { return "" })
	return out.String() + errOut.String(), err
}

func testdata(name string) string {
	return filepath.Join("..", "..", "agent", "transfer", "testdata", name)
}

func manifestTables(t *testing.T, file string) map[string]int {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var m struct{ Tables map[string]int }
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Tables
}

// TestImportExportCLI imports files next to an open store (the serving
// daemon's), exports, and restores the export into a fresh data directory.
func TestImportExportCLI(t *testing.T) {
	ctx := context.Background()
	dirA, dirB := t.TempDir(), t.TempDir()
	daemon := localstore.New(filepath.Join(dirA, localstore.FileName), schema.Default())
	if err := daemon.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()

	steps := [][]string{
		{"import", "--data-dir", dirA, "--user", transferUserID, "--quiet", "--direct", "fuelly", testdata("fuelly.csv")},
		{"import", "--data-dir", dirA, "--quiet", "--direct", "lubelogger-service", testdata("lubelogger_service.csv")},
		{"import", "--data-dir", dirA, "--quiet", "--direct", "--map", "date=Posted,amount=Amount,description=Payee,category=Category", "expenses-csv", testdata("bank.csv")},
		{"import", "--data-dir", dirA, "--quiet", "--direct", "gpx", testdata("route500.gpx")},
	}
	for _, args := range steps {
		out, err := pamdRun(t, args...)
		if err != nil {
			t.Fatalf("pamd %v: %v\n%s", args, err, out)
		}
	}
	out, err := pamdRun(t, "import", "--data-dir", dirA, "--quiet", "--direct", "fuelly", testdata("fuelly.csv"))
	if err != nil || !strings.Contains(out, "0 new,     6 already present") || !strings.Contains(out, "30.43 mpg") {
		t.Fatalf("second fuelly import: %v\n%s", err, out)
	}
	out, err = pamdRun(t, "import", "--data-dir", dirA, "--quiet", "--direct", "lubelogger-fuel", testdata("lubelogger_fuel_bad.csv"))
	if err == nil || !strings.Contains(err.Error(), "line 5: FuelConsumed") {
		t.Fatalf("bad file: %v\n%s", err, out)
	}
	// The serving store sees the imported rows (its cache aside: Each reads the file).
	n := 0
	if err := daemon.Each(ctx, transferUserID, "fuel_log", schema.Query{}, func(schema.Row) error { n++; return nil }); err != nil || n != 6 {
		t.Fatalf("the open store reads %d fill-ups (%v), want 6", n, err)
	}

	zipA, zipB := filepath.Join(t.TempDir(), "a.zip"), filepath.Join(t.TempDir(), "b.zip")
	if out, err := pamdRun(t, "export", "--direct", "--data-dir", dirA, zipA); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if out, err := pamdRun(t, "import", "--data-dir", dirB, "--user", transferUserID, "--quiet", "--direct", "pam-export", zipA); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := pamdRun(t, "export", "--direct", "--data-dir", dirB, zipB); err != nil {
		t.Fatalf("export of the restore: %v\n%s", err, out)
	}
	// The restored profile is the exported one, not a fresh default.
	restored := localstore.New(filepath.Join(dirB, localstore.FileName), schema.Default())
	if err := restored.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	pa, _ := daemon.Get(ctx, transferUserID, "profiles", transferUserID)
	pb, err := restored.Get(ctx, transferUserID, "profiles", transferUserID)
	if err != nil || pa["created_at"] != pb["created_at"] || restored.Owner() != transferUserID {
		t.Errorf("restored profile %v (owner %q), want the exported %v", pb, restored.Owner(), pa)
	}
	a, b := manifestTables(t, zipA), manifestTables(t, zipB)
	want := map[string]int{"profiles": 1, "fuel_log": 6, "maintenance_records": 3, "expenses": 4, "manual_waypoints": 505, "offroad_routes": 2}
	if !reflect.DeepEqual(a, want) || !reflect.DeepEqual(b, want) {
		t.Errorf("exported tables: %v, after restore %v, want %v", a, b, want)
	}
}

// TestImportThroughDaemon imports with a daemon serving the data
// directory: the file goes through its upload route, so its cached
// reads show the rows at once; a daemon of another directory is not used.
func TestImportThroughDaemon(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := localstore.New(filepath.Join(dir, localstore.FileName), schema.Default())
	if err := st.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := api.NewServer(st, st, st.Catalog)
	srv.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv.MountTransfer(&transfer.Importer{Store: st, Catalog: st.Catalog, Now: st.Now})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	count := func() int {
		res, err := st.Find(ctx, transferUserID, "fuel_log", schema.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Rows)
	}
	if n := count(); n != 0 { // cached: an empty page
		t.Fatalf("%d fill-ups before the import", n)
	}
	out, err := pamdRun(t, "import", "--data-dir", dir, "--user", transferUserID, "--url", hs.URL, "fuelly", testdata("fuelly.csv"))
	if err != nil || !strings.Contains(out, "through the daemon at "+hs.URL) || !strings.Contains(out, "6 new") {
		t.Fatalf("import through the daemon: %v\n%s", err, out)
	}
	if n := count(); n != 6 {
		t.Errorf("the daemon reads %d fill-ups after the import, want 6", n)
	}
	out, err = pamdRun(t, "import", "--data-dir", dir, "--url", hs.URL, "lubelogger-fuel", testdata("lubelogger_fuel_bad.csv"))
	if err == nil || !strings.Contains(err.Error(), "line 5: FuelConsumed") {
		t.Fatalf("bad file through the daemon: %v\n%s", err, out)
	}
	zipFile := filepath.Join(t.TempDir(), "x.zip")
	if out, err := pamdRun(t, "export", "--data-dir", dir, "--url", hs.URL, zipFile); err != nil || !strings.Contains(out, "through the daemon") {
		t.Fatalf("export through the daemon: %v\n%s", err, out)
	}
	if got := manifestTables(t, zipFile)["fuel_log"]; got != 6 {
		t.Errorf("exported %d fill-ups, want 6", got)
	}

	// With --token the data directory is never opened (a lock held by
	// the serving daemon cannot get in the way): here it cannot be.
	tok, err := st.IssueToken(ctx, transferUserID, "test")
	if err != nil {
		t.Fatal(err)
	}
	unusable := filepath.Join(zipFile, "not-a-dir")
	out, err = pamdRun(t, "import", "--data-dir", unusable, "--token", tok, "--url", hs.URL, "lubelogger-service", testdata("lubelogger_service.csv"))
	if err != nil || !strings.Contains(out, "3 new") {
		t.Fatalf("import with --token: %v\n%s", err, out)
	}

	// A daemon serving another data directory does not know the token:
	// the import falls back to the file.
	other := t.TempDir()
	out, err = pamdRun(t, "import", "--data-dir", other, "--user", transferUserID, "--url", hs.URL, "--quiet", "fuelly", testdata("fuelly.csv"))
	if err != nil || strings.Contains(out, "through the daemon") || !strings.Contains(out, "6 new") {
		t.Fatalf("import into another directory: %v\n%s", err, out)
	}
}
