package localstore

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// Health is the state of the database file.
type Health struct {
	Integrity      string   `json:"integrity"` // "ok" or SQLite's first complaints
	TablesPresent  int      `json:"tables_present"`
	TablesExpected int      `json:"tables_expected"`
	Missing        []string `json:"missing,omitempty"`
	SizeBytes      int64    `json:"size_bytes"`
	WALBytes       int64    `json:"wal_bytes"`
}

// OK reports whether the database is whole.
func (h *Health) OK() bool { return h.Integrity == "ok" && h.TablesPresent == h.TablesExpected }

// Health runs PRAGMA integrity_check and looks for every table of the catalog.
func (s *Store) Health(ctx context.Context) (*Health, error) {
	h := &Health{TablesExpected: len(s.Catalog.Tables)}
	rows, err := s.read.QueryContext(ctx, `PRAGMA integrity_check(10)`)
	if err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return nil, fmt.Errorf("integrity check: %w", err)
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	h.Integrity = strings.Join(msgs, "; ")
	present := make(map[string]bool)
	rows, err = s.read.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')`)
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

// Stats are row counts as the caller sees them, and the change log's backlog.
type Stats struct {
	Tables         map[string]int `json:"tables"`
	TotalRows      int            `json:"total_rows"`
	PendingChanges int            `json:"pending_changes"`
	Cache          CacheStats     `json:"cache"`
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
