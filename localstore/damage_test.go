package localstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// MustDamagedCopy writes a database of n expenses, closes it, and returns
// the path of a copy with 60 bytes flipped in the page in the middle of the
// file (not the header). The copy is the same size and opens.
func MustDamagedCopy(tb testing.TB, n int) string {
	tb.Helper()
	ctx := context.Background()
	s := MustOpenStore(tb)
	rows := make([]schema.Row, n)
	for i := range rows {
		rows[i] = schema.Row{"user_id": alice, "amount": fmt.Sprintf("%d.50", i%500), "category": "fuel",
			"date": fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28), "description": strings.Repeat("diesel ", 8)}
	}
	if err := s.Load(ctx, "expenses", rows, localstore.LoadOptions{Record: true}); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Create(ctx, alice, "profiles", schema.Row{}); err != nil {
		tb.Fatal(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	body, err := os.ReadFile(s.Path)
	if err != nil {
		tb.Fatal(err)
	}
	const pageSize = 4096 // SQLite's default, and ours
	page := len(body) / pageSize / 2
	for i := 0; i < 60; i++ {
		body[page*pageSize+i] ^= 0xa5
	}
	path := filepath.Join(tb.TempDir(), localstore.FileName)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestDamagedFile: a file damaged in the middle opens, reads go on, every
// write is refused with an error that says what to do, and the damage is
// reported.
func TestDamagedFile(t *testing.T) {
	ctx := context.Background()
	path := MustDamagedCopy(t, 4000)
	s := localstore.New(path, schema.Default())
	s.Logger = discardLogger()
	var told []localstore.Integrity
	var toldMu sync.Mutex
	s.OnDamage = func(v localstore.Integrity) { toldMu.Lock(); told = append(told, v); toldMu.Unlock() }
	if err := s.Open(ctx); err != nil {
		t.Fatalf("open a file damaged in the middle: %v", err)
	}
	defer s.Close()

	_, err := s.Create(ctx, alice, "expenses", schema.Row{"amount": "1", "category": "fuel", "date": "2026-03-01"})
	if schema.ErrorCode(err) != schema.EUNAVAILABLE {
		t.Fatalf("create on a damaged file: %v, want %s", err, schema.EUNAVAILABLE)
	}
	for _, want := range []string{"damaged", "backup", "re-sync from central"} {
		if msg := schema.ErrorMessage(err); !strings.Contains(msg, want) {
			t.Errorf("refusal %q does not say %q", msg, want)
		}
	}
	if _, err := s.IssueToken(ctx, alice, "x"); schema.ErrorCode(err) != schema.EUNAVAILABLE {
		t.Errorf("issue token on a damaged file: %v", err)
	}
	if err := s.ApplyRemote(ctx, func(*localstore.SyncTx) error { return nil }); schema.ErrorCode(err) != schema.EUNAVAILABLE {
		t.Errorf("apply pulled changes to a damaged file: %v", err)
	}
	// Reads stay available.
	if _, err := s.Get(ctx, alice, "profiles", alice); err != nil {
		t.Errorf("read on a damaged file: %v", err)
	}
	if v := s.Integrity(); v.Status != localstore.IntegrityDamaged || v.Detail == "" || v.CheckedAt.IsZero() {
		t.Fatalf("integrity = %+v, want damaged with the reason", v)
	}
	h, err := s.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.OK() || !h.WritesRefused {
		t.Fatalf("health = %+v, want the damage reported", h)
	}
	toldMu.Lock()
	if len(told) != 1 || told[0].Status != localstore.IntegrityDamaged {
		t.Errorf("OnDamage told %+v, want the damage once", told)
	}
	toldMu.Unlock()
	// Nothing was written: the file is as damaged as it was given.
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM _pam_tokens`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("tokens in the damaged file: %d, %v", n, err)
	}
}

// TestIntegrityFromMemory: the verdict of the check at Open is there to
// read without a query, and an on-demand full check renews it.
func TestIntegrityFromMemory(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	if _, err := s.Create(ctx, alice, "profiles", schema.Row{}); err != nil { // waits for the check at Open
		t.Fatal(err)
	}
	v := s.Integrity()
	if v.Status != localstore.IntegrityOK || v.Check != "quick_check" || v.CheckedAt.IsZero() {
		t.Fatalf("integrity after open = %+v", v)
	}
	if _, err := s.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if w := s.Integrity(); w.Check != "integrity_check" || w.CheckedAt.Before(v.CheckedAt) {
		t.Fatalf("integrity after an on-demand check = %+v", w)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestChecksOnSchedule: the quick check runs again every CheckEvery, and
// Close stops it.
func TestChecksOnSchedule(t *testing.T) {
	s := localstore.New(filepath.Join(t.TempDir(), localstore.FileName), schema.Default())
	s.CheckEvery = 5 * time.Millisecond
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seen := map[time.Time]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(seen) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the scheduled check ran %d times", len(seen))
		}
		if v := s.Integrity(); !v.CheckedAt.IsZero() {
			if v.Status != localstore.IntegrityOK || v.Check != "quick_check" {
				t.Fatalf("scheduled verdict = %+v", v)
			}
			seen[v.CheckedAt] = true
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	last := s.Integrity().CheckedAt
	time.Sleep(30 * time.Millisecond)
	if s.Integrity().CheckedAt != last {
		t.Fatal("a check ran after Close")
	}
}
