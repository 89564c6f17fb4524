package localstore

import "context"

// CheckpointsRun is how many checkpoints the checkpointer has run.
func (s *Store) CheckpointsRun() int64 { return s.ckptRuns.Load() }

// WriterAutoCheckpoint is the write connection's wal_autocheckpoint.
func (s *Store) WriterAutoCheckpoint(ctx context.Context) (int, error) {
	var n int
	err := s.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&n)
	return n, err
}
