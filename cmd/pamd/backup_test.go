package main_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
)

// TestBackupAndRestore: the daemon writes scheduled backups while it
// serves; `pamd restore` refuses while it runs, and once it is stopped
// puts a backup in place (integrity checked, the replaced file kept), so
// the next start serves the backup's data.
func TestBackupAndRestore(t *testing.T) {
	bin := mustBuild(t)
	dataDir := t.TempDir()
	const user = "0190a000-0000-7000-8000-0000000000c7"
	token := issueToken(t, bin, dataDir, user)
	addr := freePort(t)
	serve := exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", addr, "--backup-schedule", "@every 1s", "--log-level", "warn")
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	create := func(amount string) int {
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/pam/database/create",
			strings.NewReader(`{"table":"expenses","data":{"amount":"`+amount+`","category":"fuel","date":"2026-05-01"}}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; create("10.00") != http.StatusCreated; i++ { // the daemon is up
		if i > 600 {
			t.Fatal("the daemon did not answer")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The job's first copy to start after that write (the start-up run
	// may have copied the empty database before it).
	acked := time.Now().UTC()
	var backup string
	for i := 0; backup == ""; i++ {
		entries, _ := os.ReadDir(filepath.Join(dataDir, "backups"))
		for _, e := range entries {
			stamp := strings.TrimSuffix(strings.TrimPrefix(e.Name(), localstore.BackupPrefix), localstore.BackupSuffix)
			if at, err := time.Parse(backupStampLayout, stamp); err == nil && at.After(acked) {
				backup = filepath.Join(dataDir, "backups", e.Name())
			}
		}
		if i > 600 {
			t.Fatal("no backup was written")
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkJobsInHealth(t, addr, token)
	out, err := exec.Command(bin, "restore", "--data-dir", dataDir, backup).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "stop the daemon") {
		t.Fatalf("restore while serving: %v\n%s", err, out)
	}
	serve.Process.Signal(syscall.SIGTERM)
	serve.Wait()
	out, err = exec.Command(bin, "restore", "--data-dir", dataDir, backup).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "before-restore") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "pam.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var verdict string
	var n int
	db.QueryRow(`PRAGMA integrity_check`).Scan(&verdict)
	db.QueryRow(`SELECT count(*) FROM expenses WHERE user_id = ?`, user).Scan(&n)
	if verdict != "ok" || n < 1 {
		t.Fatalf("restored database: integrity %q, %d expenses", verdict, n)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if out, err := exec.Command(bin, "restore", "--data-dir", dataDir, junk).CombinedOutput(); err == nil || !strings.Contains(string(out), "not usable") {
		t.Fatalf("restore of a file that is not a database: %v\n%s", err, out)
	}
}

// backupStampLayout is the time in a backup's name (localstore.BackupName).
const backupStampLayout = "20060102T150405Z"

// checkJobsInHealth: /api/v1/health/detailed lists every scheduled job
// with its last run; the backup's says what it wrote.
func checkJobsInHealth(t *testing.T, addr, token string) {
	t.Helper()
	for i := 0; ; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/health/detailed", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Jobs []struct {
				Name    string `json:"name"`
				OK      bool   `json:"ok"`
				LastRun *struct {
					Result     string    `json:"result"`
					FinishedAt time.Time `json:"finished_at"`
				} `json:"last_run"`
			} `json:"jobs"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		names := map[string]bool{}
		done := true
		for _, j := range body.Jobs {
			names[j.Name] = true
			if j.LastRun == nil || j.LastRun.FinishedAt.IsZero() {
				done = false
				continue
			}
			if !j.OK {
				t.Fatalf("job %s failed: %+v", j.Name, j.LastRun)
			}
			if j.Name == "backup" && !strings.Contains(j.LastRun.Result, "written") {
				t.Fatalf("backup result = %q", j.LastRun.Result)
			}
		}
		for _, want := range []string{"backup", "insights", "expired_sessions", "track_retention"} {
			if !names[want] {
				t.Fatalf("jobs in health = %+v, missing %s", body.Jobs, want)
			}
		}
		if done {
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), `pamd_job_last_ok{job="backup"} 1`) {
				t.Fatalf("/metrics has no job results:\n%s", b)
			}
			return
		}
		if i > 600 {
			t.Fatalf("jobs never all ran: %+v", body.Jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
