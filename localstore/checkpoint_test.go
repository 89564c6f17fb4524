package localstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// TestCheckpointOffTheWriter: the write connection never checkpoints (a
// commit would otherwise copy the log back with the writer held); the
// store's checkpointer does, after writes land.
func TestCheckpointOffTheWriter(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStore(t)
	if n, err := s.WriterAutoCheckpoint(ctx); err != nil || n != 0 {
		t.Fatalf("writer's wal_autocheckpoint = %d, %v; want 0", n, err)
	}
	before := s.CheckpointsRun()
	ops := make([]localstore.Operation, 500)
	for i := range ops {
		ops[i] = localstore.Operation{Op: schema.OpCreate, Table: "expenses", Data: expense(i)}
	}
	if _, err := s.Apply(ctx, alice, ops); err != nil {
		t.Fatal(err)
	}
	for s.CheckpointsRun() == before {
		time.Sleep(10 * time.Millisecond) // the test's own timeout bounds this
	}
}
