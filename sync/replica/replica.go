// Package replica is the device side of sync. It pushes the local outbox to
// the central Postgres (whole local transactions, idempotent by device and
// sequence, a poison transaction set aside with its reason) and pulls the
// central change log back (per-scope cursors, pages cut at server
// transaction boundaries, each page applied with its cursor in one SQLite
// transaction). Both directions merge with sync/merge, the rule the central
// side follows too, so every replica converges.
//
// The device connects as its own Postgres role; RLS on the central side,
// not this code, decides what it may read and write.
//
// Rule: no network inside the writer. Every caller of Store.ApplyRemote
// (and of MarkPushed) here has fetched, decoded and prepared what it
// writes before it takes the store's single writer, and holds it for
// local reads and writes only: the link to central is a satellite or
// cellular modem with round trips of 300-600 ms, and a dashboard write
// waits for whoever holds the writer. A pulled page is cut to hold it for
// about ApplyHold; a push reads the central state its refusals restore
// inside its own Postgres transaction.
package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/hlc"
	"github.com/pam-rv/pamd/sync/merge"
)

// ContractVersion is the version of central's pam_sync contract this
// replica speaks (pam_sync.meta schema_version, set by sync/central's
// Init). A push against another version stops before writing anything:
// a device must never take a refusal caused by a contract it does not
// know for its data being refused.
const ContractVersion = "2"

// ErrContract is returned when central speaks another sync contract.
var ErrContract = errors.New("replica: central speaks another sync contract")

// SharedScope is the change-log scope of shared rows (reference tables,
// public directories, unowned catalogue rows).
const SharedScope = schema.NilUUID

// Replica syncs one local store with the central database.
type Replica struct {
	Store   *localstore.Store
	Catalog *schema.Catalog
	// DB connects to the central database as this device's role.
	DB     *pgxpool.Pool
	Logger *slog.Logger
	// PushBatch is the number of local changes per push transaction
	// (more to finish a local transaction); PullPage the number of
	// change-log rows fetched at a time and the least a pulled page
	// commits (more to finish a server transaction).
	PushBatch int
	PullPage  int
	// MaxPushBatch bounds how far a slow link grows push batches
	// (default 4 x PushBatch): a batch costs three round trips, so at
	// 300-600 ms a bigger one saves seconds, but every device pulling it
	// applies it as one local transaction.
	MaxPushBatch int
	// StreamRows bounds the change-log rows one streamed query reads
	// (default 20,000); a longer log takes one more round trip per part.
	StreamRows int
	// ApplyHold is how long a pulled page should hold the store's
	// writer (default 20 ms): pages are sized to it from the measured
	// apply cost per row, within PullPage and never splitting a server
	// transaction. Zero sizes pages by PullPage alone.
	ApplyHold time.Duration
	// IdleApplyHold replaces ApplyHold while no local write has been
	// made for 10 s (default 1 s): nobody waits on the writer then, and
	// fewer, larger pages apply three times faster.
	IdleApplyHold time.Duration
	// BBox, when set, keeps only shared reference rows inside it.
	BBox *BBox
	// ReplayWindow is how long acknowledged outbox entries are kept
	// (default 7 days) before compaction removes them.
	ReplayWindow time.Duration
	// Progress, when set, is told how far a push or pull has come (push
	// and pull run side by side; their reports come one at a time).
	Progress func(Progress)
	// Hook, when set, is called at each named step of a cycle (the Step
	// constants); crash tests kill the process there.
	Hook func(step string)

	holdPerRow atomic.Int64 // measured writer hold per pulled row, ns
	progressMu sync.Mutex   // one progress report at a time
	rtt        atomic.Int64 // measured round trip to central, ns
	keysMu     sync.Mutex
	keys       keys // the key columns central reported last
}

// Named steps of a sync cycle, where a crash must lose and duplicate
// nothing.
const (
	StepPushSent         = "push-sent"          // batch, outcomes and COMMIT sent centrally, fate unknown
	StepPushCommitted    = "push-committed"     // central commit done, acknowledgement not stored
	StepPullMidPage      = "pull-mid-page"      // half a page written locally, not committed
	StepPullCursorStored = "pull-cursor-stored" // a page and its cursor committed
	StepCompaction       = "compaction"         // outbox compaction running, not committed
)

func (r *Replica) hook(step string) {
	if r.Hook != nil {
		r.Hook(step)
	}
}

// Compact deletes acknowledged outbox entries older than window.
func (r *Replica) Compact(ctx context.Context, window time.Duration) (int64, error) {
	keep := hlc.New(r.Store.Now().Add(-window).UnixMilli(), 0)
	return r.Store.CompactOutbox(ctx, keep, func() { r.hook(StepCompaction) })
}

// Progress reports a running sync.
type Progress struct {
	Phase string // "push" or "pull"
	Done  int    // changes handled so far in this phase
	Total int    // changes known to be waiting (0 when unknown)
}

// New returns a replica with defaults set.
func New(store *localstore.Store, db *pgxpool.Pool) *Replica {
	return &Replica{Store: store, Catalog: store.Catalog, DB: db, Logger: slog.Default(), PushBatch: 2000, MaxPushBatch: 8000, PullPage: 2000, ApplyHold: 20 * time.Millisecond, IdleApplyHold: time.Second, ReplayWindow: 7 * 24 * time.Hour}
}

// Result counts what one sync did.
type Result struct {
	Pushed     int           `json:"pushed"`
	Rejected   int           `json:"rejected"`
	Pulled     int           `json:"pulled"`
	Applied    int           `json:"applied"`
	Conflicts  int           `json:"conflicts"`
	Duration   time.Duration `json:"-"`
	DurationMS int64         `json:"duration_ms"`
}

// Sync pushes and pulls.
func (r *Replica) Sync(ctx context.Context) (Result, error) {
	start := time.Now()
	var res Result
	// Push and pull go side by side: on a link of 300-600 ms a push is
	// a few round trips of waiting, in which the pulled pages are
	// applied. Each takes the store's writer only for its own local work,
	// so they interleave like any two writers. Both sides merge by
	// version, so the order in which a pushed change and a pulled one
	// meet does not change the outcome; the pull reads central's log
	// from before the push lands, so the push's changes come back as
	// echoes in the next cycle, skipped.
	f, err := r.startPull(ctx)
	if err != nil {
		return res, fmt.Errorf("pull: %w", err)
	}
	defer f.stop()
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pushDone := make(chan error, 1)
	go func() {
		var err error
		res.Pushed, res.Rejected, err = r.Push(pctx)
		if err != nil {
			cancel() // the pull stops too
		}
		pushDone <- err
	}()
	pulled, applied, conflicts, err := r.applyPages(pctx, f)
	if perr := <-pushDone; perr != nil {
		return res, fmt.Errorf("push: %w", perr)
	}
	res.Pulled, res.Applied, res.Conflicts = pulled, applied, conflicts
	res.Duration = time.Since(start)
	res.DurationMS = res.Duration.Milliseconds()
	if err != nil {
		return res, fmt.Errorf("pull: %w", err)
	}
	if _, err := r.Compact(ctx, r.ReplayWindow); err != nil {
		return res, err
	}
	return res, nil
}

// observeRTT folds a measured round trip (a commit, a query answered at
// once) into the link's: the least of the recent ones, slowly forgotten,
// since a round trip can only look longer than the link, never shorter.
func (r *Replica) observeRTT(d time.Duration) {
	old := r.rtt.Load()
	if old == 0 || int64(d) < old {
		r.rtt.Store(int64(d))
		return
	}
	r.rtt.Store(old + (int64(d)-old)/8)
}

// RTT is the round trip to central as last measured (0 before any).
func (r *Replica) RTT() time.Duration { return time.Duration(r.rtt.Load()) }

// slowLink is the round trip from which push batches grow with the link.
const slowLink = 50 * time.Millisecond

// pushBatchSize is PushBatch on a fast link; on a slow one it grows with
// the round trip (x1 per 50 ms), up to MaxPushBatch.
func (r *Replica) pushBatchSize() int {
	n := max(r.PushBatch, 1)
	rtt := r.RTT()
	if rtt < slowLink || r.MaxPushBatch <= n {
		return n
	}
	return min(r.MaxPushBatch, int(int64(n)*int64(rtt)/int64(slowLink)))
}

func (r *Replica) progress(ctx context.Context, phase string, done, total int) {
	// Push and pull report from goroutines of their own: one report at a
	// time, so that Progress need not be safe for concurrent use.
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	p := Progress{Phase: phase, Done: done, Total: total}
	if r.Progress != nil {
		r.Progress(p)
	}
	ReportProgress(ctx, p)
}

// ReportProgress tells p to the report WithProgress put in ctx, if any.
func ReportProgress(ctx context.Context, p Progress) {
	if f, ok := ctx.Value(progressKey{}).(func(Progress)); ok {
		f(p)
	}
}

type progressKey struct{}

// WithProgress returns a context under which a sync also tells report how
// far it has come (a scheduler's status, say), besides Replica.Progress.
func WithProgress(ctx context.Context, report func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, report)
}

// scopeOf is the change-log scope of a row: its owner for per-user rows,
// the shared scope for rows everyone may read or nobody owns.
func scopeOf(t *schema.Table, owner string) string {
	if t.Read == schema.ReadAll || owner == "" {
		return SharedScope
	}
	return owner
}

// syncs reports whether a table travels between replicas at all.
func syncs(t *schema.Table) bool {
	return !t.View && t.Role != schema.RoleLocal && t.Role != schema.RoleDerived
}

// pushes reports whether the device sends its changes of a table.
func pushes(t *schema.Table) bool {
	return t.Role == schema.RoleUser || t.Role == schema.RoleAppend
}

// canonical parses a cell value as its column would and renders it back,
// so values from Postgres (numbers, offsets) compare equal to the device's.
func canonical(c *schema.Column, raw json.RawMessage) (stored any, canon json.RawMessage, err error) {
	var v any
	if len(raw) > 0 {
		if v, err = schema.DecodeJSON(raw); err != nil {
			return nil, nil, err
		}
	}
	if c.Type == schema.JSON && v != nil {
		v = json.RawMessage(raw)
	}
	if stored, err = c.Parse(v); err != nil {
		return nil, nil, err
	}
	return stored, c.OutputJSON(stored), nil
}

// allColumns is the key of the versions entry that gives one version to a
// list of columns: {"*": {"t", "n", "c": [cols]}}. A row written whole by
// one change (a create, a pulled insert) has every column at one version;
// naming the version once keeps the metadata a quarter of the size. A
// column's own entry overrides the shared one, so merging more entries in
// (json_patch locally, || centrally) keeps the meaning. No column is
// called "*".
const allColumns = "*"

type versionEntry struct {
	HLC  hlc.Timestamp `json:"t"`
	Node string        `json:"n"`
	Cols []string      `json:"c,omitempty"`
}

// versions decodes {"col": {"t", "n"}} with the optional shared entry.
func versions(raw json.RawMessage) (map[string]merge.Clock, error) {
	if len(raw) == 0 {
		return map[string]merge.Clock{}, nil
	}
	var entries map[string]versionEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, err
	}
	m := make(map[string]merge.Clock, len(entries))
	if shared, ok := entries[allColumns]; ok {
		for _, col := range shared.Cols {
			m[col] = merge.Clock{HLC: shared.HLC, Node: shared.Node}
		}
	}
	for col, e := range entries {
		if col != allColumns {
			m[col] = merge.Clock{HLC: e.HLC, Node: e.Node}
		}
	}
	return m, nil
}

// encodeVersions renders cells' versions without reflection: the version
// most columns share as the shared entry, the others column by column.
func encodeVersions(cells map[string]merge.Cell) json.RawMessage {
	var common merge.Clock
	shared := 0
	if len(cells) > 2 {
		// Nearly always every cell has one version: no counting then.
		first := true
		for _, c := range cells {
			if first {
				common, shared, first = c.Clock, 1, false
			} else if c.Clock == common {
				shared++
			} else {
				shared = 0
				break
			}
		}
	}
	if len(cells) > 2 && shared == 0 {
		common = merge.Clock{}
		counts := make(map[merge.Clock]int, 2)
		for _, c := range cells {
			counts[c.Clock]++
		}
		for clk, n := range counts {
			if n > shared || n == shared && common.Less(clk) {
				common, shared = clk, n
			}
		}
	}
	if shared < 3 {
		shared = 0
	}
	b := make([]byte, 0, 16*len(cells)+64)
	b = append(b, '{')
	if shared > 0 {
		b = append(b, `"*":{"t":`...)
		b = strconv.AppendUint(b, uint64(common.HLC), 10)
		b = append(b, `,"n":`...)
		b = schema.AppendJSONString(b, common.Node)
		b = append(b, `,"c":[`...)
		first := true
		for k, c := range cells {
			if c.Clock != common {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = schema.AppendJSONString(b, k)
		}
		b = append(b, "]}"...)
	}
	for k, c := range cells {
		if shared > 0 && c.Clock == common {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = schema.AppendJSONString(b, k)
		b = append(b, `:{"t":`...)
		b = strconv.AppendUint(b, uint64(c.HLC), 10)
		b = append(b, `,"n":`...)
		b = schema.AppendJSONString(b, c.Node)
		b = append(b, '}')
	}
	return append(b, '}')
}

// uuidBytes renders UUID strings as pgtype.UUID values, which pgx sends to
// a uuid[] parameter in binary (a []string it sends as a text literal) and,
// being a registered type, can also render as text where no statement is
// described first (a transaction-mode pooler's exec or simple protocol).
func uuidBytes(ids []string) ([]pgtype.UUID, error) {
	out := make([]pgtype.UUID, len(ids))
	for i, id := range ids {
		u, err := uuid.Parse(id)
		if err != nil {
			return nil, &dataError{msg: fmt.Sprintf("%q is not a UUID", id)}
		}
		out[i] = pgtype.UUID{Bytes: u, Valid: true}
	}
	return out, nil
}

// sortedKeys returns map keys in order, for deterministic statements.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isRetryable reports errors worth one more try (deadlock, serialization).
func isRetryable(err error) bool {
	var pe interface{ SQLState() string }
	if errors.As(err, &pe) {
		switch pe.SQLState() {
		case "40P01", "40001":
			return true
		}
	}
	return false
}
