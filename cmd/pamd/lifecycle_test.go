package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// mustOpenMain opens a daemon on a temp dir and ":0" with cfg's changes.
func mustOpenMain(tb testing.TB, change func(*Config)) *Main {
	tb.Helper()
	m := NewMain()
	m.Config.DataDir = tb.TempDir()
	m.Config.Listen = "127.0.0.1:0"
	m.Config.LLM.OllamaModel = "" // no local model to probe
	if change != nil {
		change(&m.Config)
	}
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Open(context.Background()); err != nil {
		m.Close()
		tb.Fatalf("open: %v", err)
	}
	return m
}

// TestSyncStartsAfterWiring: the sync loop starts its first cycle as soon
// as it is opened, and that cycle reads Notify. Every dependency must be
// set before: run under -race, this test fails when the loop starts
// before the assistant wires the notifications in.
func TestSyncStartsAfterWiring(t *testing.T) {
	m := mustOpenMain(t, func(c *Config) {
		// Nothing listens on port 1: the first cycle fails at once and
		// tells the notifier.
		c.CentralURL = "postgres://pamd@127.0.0.1:1/none?connect_timeout=2"
	})
	// The failure reaches the notifications (a retry follows with
	// backoff, so a subscriber that comes after the first one sees one).
	sub := m.assistant.hub.Subscribe("0190a000-0000-7000-8000-0000000000f1")
	defer sub.Close()
	select {
	case n := <-sub.C:
		if n.Type != "sync_failed" {
			t.Fatalf("notification = %+v, want sync_failed", n)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("no sync notification; status %+v", m.Sync.Status())
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMemoryLimitConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int64
		err  bool
	}{
		{"Default", nil, nil, DefaultMemoryLimit, false},
		{"Flag", []string{"--memory-limit", "1GiB"}, nil, 1 << 30, false},
		{"Env", nil, map[string]string{"PAM_MEMORY_LIMIT": "300MB"}, 300e6, false},
		{"FlagWinsOverEnv", []string{"--memory-limit", "256MiB"}, map[string]string{"PAM_MEMORY_LIMIT": "1GiB"}, 256 << 20, false},
		{"GOMEMLIMITKept", nil, map[string]string{"GOMEMLIMIT": "700MiB"}, 0, false},
		{"Off", []string{"--memory-limit", "0"}, nil, 0, false},
		{"Bytes", []string{"--memory-limit", "134217728"}, nil, 128 << 20, false},
		{"ErrTooSmall", []string{"--memory-limit", "1MiB"}, nil, 0, true},
		{"ErrGarbage", []string{"--memory-limit", "lots"}, nil, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			fs := newFlagSet("serve", io.Discard)
			cfg.bindServe(fs, env(func(k string) string { return tc.env[k] }))
			err := cfg.parse(fs, append(tc.args, "--data-dir", t.TempDir()), io.Discard)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), "--memory-limit") {
					t.Fatalf("parse = %v, want an error naming --memory-limit", err)
				}
				return
			}
			if err != nil || cfg.MemoryLimit != tc.want {
				t.Fatalf("memory limit = %d, %v; want %d", cfg.MemoryLimit, err, tc.want)
			}
		})
	}
}

// TestServeWaitsForOneShot: a daemon starting while a one-shot command
// holds the data directory waits for it; a second daemon is refused at
// once, naming the first.
func TestServeWaitsForOneShot(t *testing.T) {
	dir := t.TempDir()
	oneShot, err := lockDataDir(dir, "token")
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		close(released)
		oneShot.Close()
	}()
	m := mustOpenMain(t, func(c *Config) { c.DataDir = dir })
	defer m.Close()
	select {
	case <-released:
	default:
		t.Fatal("serve took the directory while a one-shot command held it")
	}
	_, err = lockDataDirWaiting(context.Background(), dir, "serve", time.Minute)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Command != "serve" || locked.PID != os.Getpid() {
		t.Fatalf("second serve: %v, want refused at once naming serve and PID %d", err, os.Getpid())
	}
}

// TestDamageNotified: a damaged file found by the check at start is told
// to the notifications socket's subscribers, and sync pauses.
func TestDamageNotified(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := localstore.New(filepath.Join(dir, localstore.FileName), schema.Default())
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Fill(ctx, s, demo.Options{Scale: 1, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	body, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	page := len(body) / 4096 / 2
	for i := 0; i < 60; i++ {
		body[page*4096+i] ^= 0xa5
	}
	if err := os.WriteFile(s.Path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	m.Config.DataDir, m.Config.Listen, m.Config.LLM.OllamaModel = dir, "127.0.0.1:0", ""
	m.Config.CentralURL = "postgres://pamd@127.0.0.1:1/none?connect_timeout=2"
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	sub := m.hub.Subscribe(demo.UserA)
	defer sub.Close()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var got []string
	for told := false; !told; {
		select {
		case n := <-sub.C:
			got = append(got, n.Type+": "+n.Body)
			if n.Type == "database_damaged" {
				told = strings.Contains(n.Body, "backup")
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("the damage was not told to the notifications socket; told %q", got)
		}
	}
	// Nothing is pushed from, or pulled into, a damaged file: not even
	// the first sync, which starts with the daemon.
	for _, n := range got {
		if strings.HasPrefix(n, "sync_failed") && !strings.Contains(n, "damaged") {
			t.Fatalf("a sync ran against the damaged file: %q", n)
		}
	}
	if _, err := m.Sync.SyncNow(ctx); !errors.Is(err, errSyncPaused) {
		t.Fatalf("sync on a damaged file: %v, want it paused", err)
	}
}
