package main_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestImportBesideDaemon: while pamd serve holds the data directory, pamd
// import and export go through its control socket, so the daemon writes
// through its own store and a read it had cached shows the rows at once;
// a bad file still writes nothing and names the line. The dashboard's
// upload route takes a file the same way.
func TestImportBesideDaemon(t *testing.T) {
	bin := mustBuild(t)
	dataDir := t.TempDir()
	const user = "0190a000-0000-7000-8000-0000000000a1"
	token := issueToken(t, bin, dataDir, user)
	addr := freePort(t)
	serve := startPamd(t, bin, dataDir, addr)
	defer func() { serve.Process.Signal(syscall.SIGTERM); serve.Wait() }()

	fills := func() int {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/pam/database/read", strings.NewReader(`{"table":"fuel_log"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Count int `json:"count"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("read fuel_log: %d %v", resp.StatusCode, err)
		}
		return out.Count
	}
	if n := fills(); n != 0 { // the daemon caches this empty answer
		t.Fatalf("%d fill-ups before the import", n)
	}
	testdata := func(name string) string { return filepath.Join("..", "..", "agent", "transfer", "testdata", name) }
	out, err := runPamd(t, bin, nil, "import", "--data-dir", dataDir, "--log-level", "warn", "fuelly", testdata("fuelly.csv"))
	if err != nil || !strings.Contains(out, "6 new") {
		t.Fatalf("import beside the daemon: %v\n%s", err, out)
	}
	if n := fills(); n != 6 {
		t.Fatalf("the daemon reads %d fill-ups after the import, want 6 (a stale cached read)", n)
	}
	out, err = runPamd(t, bin, nil, "import", "--data-dir", dataDir, "--log-level", "warn", "fuelly", testdata("fuelly.csv"))
	if err != nil || !strings.Contains(out, "0 new,     6 already present") {
		t.Fatalf("second import beside the daemon: %v\n%s", err, out)
	}
	if _, err := runPamd(t, bin, nil, "import", "--data-dir", dataDir, "--log-level", "warn", "lubelogger-fuel", testdata("lubelogger_fuel_bad.csv")); err == nil || !strings.Contains(err.Error(), "line 5: FuelConsumed") {
		t.Fatalf("bad file beside the daemon: %v", err)
	}
	if n := fills(); n != 6 {
		t.Fatalf("the bad file changed the fill-ups: %d", n)
	}

	zipFile := filepath.Join(t.TempDir(), "x.zip")
	if out, err := runPamd(t, bin, nil, "export", "--data-dir", dataDir, "--log-level", "warn", zipFile); err != nil || !strings.Contains(out, "exported") {
		t.Fatalf("export beside the daemon: %v\n%s", err, out)
	}
	zr, err := zip.OpenReader(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if _, err := zr.Open("csv/fuel_log.csv"); err != nil {
		t.Errorf("the export lacks csv/fuel_log.csv: %v", err)
	}

	// The upload route (for the dashboard) over HTTP with a bearer token.
	gpx, err := os.Open(testdata("route500.gpx"))
	if err != nil {
		t.Fatal(err)
	}
	defer gpx.Close()
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/transfer/import/gpx", gpx)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"manual_waypoints":505`) || !strings.Contains(string(body), `"cost":"`) {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
}
