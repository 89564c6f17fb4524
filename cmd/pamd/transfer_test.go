package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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

// TestImportExportCLI imports files into a data directory, exports, and
// restores the export into a fresh one.
func TestImportExportCLI(t *testing.T) {
	ctx := context.Background()
	dirA, dirB := t.TempDir(), t.TempDir()
	steps := [][]string{
		{"import", "--data-dir", dirA, "--user", transferUserID, "--quiet", "fuelly", testdata("fuelly.csv")},
		{"import", "--data-dir", dirA, "--quiet", "lubelogger-service", testdata("lubelogger_service.csv")},
		{"import", "--data-dir", dirA, "--quiet", "--map", "date=Posted,amount=Amount,description=Payee,category=Category", "expenses-csv", testdata("bank.csv")},
		{"import", "--data-dir", dirA, "gpx", testdata("route500.gpx"), "--quiet"}, // flags after the arguments too
	}
	for _, args := range steps {
		out, err := pamdRun(t, args...)
		if err != nil {
			t.Fatalf("pamd %v: %v\n%s", args, err, out)
		}
	}
	out, err := pamdRun(t, "import", "--data-dir", dirA, "--quiet", "fuelly", testdata("fuelly.csv"))
	if err != nil || !strings.Contains(out, "0 new,     6 already present") || !strings.Contains(out, "30.43 mpg") {
		t.Fatalf("second fuelly import: %v\n%s", err, out)
	}
	out, err = pamdRun(t, "import", "--data-dir", dirA, "--quiet", "lubelogger-fuel", testdata("lubelogger_fuel_bad.csv"))
	if err == nil || !strings.Contains(err.Error(), "line 5: FuelConsumed") {
		t.Fatalf("bad file: %v\n%s", err, out)
	}
	if _, err := pamdRun(t, "import", "--data-dir", dirA, "nope", testdata("bank.csv")); err == nil || !strings.Contains(err.Error(), "unknown KIND") {
		t.Fatalf("unknown kind: %v", err)
	}

	zipA, zipB := filepath.Join(t.TempDir(), "a.zip"), filepath.Join(t.TempDir(), "b.zip")
	if out, err := pamdRun(t, "export", "--data-dir", dirA, zipA); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if out, err := pamdRun(t, "import", "--data-dir", dirB, "--user", transferUserID, "--quiet", "pam-export", zipA); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := pamdRun(t, "export", "--data-dir", dirB, zipB); err != nil {
		t.Fatalf("export of the restore: %v\n%s", err, out)
	}
	a, b := manifestTables(t, zipA), manifestTables(t, zipB)
	want := map[string]int{"profiles": 1, "fuel_log": 6, "maintenance_records": 3, "expenses": 4, "manual_waypoints": 505, "offroad_routes": 2}
	if !reflect.DeepEqual(a, want) || !reflect.DeepEqual(b, want) {
		t.Errorf("exported tables: %v, after restore %v, want %v", a, b, want)
	}

	// The restored profile is the exported one, not a fresh default, and
	// the user owns the new device.
	open := func(dir string) *localstore.Store {
		s := localstore.New(filepath.Join(dir, localstore.FileName), schema.Default())
		if err := s.Open(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	sa, sb := open(dirA), open(dirB)
	pa, _ := sa.Get(ctx, transferUserID, "profiles", transferUserID)
	pb, err := sb.Get(ctx, transferUserID, "profiles", transferUserID)
	if err != nil || pa["created_at"] != pb["created_at"] || sb.Owner() != transferUserID {
		t.Errorf("restored profile %v (owner %q), want the exported %v", pb, sb.Owner(), pa)
	}
}
