package localstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// TestTokenCacheSeesEveryCommit: a token read once is served from memory
// while nothing commits, and stops at once when another process (another
// store on the same file) revokes it, or when it expires.
func TestTokenCacheSeesEveryCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), localstore.FileName)
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	open := func() *localstore.Store {
		t.Helper()
		s := localstore.New(path, schema.Default())
		s.Now = func() time.Time { return now }
		if err := s.Open(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	daemon, cli := open(), open()
	use := func(tok string) bool {
		t.Helper()
		u, ok := daemon.TokenUser(ctx, tok)
		if ok && u != alice {
			t.Fatalf("token of %s, want %s", u, alice)
		}
		return ok
	}

	tok, info, err := cli.NewToken(ctx, alice, "phone", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first use records it (a commit), the second reads it again
		if !use(tok) {
			t.Fatal("new token refused")
		}
	}
	if n := daemon.TokensRemembered(); n != 1 {
		t.Fatalf("%d tokens remembered after three uses, want 1", n)
	}
	if runtime.GOOS == "linux" && !daemon.TokenCacheMapsWALIndex() {
		t.Error("the token cache reads data_version: the WAL index could not be mapped")
	}
	if _, err := cli.RevokeToken(ctx, "", info.ID); err != nil {
		t.Fatal(err)
	}
	if use(tok) {
		t.Fatal("token revoked by another process still works")
	}

	// A row deleted by hand, on a plain SQLite connection.
	byHand, handInfo, err := cli.NewToken(ctx, alice, "by hand", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if !use(byHand) {
			t.Fatal("new token refused")
		}
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM _pam_tokens WHERE substr(hash, 1, 16) = ?`, handInfo.ID); err != nil {
		t.Fatal(err)
	}
	if use(byHand) {
		t.Fatal("token whose row was deleted by hand still works")
	}

	short, _, err := cli.NewToken(ctx, alice, "visitor", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if !use(short) {
			t.Fatal("unexpired token refused")
		}
	}
	now = now.Add(2 * time.Hour)
	if use(short) {
		t.Fatal("expired token still works from memory")
	}
}
