package main_test

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestTokenListRevoke: `pamd token list|revoke` work with the data
// directory free and beside a serving daemon (through its control socket),
// and a revoked token is refused by the daemon at once.
func TestTokenListRevoke(t *testing.T) {
	bin := mustBuild(t)
	dataDir := t.TempDir()
	const (
		owner = "0190a000-0000-7000-8000-0000000000a1"
		phone = "0190a000-0000-7000-8000-0000000000b2"
	)
	ownerTok := issueToken(t, bin, dataDir, owner)
	out, err := runPamd(t, bin, nil, "token", "--data-dir", dataDir, "--user", phone, "--label", "bobs-phone", "--expires", "720h", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	phoneTok := out
	list := func() string {
		t.Helper()
		out, err := runPamd(t, bin, nil, "token", "list", "--data-dir", dataDir, "--log-level", "warn")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	idOf := func(listing, label string) string {
		t.Helper()
		for _, line := range strings.Split(listing, "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[2] == label {
				return f[0]
			}
		}
		t.Fatalf("no token labelled %s in:\n%s", label, listing)
		return ""
	}
	offline := list()
	if !strings.Contains(offline, "LAST USED") || !strings.Contains(offline, phone) || strings.Count(offline, "never") != 3 {
		t.Fatalf("list without a daemon (want two tokens, unused, one expiring):\n%s", offline)
	}

	addr := freePort(t)
	serve := exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", addr, "--log-level", "warn")
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Signal(syscall.SIGTERM); serve.Wait() }()
	waitHealthy(t, addr)
	status := func(tok string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/wins/expenses", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := status(phoneTok); s != 200 {
		t.Fatalf("phone token: %d", s)
	}
	served := list()
	if idOf(served, "bobs-phone") != idOf(offline, "bobs-phone") || strings.Count(served, "never") != 2 {
		t.Fatalf("list beside the daemon (want the phone's last use shown):\n%s", served)
	}
	out, err = runPamd(t, bin, nil, "token", "revoke", idOf(served, "bobs-phone"), "--data-dir", dataDir, "--log-level", "warn")
	if err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke beside the daemon: %q %v", out, err)
	}
	if s := status(phoneTok); s != 401 {
		t.Fatalf("revoked phone token: %d, want 401 at once", s)
	}
	if s := status(ownerTok); s != 200 {
		t.Fatalf("owner token after revoking the phone's: %d", s)
	}
	// A phone pairs with the code `pamd pair` shows; `pamd token revoke`
	// takes its token back at once.
	out, err = runPamd(t, bin, nil, "pair", "--data-dir", dataDir, "--log-level", "warn")
	if err != nil || !strings.HasPrefix(out, "pairing code: ") {
		t.Fatalf("pamd pair: %q %v", out, err)
	}
	code := strings.Fields(out)[2]
	resp, err := http.Post("http://"+addr+"/api/v1/auth/pair", "application/json", strings.NewReader(`{"code": "`+code+`", "name": "Carol's phone"}`))
	if err != nil {
		t.Fatal(err)
	}
	var paired struct {
		Token   string `json:"token"`
		TokenID string `json:"token_id"`
	}
	json.NewDecoder(resp.Body).Decode(&paired)
	resp.Body.Close()
	if resp.StatusCode != 201 || status(paired.Token) != 200 {
		t.Fatalf("pairing with %s: %d, token %q", code, resp.StatusCode, paired.Token)
	}
	if !strings.Contains(list(), "paired: Carol's phone") {
		t.Fatal("the paired phone's token is not listed")
	}
	if _, err := runPamd(t, bin, nil, "token", "revoke", paired.TokenID, "--data-dir", dataDir, "--log-level", "warn"); err != nil {
		t.Fatal(err)
	}
	if s := status(paired.Token); s != 401 {
		t.Fatalf("revoked paired token: %d, want 401 at once", s)
	}
	if _, err := runPamd(t, bin, nil, "token", "revoke", "0123456789abcdef", "--data-dir", dataDir, "--log-level", "warn"); err == nil || !strings.Contains(err.Error(), "no token") {
		t.Fatalf("revoking an unknown id: %v, want a refusal saying no token", err)
	}
}
