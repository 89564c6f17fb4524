package localstore

import "context"

// CheckpointsRun is how many checkpoints have run off the writer.
func (s *Store) CheckpointsRun() int64 { return s.ckptRuns.Load() }

// WriterAutoCheckpoint is the write connection's wal_autocheckpoint.
func (s *Store) WriterAutoCheckpoint(ctx context.Context) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var n int
	err := s.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&n)
	return n, err
}

// AutoCheckpoint is wal_autocheckpoint as the transaction's connection has it.
func (t *SyncTx) AutoCheckpoint(ctx context.Context) (int, error) {
	var n int
	err := t.w.tx.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&n)
	return n, err
}

// TokensRemembered is how many tokens the token cache holds.
func (s *Store) TokensRemembered() int {
	s.known.mu.Lock()
	defer s.known.mu.Unlock()
	return len(s.known.users)
}

// TokenCacheMapsWALIndex tells whether the token cache reads the WAL
// index's header (rather than data_version).
func (s *Store) TokenCacheMapsWALIndex() bool {
	s.known.mu.Lock()
	defer s.known.mu.Unlock()
	return s.known.walIndex != nil
}
