package main_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestServeDamagedDatabase: with 60 bytes flipped in the middle of pam.db
// (not its header) the daemon starts, answers reads, refuses every write
// with 503 and a message that says what to do, and health says degraded.
func TestServeDamagedDatabase(t *testing.T) {
	bin := mustBuild(t)
	dataDir := t.TempDir()
	if out, err := runPamd(t, bin, nil, "demo", "--data-dir", dataDir, "--log-level", "warn"); err != nil {
		t.Fatalf("demo: %v %s", err, out)
	}
	token, err := runPamd(t, bin, nil, "token", "--data-dir", dataDir, "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dataDir, "pam.db")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	page := len(body) / pageSize / 2
	for i := 0; i < 60; i++ {
		body[page*pageSize+i] ^= 0xa5
	}
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cmd := startPamd(t, bin, dataDir, addr)
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	call := func(method, p, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+p, strings.NewReader(body))
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
	detail, _ := out["detail"].(string)
	if status != http.StatusServiceUnavailable || !strings.Contains(detail, "damaged") || !strings.Contains(detail, "backup") || !strings.Contains(detail, "re-sync from central") {
		t.Fatalf("create on a damaged file: %d %v; want 503 saying it is damaged and the way back", status, out)
	}
	if status, out := call("GET", "/api/v1/pam/database/schema", ""); status != 200 {
		t.Fatalf("a read on a damaged file: %d %v", status, out)
	}
	if status, out := call("POST", "/api/v1/pam/database/read", `{"table":"profiles"}`); status != 200 {
		t.Fatalf("read profiles on a damaged file: %d %v", status, out)
	}
	status, out = call("GET", "/api/v1/health", "")
	if status != 200 || out["status"] != "degraded" || !strings.Contains(out["reason"].(string), "damaged") ||
		out["integrity"].(map[string]any)["status"] != "damaged" {
		t.Fatalf("health on a damaged file: %d %v", status, out)
	}
}
