package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"
)

// SQLite's automatic checkpoint runs inside the commit that takes the
// write-ahead log past 1,000 pages: it copies the log back into the file
// and syncs it, with the store's writer held. A pulled page of a few
// hundred rows with random ids dirties about that many pages, so nearly
// every page's commit (or the dashboard write after it) paid for a
// checkpoint: commits of 20-60 ms in BenchmarkSlowLink. So a sync
// transaction (ApplyRemote) turns the automatic checkpoint off for its own
// commit, and its caller, once the writer is released, checkpoints on a
// connection of its own (Checkpoint; PASSIVE: never blocking the writer
// or a reader): the pull pays for its pages, and the next local write
// finds the log copied back and starts it afresh. Local writes keep
// SQLite's automatic checkpoint: theirs are small.

// autoCheckpoint is SQLite's default wal_autocheckpoint, in pages.
const autoCheckpoint = 1000

// openCheckpointer opens the connection checkpoints run on.
func (s *Store) openCheckpointer() error {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	db, err := sql.Open("sqlite", "file:"+s.Path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("open checkpointer %s: %w", s.Path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(10 * time.Second)
	s.ckpt = db
	return nil
}

// setAutoCheckpoint sets the write connection's automatic checkpoint, in
// pages (0: off). The caller holds writeMu: the write pool is one
// connection, so this is the connection the next transaction runs on.
func (s *Store) setAutoCheckpoint(ctx context.Context, pages int) error {
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint(%d)", pages)); err != nil {
		return fmt.Errorf("wal_autocheckpoint: %w", err)
	}
	return nil
}

// Checkpoint copies the write-ahead log back into the file without
// holding the writer (PASSIVE: what readers still use stays for later).
// Sync calls it after each ApplyRemote. A failure is logged, not returned:
// the data is committed, and the next checkpoint copies what this one did
// not.
func (s *Store) Checkpoint(ctx context.Context) {
	if _, err := s.ckpt.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		s.noteCorrupt(err)
		if ctx.Err() == nil {
			s.Logger.Warn("checkpoint", "err", err)
		}
		return
	}
	s.ckptRuns.Add(1)
}

// ShrinkMemory hands back the write connection's page cache (PRAGMA
// shrink_memory), which a pull or a burst of writes fills up to its 32 MiB:
// the daemon calls it once quiet. Idle readers close by themselves
// (ConnMaxIdleTime), their caches with them.
func (s *Store) ShrinkMemory(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.write.ExecContext(ctx, `PRAGMA shrink_memory`); err != nil {
		return fmt.Errorf("shrink memory: %w", err)
	}
	return nil
}
