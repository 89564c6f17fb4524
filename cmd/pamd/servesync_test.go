package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/sync/central/pgtest"
)

// TestServeSyncsWithCentral: the daemon started with a central URL syncs
// what the dashboard writes, on request and on its own.
func TestServeSyncsWithCentral(t *testing.T) {
	bin := mustBuild(t)
	adminURL := pgtest.NewDB(t)
	if _, err := runPamd(t, bin, nil, "central", "init", "--central-url", adminURL); err != nil {
		t.Fatal(err)
	}
	const user = "0190a000-0000-7000-8000-0000000000e1"
	deviceURL, err := runPamd(t, bin, nil, "central", "add-device", "--central-url", adminURL, "--user", user)
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	token := issueToken(t, bin, dataDir, user)
	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", addr, "--central-url", deviceURL, "--sync-schedule", "@every 1h", "--log-level", "warn")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	waitHealthy(t, addr)
	call := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := call("POST", "/api/v1/wins/expenses", `{"amount":"12.00","category":"propane","date":"2026-03-01"}`)
	if status != 201 {
		t.Fatalf("create: %d %v", status, out)
	}
	id := out["data"].(map[string]any)["id"].(string)
	status, out = call("POST", "/api/v1/sync/now?wait=true", "")
	if status != 200 {
		t.Fatalf("sync now: %d %v", status, out)
	}
	status, out = call("GET", "/api/v1/sync/status", "")
	if status != 200 || out["online"] != true || out["central"] != "configured" || out["pending_changes"] != float64(0) {
		t.Fatalf("sync status: %d %v", status, out)
	}
	admin, err := pgx.Connect(context.Background(), adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var n int
	admin.QueryRow(context.Background(), `SELECT count(*) FROM expenses WHERE id = $1`, id).Scan(&n)
	if n != 1 {
		t.Fatal("the expense did not reach central")
	}
	// A write while online is pushed by itself shortly after.
	_, out = call("POST", "/api/v1/wins/expenses", `{"amount":"5.00","category":"laundry","date":"2026-03-02"}`)
	id2 := out["data"].(map[string]any)["id"].(string)
	deadline := time.Now().Add(20 * time.Second)
	for {
		admin.QueryRow(context.Background(), `SELECT count(*) FROM expenses WHERE id = $1`, id2).Scan(&n)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a write while online was not pushed on its own")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/api/v1/health"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("pamd did not come up on %s", addr)
}
