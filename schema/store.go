package schema

import (
	"context"
	"encoding/json"
	"time"
)

// This file holds the store's result types: what the local store answers
// and its consumers (the HTTP API, the tools, the chat service, the
// context engine) read, so those speak schema and never import the
// SQLite adapter.

// MaxBulkOps bounds one all-or-nothing batch.
const MaxBulkOps = 1000

// OpRead reads one row by id inside a batch.
const OpRead Op = "read"

// Operation is one step of a batch. Data holds API values.
type Operation struct {
	Op    Op
	Table string
	ID    string
	Data  Row
}

// Result is a page of rows in API form and the number of rows matching the
// query regardless of limit and offset. Rows may be shared with the cache:
// callers must not modify them.
type Result struct {
	Rows  []Row
	Count int
}

// Reader reads rows within a user's read scope.
type Reader interface {
	// Get returns one row; ENOTFOUND if it is not there or not the user's.
	Get(ctx context.Context, user, table, id string) (Row, error)
	// Find returns a page of rows matching q and how many match in all.
	Find(ctx context.Context, user, table string, q Query) (*Result, error)
}

// Verdicts of an integrity check.
const (
	IntegrityUnknown = "unknown" // no check has finished yet
	IntegrityOK      = "ok"
	IntegrityDamaged = "damaged"
)

// Integrity is the last verdict on the database file, kept in memory so
// that reporting it costs nothing.
type Integrity struct {
	Status    string        `json:"status"`           // IntegrityOK, IntegrityDamaged or IntegrityUnknown
	Check     string        `json:"check,omitempty"`  // "quick_check" or "integrity_check"
	Detail    string        `json:"detail,omitempty"` // SQLite's first complaints when damaged
	CheckedAt time.Time     `json:"checked_at"`       // when the check ended; zero before the first
	Took      time.Duration `json:"-"`
}

// Age is how long ago the verdict was reached; 0 before the first.
func (i Integrity) Age(now time.Time) time.Duration {
	if i.CheckedAt.IsZero() {
		return 0
	}
	return now.Sub(i.CheckedAt)
}

// Health is the state of the database file.
type Health struct {
	Integrity      string    `json:"integrity"` // "ok" or SQLite's first complaints
	CheckedAt      time.Time `json:"checked_at"`
	TablesPresent  int       `json:"tables_present"`
	TablesExpected int       `json:"tables_expected"`
	Missing        []string  `json:"missing,omitempty"`
	SizeBytes      int64     `json:"size_bytes"`
	WALBytes       int64     `json:"wal_bytes"`
	WritesRefused  bool      `json:"writes_refused,omitempty"`
}

// OK reports whether the database is whole.
func (h *Health) OK() bool { return h.Integrity == "ok" && h.TablesPresent == h.TablesExpected }

// Stats are row counts as the caller sees them, and the change log's backlog.
type Stats struct {
	Tables         map[string]int `json:"tables"`
	TotalRows      int            `json:"total_rows"`
	PendingChanges int            `json:"pending_changes"`
	Cache          CacheStats     `json:"cache"`
}

// CacheStats are the read cache's counters since start.
type CacheStats struct {
	Hits    uint64  `json:"hits"`
	Misses  uint64  `json:"misses"`
	HitRate float64 `json:"hit_rate"`
}

// Rejection is a local transaction the central database refused.
type Rejection struct {
	Tx         int64  `json:"tx"`
	FirstSeq   int64  `json:"first_seq"`
	LastSeq    int64  `json:"last_seq"`
	Reason     string `json:"reason"`
	RejectedAt string `json:"rejected_at"`
}

// ConflictRecord is one entry of the conflict ledger. Winner and Loser are
// JSON cells {"v", "t", "n"}.
type ConflictRecord struct {
	ID         int64           `json:"id"`
	Table      string          `json:"table"`
	RowID      string          `json:"row_id"`
	Column     string          `json:"column"`
	UserID     string          `json:"-"`
	Winner     json.RawMessage `json:"winner"`
	Loser      json.RawMessage `json:"loser"`
	Reason     string          `json:"reason"`
	DetectedAt string          `json:"detected_at"`
	ReviewedAt string          `json:"reviewed_at,omitempty"` // empty until the user reviewed it
}

// TokenPrefix marks device tokens, so they are told apart from JWTs at a glance.
const TokenPrefix = "pam_"

// TokenInfo describes a device token without revealing it.
type TokenInfo struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	LastUsed  *time.Time `json:"last_used_at"`
}
