package localstore_test

import (
	"context"
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// TestCheckpointOffTheWriter: a sync transaction's commit does not
// checkpoint with the writer held (the automatic checkpoint is off for it);
// Checkpoint copies the log back without the writer, and local writes
// keep SQLite's automatic checkpoint.
func TestCheckpointOffTheWriter(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	if n, err := s.WriterAutoCheckpoint(ctx); err != nil || n != 1000 {
		t.Fatalf("writer's wal_autocheckpoint = %d, %v; want SQLite's 1000", n, err)
	}
	before := s.CheckpointsRun()
	rows := make([]schema.Row, 300)
	for i := range rows {
		rows[i] = schema.Row{"id": localstore.NewID(), "user_id": alice, "amount": int64(125), "category": "fuel", "date": "2026-03-01",
			"created_at": "2026-03-01T00:00:00Z", "updated_at": "2026-03-01T00:00:00Z"}
	}
	err := s.ApplyRemote(ctx, func(tx *localstore.SyncTx) error {
		if n, err := tx.AutoCheckpoint(ctx); err != nil || n != 0 {
			t.Errorf("wal_autocheckpoint inside a sync transaction = %d, %v; want 0", n, err)
		}
		return tx.ReplaceRows(ctx, "expenses", rows)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Checkpoint(ctx)
	if got := s.CheckpointsRun(); got != before+1 {
		t.Fatalf("checkpoints after a sync transaction: %d, want %d", got, before+1)
	}
	if n, err := s.WriterAutoCheckpoint(ctx); err != nil || n != 1000 {
		t.Fatalf("writer's wal_autocheckpoint after a sync transaction = %d, %v; want 1000 again", n, err)
	}
}

// TestShrinkMemory: handing back the writer's cache leaves the store
// working.
func TestShrinkMemory(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	if _, err := s.Create(ctx, alice, "expenses", expense(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.ShrinkMemory(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, alice, "expenses", expense(2)); err != nil {
		t.Fatalf("write after ShrinkMemory: %v", err)
	}
}
