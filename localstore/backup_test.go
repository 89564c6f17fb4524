package localstore_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// TestBackupWhileWriting: a backup taken while writes go on restores to a
// database whose integrity check passes and that holds every write
// acknowledged before the backup began.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := localstore.New(filepath.Join(dir, localstore.FileName), schema.Default())
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const user = "0190a000-0000-7000-8000-0000000000f1"
	var mu sync.Mutex
	var acked []string
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				row, err := s.Create(ctx, user, "expenses", schema.Row{"amount": "1.25", "category": "fuel", "date": "2026-04-01"})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, row["id"].(string))
				mu.Unlock()
			}
		}()
	}
	for { // let some writes land first
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 50 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()
	path := filepath.Join(dir, "backups", localstore.BackupName(time.Now()))
	if err := s.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	if err := localstore.CheckFile(ctx, path); err != nil {
		t.Fatalf("backup: %v", err)
	}
	r := localstore.New(path, schema.Default())
	if err := r.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, id := range before {
		if _, err := r.Get(ctx, user, "expenses", id); err != nil {
			t.Fatalf("write %s acknowledged before the backup is not in it: %v", id, err)
		}
	}
	t.Logf("%d writes acknowledged before the backup, all in it; %d in all", len(before), len(acked))
}

// TestRotate keeps the newest copy of each of the last days and one copy
// of each of the weeks before them.
func TestRotate(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC) // a Sunday
	for d := 0; d < 40; d++ {
		for _, h := range []int{0, 12} {
			name := localstore.BackupName(start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour))
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600)
	kept, err := localstore.Rotate(dir, 7, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 11 || kept[0] != localstore.BackupName(start.AddDate(0, 0, 39).Add(12*time.Hour)) {
		t.Fatalf("kept %d: %v", len(kept), kept)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 12 { // 11 backups and the file that is not one
		t.Fatalf("%d files left, want 12", len(left))
	}
}
