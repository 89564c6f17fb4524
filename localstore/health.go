package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pam-rv/pamd/schema"
)

// Integrity returns the last verdict on the file without touching it.
func (s *Store) Integrity() Integrity {
	if v := s.integrity.Load(); v != nil {
		return *v
	}
	return Integrity{Status: IntegrityUnknown}
}

// CheckedIntegrity waits for the verdict of the check at Open, then
// returns the last verdict. Callers about to copy data out of the file
// (sync's push) use it, so a damaged file is known before anything leaves.
func (s *Store) CheckedIntegrity(ctx context.Context) (Integrity, error) {
	if s.startCheck != nil {
		select {
		case <-s.startCheck:
		case <-ctx.Done():
			return s.Integrity(), ctx.Err()
		}
	}
	return s.Integrity(), nil
}

// Damaged reports whether a check found the file damaged. Damage is
// never cleared while the store is open: it does not heal by itself.
func (s *Store) Damaged() bool { return s.Integrity().Status == IntegrityDamaged }

// maxCheckErrors bounds what a check reports (and so its work once the
// file is known to be damaged).
const maxCheckErrors = 10

// startChecks runs a quick check of the file now and then every
// CheckEvery, in a goroutine Close stops and waits for. Reads go on while
// the first check runs; writes wait for its verdict (writable), so nothing
// is written into a damaged file, and start-up stays quick however large
// the file.
func (s *Store) startChecks() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopChecks = cancel
	s.startCheck = make(chan struct{})
	s.checks.Add(1)
	go func() {
		defer s.checks.Done()
		s.scheduledCheck(ctx)
		close(s.startCheck)
		if s.CheckEvery <= 0 {
			return
		}
		t := time.NewTicker(s.CheckEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.scheduledCheck(ctx)
			}
		}
	}()
}

func (s *Store) scheduledCheck(parent context.Context) {
	ctx := parent
	if s.CheckTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(parent, s.CheckTimeout)
		defer cancel()
	}
	_, err := s.CheckIntegrity(ctx, false)
	switch {
	case err == nil, parent.Err() != nil: // done, or the store is closing
	case ctx.Err() != nil:
		s.Logger.Warn("database check cut short; the last verdict stands", "timeout", s.CheckTimeout)
	default:
		s.Logger.Warn("database check did not run", "err", err)
	}
}

// CheckIntegrity checks the file now: PRAGMA quick_check (every page and
// record, O(size)) or, when full, PRAGMA integrity_check (also every index
// against its table). Checks run one at a time; a caller that waited for
// another's check gets that verdict instead of running its own. A damaged
// verdict is logged, refuses every later write, and stays.
func (s *Store) CheckIntegrity(ctx context.Context, full bool) (Integrity, error) {
	asked := time.Now()
	s.checkMu.Lock()
	defer s.checkMu.Unlock()
	if last := s.Integrity(); !last.CheckedAt.Before(asked) && (last.Check == "integrity_check" || !full) {
		return last, nil // checked while we waited
	}
	check := "quick_check"
	if full {
		check = "integrity_check"
	}
	start := time.Now()
	rows, err := s.read.QueryContext(ctx, fmt.Sprintf("PRAGMA %s(%d)", check, maxCheckErrors))
	var msgs []string
	if err == nil {
		for rows.Next() {
			var m string
			if err = rows.Scan(&m); err != nil {
				break
			}
			msgs = append(msgs, m)
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	v := Integrity{Status: IntegrityOK, Check: check, CheckedAt: time.Now(), Took: time.Since(start)}
	switch {
	case isCorrupt(err):
		// The check could not even read the file through.
		v.Status, v.Detail = IntegrityDamaged, err.Error()
	case err != nil:
		return s.Integrity(), fmt.Errorf("%s: %w", check, err)
	case len(msgs) != 1 || msgs[0] != "ok":
		v.Status, v.Detail = IntegrityDamaged, strings.Join(msgs, "; ")
	}
	s.setIntegrity(v)
	return s.Integrity(), nil
}

// setIntegrity records a verdict; damage once found stays, and is logged
// and told to OnDamage once.
func (s *Store) setIntegrity(v Integrity) {
	s.verdictMu.Lock()
	old := s.integrity.Load()
	wasDamaged := old != nil && old.Status == IntegrityDamaged
	if wasDamaged && v.Status != IntegrityDamaged {
		kept := *old
		kept.CheckedAt, kept.Took = v.CheckedAt, v.Took
		v = kept
	}
	s.integrity.Store(&v)
	s.verdictMu.Unlock()
	if v.Status != IntegrityDamaged || wasDamaged {
		return
	}
	s.Logger.Error("the database file is damaged: writes are refused from now on; reads go on. "+recoveryHint,
		"path", s.Path, "check", v.Check, "detail", v.Detail)
	if s.OnDamage != nil {
		s.OnDamage(v)
	}
}

// recoveryHint is the way back from a damaged file.
const recoveryHint = "Restore pam.db from the last good backup, or stop pamd, move pam.db aside and re-sync from central (pamd sync --once)."

// isCorrupt reports SQLite's "file is not a database" and "malformed".
func isCorrupt(err error) bool {
	code := sqliteCode(err) & 0xff
	return code == sqlite3.SQLITE_CORRUPT || code == sqlite3.SQLITE_NOTADB
}

// noteCorrupt turns a write that found the file malformed into a damaged
// verdict at once, without waiting for the next check.
func (s *Store) noteCorrupt(err error) {
	if isCorrupt(err) {
		s.setIntegrity(Integrity{Status: IntegrityDamaged, Check: "write", Detail: err.Error(), CheckedAt: time.Now()})
	}
}

// writable waits for the verdict of the check at Open, then refuses if the
// file is damaged: nothing is written into a damaged file.
func (s *Store) writable(ctx context.Context) error {
	v, err := s.CheckedIntegrity(ctx)
	if err != nil {
		return err
	}
	if v.Status == IntegrityDamaged {
		return &schema.Error{Code: schema.EUNAVAILABLE, Message: fmt.Sprintf(
			"the database file is damaged (%s): writes are refused so that nothing worse is written; reads still work. %s",
			schema.Truncate(v.Detail, 200), recoveryHint)}
	}
	return nil
}

// beginWrite opens a write transaction once the file is known writable.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	if err := s.writable(ctx); err != nil {
		return nil, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		s.noteCorrupt(err)
	}
	return tx, err
}

// Health runs a full integrity check now (see CheckIntegrity) and looks for
// every table of the catalog. It reads the whole file: serve it to
// authenticated callers only, and Integrity to anyone.
func (s *Store) Health(ctx context.Context) (*Health, error) {
	h := &Health{TablesExpected: len(s.Catalog.Tables)}
	v, err := s.CheckIntegrity(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	h.Integrity, h.CheckedAt = v.Status, v.CheckedAt
	if v.Status == IntegrityDamaged {
		h.Integrity, h.WritesRefused = v.Detail, true
	}
	present := make(map[string]bool)
	rows, err := s.read.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tables: %w", err)
		}
		present[n] = true
	}
	rows.Close()
	for _, t := range s.Catalog.Tables {
		if present[t.Name] {
			h.TablesPresent++
		} else {
			h.Missing = append(h.Missing, t.Name)
		}
	}
	if fi, err := os.Stat(s.Path); err == nil {
		h.SizeBytes = fi.Size()
	}
	if fi, err := os.Stat(s.Path + "-wal"); err == nil {
		h.WALBytes = fi.Size()
	}
	return h, nil
}

// Stats counts the rows of every table within user's read scope.
func (s *Store) Stats(ctx context.Context, user string) (*Stats, error) {
	st := &Stats{Tables: make(map[string]int, len(s.Catalog.Tables)), Cache: s.cache.Stats()}
	for _, t := range s.Catalog.Tables {
		where, args := scopeSQL(t, user)
		q := "SELECT count(*) FROM " + schema.Quote(t.Name)
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		var n int
		if err := s.read.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t.Name, err)
		}
		st.Tables[t.Name] = n
		st.TotalRows += n
	}
	var err error
	if st.PendingChanges, err = s.PendingChanges(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// PendingChanges counts change-log entries not yet pushed.
func (s *Store) PendingChanges(ctx context.Context) (int, error) {
	pushed, err := s.pushedSeq(ctx, s.read)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM _pam_changes WHERE seq > ?`, pushed).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending changes: %w", err)
	}
	return n, nil
}

// Users lists the users who have a profile on this device, for jobs that
// run on behalf of each (proactive insights).
func (s *Store) Users(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM profiles ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
