package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"
)

// The writer never checkpoints. SQLite's automatic checkpoint runs inside
// the commit that takes the write-ahead log past 1,000 pages: copying the
// log back into the file and syncing it, with the store's writer held. A
// pulled page of a few hundred rows with random ids dirties about that
// many pages, so nearly every page's commit, or the dashboard write after
// it, paid for a checkpoint (commits of 20-60 ms in BenchmarkSlowLink).
// Instead a goroutine of its own, on its own connection, checkpoints
// (PASSIVE: it never blocks the writer or a reader) shortly after writes
// land.

// checkpointEvery is how often the checkpointer looks for new commits.
const checkpointEvery = 200 * time.Millisecond

// startCheckpoints opens the checkpointer's connection and starts its
// goroutine; Close stops it.
func (s *Store) startCheckpoints() error {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	db, err := sql.Open("sqlite", "file:"+s.Path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("open checkpointer %s: %w", s.Path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	ctx, cancel := context.WithCancel(context.Background())
	s.ckpt = db
	s.stopCkpt = cancel
	s.ckptDone = make(chan struct{})
	go func() {
		defer close(s.ckptDone)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		var seen int64 = -1
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// data_version changes when another connection commits: a
			// cheap look that leaves an idle store alone.
			var v int64
			if err := db.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
				continue
			}
			if v == seen {
				continue
			}
			seen = v
			if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
				if ctx.Err() == nil {
					s.noteCorrupt(err)
					s.Logger.Warn("checkpoint", "err", err)
				}
				continue
			}
			s.ckptRuns.Add(1)
		}
	}()
	return nil
}

// stopCheckpoints ends the checkpointer and closes its connection.
func (s *Store) stopCheckpoints() {
	if s.stopCkpt == nil {
		return
	}
	s.stopCkpt()
	<-s.ckptDone
	s.ckpt.Close()
	s.stopCkpt, s.ckpt = nil, nil
}
