package main_test

import (
	"database/sql"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
	var backup string
	for i := 0; backup == ""; i++ { // the job's first copy
		entries, _ := os.ReadDir(filepath.Join(dataDir, "backups"))
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".db") {
				backup = filepath.Join(dataDir, "backups", e.Name())
			}
		}
		if i > 600 {
			t.Fatal("no backup was written")
		}
		time.Sleep(50 * time.Millisecond)
	}
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
