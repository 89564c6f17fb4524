package main_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
	"github.com/pam-rv/pamd/sync/replica"
)

func runPamd(tb testing.TB, bin string, env []string, args ...string) (string, error) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && stderr.Len() > 0 {
		err = fmt.Errorf("%w: %s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), err
}

// TestSyncCrashPoints kills a real `pamd sync --once` with SIGKILL at each
// named step of a cycle (and `pamd serve` right after local commits), then
// lets the next run finish: zero changes lost, zero duplicated, both sides
// equal.
func TestSyncCrashPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes; skipped in -short")
	}
	bin := mustBuild(t)
	t.Run("plain", func(t *testing.T) {
		adminURL := pgtest.NewDB(t)
		syncCrashPoints(t, bin, crashEnv{adminURL: adminURL, installURL: adminURL, user: "0190a000-0000-7000-8000-0000000000d1", key: "id"})
	})
	t.Run("adopted", func(t *testing.T) {
		// The Wheels & Wins database adopted with init --adopt: expenses
		// keep their bigint ids, devices know them by pam_id.
		f := supabasetest.Install(t, pgtest.NewDB(t))
		syncCrashPoints(t, bin, crashEnv{adminURL: f.AdminURL, installURL: f.OwnerURL, user: f.U, key: central.SyncKey, adopt: true})
	})
}

// crashEnv is the central database a crash run syncs with.
type crashEnv struct {
	adminURL   string // a superuser, for the checks
	installURL string // the role that installs (the project's postgres on Supabase)
	user       string
	key        string // the column devices know expenses by
	adopt      bool
}

func syncCrashPoints(t *testing.T, bin string, env crashEnv) {
	ctx := context.Background()
	initArgs := []string{"central", "init", "--central-url", env.installURL}
	if env.adopt {
		initArgs = append(initArgs, "--adopt")
	}
	if _, err := runPamd(t, bin, nil, initArgs...); err != nil {
		t.Fatalf("central init: %v", err)
	}
	user := env.user
	deviceURL, err := runPamd(t, bin, nil, "central", "add-device", "--central-url", env.installURL, "--user", user)
	if err != nil {
		t.Fatalf("add-device: %v", err)
	}
	admin, err := pgx.Connect(ctx, env.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	dataDir := t.TempDir()
	token := issueToken(t, bin, dataDir, user)
	acked := map[string]bool{}

	// Local writes through the daemon, killed right after the last
	// acknowledged commit ("after local commit").
	writeAndKill := func(n int) {
		addr := freePort(t)
		cmd := startPamd(t, bin, dataDir, addr)
		for i := 0; i < n; i++ {
			body := fmt.Sprintf(`{"table":"expenses","data":{"amount":"%d.25","category":"fuel","date":"2026-04-%02d"}}`, i+1, 1+i%28)
			req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/pam/database/create", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct{ Data map[string]any }
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d", resp.StatusCode)
			}
			acked[out.Data["id"].(string)] = true
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	centralWrites := func(n int) {
		// Without an id, as the web app inserts: a uuid or a bigserial default.
		if _, err := admin.Exec(ctx, `INSERT INTO expenses (user_id, amount, category, date, created_at, updated_at)
			SELECT $1, i, 'central', current_date, now(), now() FROM generate_series(1, $2) i`, user, n); err != nil {
			t.Fatal(err)
		}
	}
	syncArgs := []string{"sync", "--once", "--quiet", "--data-dir", dataDir, "--central-url", deviceURL, "--page", "7", "--replay-window", "0s", "--log-level", "error"}
	for _, step := range []string{replica.StepPushSent, replica.StepPushCommitted, replica.StepPullMidPage, replica.StepPullCursorStored, replica.StepCompaction} {
		writeAndKill(20)
		centralWrites(15)
		_, err := runPamd(t, bin, []string{"PAM_TEST_CRASH_AT=" + step}, syncArgs...)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("step %s: pamd sync was not killed there (err %v)", step, err)
		}
		if _, err := runPamd(t, bin, nil, syncArgs...); err != nil {
			t.Fatalf("step %s: sync after the crash: %v", step, err)
		}
		verifySynced(t, admin, dataDir, user, env.key, acked, step)
	}
	t.Logf("%d acknowledged local writes and %d central writes survived a kill at each of 6 steps", len(acked), 5*15)
}

// verifySynced checks that nothing was lost or duplicated in either
// direction and that the device equals central.
func verifySynced(t *testing.T, admin *pgx.Conn, dataDir, user, key string, acked map[string]bool, step string) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "pam.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity, device string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("%s: integrity %q %v", step, integrity, err)
	}
	db.QueryRow(`SELECT value FROM _pam_meta WHERE key = 'device_id'`).Scan(&device)
	local := map[string]string{}
	rows, err := db.Query(`SELECT id, amount FROM expenses`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var amount int64
		rows.Scan(&id, &amount)
		local[id] = fmt.Sprint(amount)
	}
	rows.Close()
	central := map[string]string{}
	crows, err := admin.Query(ctx, `SELECT `+key+`::text, (amount * 100)::bigint FROM expenses WHERE user_id = $1`, user)
	if err != nil {
		t.Fatal(err)
	}
	for crows.Next() {
		var id string
		var amount int64
		crows.Scan(&id, &amount)
		central[id] = fmt.Sprint(amount)
	}
	crows.Close()
	for id := range acked {
		if _, ok := central[id]; !ok {
			t.Fatalf("%s: acknowledged write %s never reached central", step, id)
		}
	}
	if len(local) != len(central) {
		t.Fatalf("%s: device holds %d expenses, central %d", step, len(local), len(central))
	}
	for id, amount := range central {
		if local[id] != amount {
			t.Fatalf("%s: expense %s is %q on the device, %q centrally", step, id, local[id], amount)
		}
	}
	var dups int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM (SELECT origin_seq FROM pam_sync.change_log WHERE origin = $1
		GROUP BY origin_seq HAVING count(*) > 1) d`, device).Scan(&dups); err != nil {
		t.Fatal(err)
	}
	if dups != 0 {
		t.Fatalf("%s: %d local changes were applied centrally more than once", step, dups)
	}
	var pending int
	db.QueryRow(`SELECT count(*) FROM _pam_changes WHERE seq > coalesce((SELECT CAST(value AS INTEGER) FROM _pam_meta WHERE key = 'pushed_seq'), 0)`).Scan(&pending)
	if pending != 0 {
		t.Fatalf("%s: %d changes still pending after a full sync", step, pending)
	}
}
