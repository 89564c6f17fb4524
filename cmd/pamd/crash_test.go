package main_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// buildPamd compiles the daemon once per test binary.
var buildPamd = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pamd-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pamd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func mustBuild(tb testing.TB) string {
	tb.Helper()
	bin, err := buildPamd()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

func freePort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startPamd runs `pamd serve` and waits until it answers health.
func startPamd(tb testing.TB, bin, dataDir, addr string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", addr, "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	tb.Fatalf("pamd did not come up on %s", addr)
	return nil
}

func issueToken(tb testing.TB, bin, dataDir, user string) string {
	tb.Helper()
	out, err := exec.Command(bin, "token", "--data-dir", dataDir, "--user", user, "--log-level", "warn").Output()
	if err != nil {
		tb.Fatalf("pamd token: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestKill9DuringWrites kills a real pamd process with SIGKILL in the middle
// of a write loop, many times. After every restart each acknowledged write
// is present with exactly one change record, nothing is half-written, and
// the database passes its integrity check.
func TestKill9DuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes; skipped in -short")
	}
	bin := mustBuild(t)
	dataDir := t.TempDir()
	const user = "0190a000-0000-7000-8000-0000000000c1"
	token := issueToken(t, bin, dataDir, user)
	rng := rand.New(rand.NewPCG(7, 9))
	acked := map[string]bool{} // expense ids the daemon acknowledged
	const rounds = 25
	client := &http.Client{Timeout: 5 * time.Second}
	for round := 0; round < rounds; round++ {
		addr := freePort(t)
		cmd := startPamd(t, bin, dataDir, addr)
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					body := fmt.Sprintf(`{"table":"expenses","data":{"amount":"%d.%02d","category":"fuel","date":"2026-03-%02d","description":"round %d writer %d #%d"}}`,
						1+i%300, i%100, 1+i%28, round, w, i)
					req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/v1/pam/database/create", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err != nil {
						return // killed mid-request: not acknowledged
					}
					var out struct {
						Data map[string]any `json:"data"`
					}
					err = json.NewDecoder(resp.Body).Decode(&out)
					resp.Body.Close()
					if err == nil && resp.StatusCode == http.StatusCreated {
						mu.Lock()
						acked[out.Data["id"].(string)] = true
						mu.Unlock()
					}
				}
			}(w)
		}
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		cancel()
		wg.Wait()
		verifyAfterCrash(t, dataDir, acked)
	}
	if len(acked) < rounds*10 {
		t.Fatalf("only %d writes acknowledged over %d rounds: the loop did not exercise the daemon", len(acked), rounds)
	}
	t.Logf("%d rounds of kill -9, %d acknowledged writes, all present with one change record each", rounds, len(acked))
}

// verifyAfterCrash opens the database the way a restart would (WAL
// recovery included) and checks the invariants.
func verifyAfterCrash(t *testing.T, dataDir string, acked map[string]bool) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "pam.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	creates := map[string]int{}
	rows, err := db.Query(`SELECT row_id, count(*) FROM _pam_changes WHERE tbl = 'expenses' AND op = 'create' GROUP BY row_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		creates[id] = n
	}
	rows.Close()
	rows, err = db.Query(`SELECT id FROM expenses`)
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if creates[id] != 1 {
			t.Fatalf("expense %s has %d change records, want 1", id, creates[id])
		}
		present[id] = true
	}
	rows.Close()
	for id := range acked {
		if !present[id] {
			t.Fatalf("acknowledged expense %s is lost", id)
		}
	}
	var orphans int
	if err := db.QueryRow(`SELECT count(*) FROM _pam_changes c WHERE c.tbl = 'expenses' AND NOT EXISTS (SELECT 1 FROM expenses e WHERE e.id = c.row_id)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Fatalf("%d change records without their row: a half-written transaction", orphans)
	}
}

// TestServeSmoke runs the binary as a user would: serve with --demo on a new
// data dir, get a token, read the health and some data.
func TestServeSmoke(t *testing.T) {
	bin := mustBuild(t)
	dataDir := t.TempDir()
	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", addr, "--demo", "--log-level", "warn")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := sync.OnceFunc(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	defer stop()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pamd serve --demo did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, err := exec.Command(bin, "token", "--data-dir", dataDir, "--log-level", "warn").Output()
	if err != nil {
		t.Fatalf("pamd token: %v", err)
	}
	token := strings.TrimSpace(string(out))
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/pam/database/health", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h["tables_present"] != float64(39) || h["integrity"] != "ok" {
		t.Fatalf("database health = %v", h)
	}
	req, _ = http.NewRequest("GET", "http://"+addr+"/api/v1/wins/expenses?limit=5&order=-date", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Data  []map[string]any `json:"data"`
		Count int              `json:"count"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Data) != 5 || list.Count < 300 {
		t.Fatalf("demo expenses: %d rows of %d", len(list.Data), list.Count)
	}
	stop() // the output is complete once the process is gone
	sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
	sawToken := false
	for sc.Scan() {
		sawToken = sawToken || strings.Contains(sc.Text(), "pamd token")
	}
	if !sawToken {
		t.Fatalf("serve did not say how to get a token; stdout:\n%s", stdout.String())
	}
}
