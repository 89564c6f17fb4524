package main_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestOneDaemonPerDataDir: while `pamd serve` holds a data directory, a
// second serve and every one-shot command that writes refuse, naming the
// holder's PID; `pamd token` goes through the daemon, so what it writes is
// read fresh through the daemon at once, even where the daemon had cached
// the read before: no path lets two caches disagree.
func TestOneDaemonPerDataDir(t *testing.T) {
	bin := mustBuild(t)
	dataDir := t.TempDir()
	const (
		alice  = "0190a000-0000-7000-8000-0000000000a1"
		bob    = "0190a000-0000-7000-8000-0000000000b2"
		secret = "a-jwt-secret-of-at-least-32-characters!!"
	)
	issueToken(t, bin, dataDir, alice) // before the daemon: locks, writes, unlocks
	addr := freePort(t)
	serve := exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", addr, "--jwt-secret", secret, "--log-level", "warn")
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Signal(syscall.SIGTERM); serve.Wait() }()
	waitHealthy(t, addr)
	pid := strconv.Itoa(serve.Process.Pid)

	// Bob signs in with a JWT before he is on the device: refused.
	bobJWT, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": bob, "aud": "authenticated", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	profiles := func(token string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/pam/database/read", strings.NewReader(`{"table":"profiles"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusForbidden {
			return -1 // not one of this device's users (issue 12)
		}
		var out struct {
			Count int `json:"count"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("read profiles: %d %v", resp.StatusCode, err)
		}
		return out.Count
	}
	// Since issue 12 a JWT is accepted only for the device's users: before
	// his token bob is refused (403), so nothing of his is cached; after
	// it, his JWT reads what the daemon wrote.
	for range 3 {
		if n := profiles(bobJWT); n != -1 {
			t.Fatalf("bob's JWT before he is on the device: %d profiles, want 403", n)
		}
		time.Sleep(20 * time.Millisecond) // let the cache take the answer
	}

	refusals := []struct {
		name string
		args []string
		want []string
	}{
		{"SecondServe", []string{"serve", "--listen", freePort(t)}, []string{"in use by pamd serve", "PID " + pid}},
		{"Demo", []string{"demo"}, []string{"in use by pamd serve", "PID " + pid, "stop it"}},
		{"SyncOnce", []string{"sync", "--once", "--central-url", "postgres://127.0.0.1:1/none"}, []string{"in use by pamd serve", "PID " + pid, "sync/now"}},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, append(tc.args, "--data-dir", dataDir, "--log-level", "warn")...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
				t.Fatalf("pamd %s beside a serving daemon: %v, want a non-zero exit", tc.name, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q does not say %q", stderr.String(), w)
				}
			}
		})
	}

	// `pamd token` still works beside the daemon (the README's first
	// step), through it: bob's new profile shows at once.
	bobToken := issueToken(t, bin, dataDir, bob)
	if n := profiles(bobJWT); n != 1 {
		t.Fatalf("bob's profile through the daemon after pamd token: %d rows, want 1 (a stale cached read)", n)
	}
	if n := profiles(bobToken); n != 1 {
		t.Fatalf("bob's new token reads %d profiles, want 1", n)
	}
	// The owner's token, without --user, also comes from the daemon.
	if out, err := runPamd(t, bin, nil, "token", "--data-dir", dataDir, "--log-level", "warn"); err != nil || !strings.HasPrefix(out, "pam_") {
		t.Fatalf("owner token beside the daemon: %q, %v", out, err)
	}
	if serve.ProcessState != nil {
		t.Fatal("the daemon exited")
	}
}
