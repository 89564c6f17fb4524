package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/hlc"
	"github.com/pam-rv/pamd/sync/merge"
)

// Push sends every pending local change, batch by batch, and returns how
// many changes were acknowledged and how many local transactions were
// refused.
func (r *Replica) Push(ctx context.Context) (pushed, rejected int, err error) {
	total, _ := r.Store.PendingChanges(ctx)
	first, err := r.Store.Outbox(ctx, r.pushBatchSize())
	entries := r.render(first)
	// While a batch is in Postgres, one goroutine does the local work
	// around it: acknowledge the previous batch, then read the next. One,
	// not two, so the device leaves Postgres a core of its own on a
	// two-core box; acknowledgements stay in order.
	var prev *sentBatch
	for err == nil && len(entries) > 0 {
		local := make(chan localWork, 1)
		go func(prev *sentBatch, after int64) {
			var w localWork
			if prev != nil {
				w.rejected, w.err = r.acknowledge(ctx, prev.entries, prev.out)
			}
			if w.err == nil {
				var next []localstore.OutboxEntry
				next, w.err = r.Store.OutboxAfter(ctx, after, r.pushBatchSize())
				w.next = r.render(next)
			}
			local <- w
		}(prev, entries[len(entries)-1].Seq)
		out, sendErr := r.send(ctx, entries)
		w := <-local
		rejected += w.rejected
		if err = errors.Join(sendErr, w.err); err != nil {
			return pushed, rejected, err
		}
		prev = &sentBatch{entries, out}
		pushed += len(entries)
		r.progress(ctx, "push", pushed, total)
		entries = w.next
	}
	if err == nil && prev != nil {
		var n int
		n, err = r.acknowledge(ctx, prev.entries, prev.out)
		rejected += n
	}
	return pushed, rejected, err
}

// sentBatch is a batch committed centrally, not yet acknowledged locally.
type sentBatch struct {
	entries []outgoing
	out     pushOutcome
}

// localWork is what the local goroutine did beside a send.
type localWork struct {
	rejected int
	next     []outgoing
	err      error
}

// outgoing is an outbox entry with its change as it travels: values in
// their canonical JSON, every cell at the entry's version. table is nil
// for a change this device does not send (acknowledged, never shipped).
type outgoing struct {
	localstore.OutboxEntry
	table  *schema.Table
	change merge.Change
}

// render turns outbox entries into the changes they send, which a push
// does for the next batch while the previous one is in Postgres.
func (r *Replica) render(entries []localstore.OutboxEntry) []outgoing {
	device := r.Store.DeviceID()
	out := make([]outgoing, len(entries))
	for i, e := range entries {
		out[i].OutboxEntry = e
		t, err := r.Catalog.Table(e.Table)
		if err != nil || !pushes(t) {
			continue
		}
		ch := merge.Change{Table: t.Name, RowID: e.RowID, CL: e.CL, Cells: make(map[string]merge.Cell, len(e.Data))}
		for col, v := range e.Data {
			if c, ok := t.Column(col); ok {
				ch.Cells[col] = merge.Cell{Value: c.OutputJSON(v), Clock: merge.Clock{HLC: e.HLC, Node: device}}
			}
		}
		out[i].table, out[i].change = t, ch
	}
	return out
}

// send applies one batch centrally, retrying a deadlock or serialization
// failure.
func (r *Replica) send(ctx context.Context, entries []outgoing) (out pushOutcome, err error) {
	for attempt := 0; ; attempt++ {
		out, err = r.pushBatch(ctx, entries)
		if err == nil || attempt >= 3 || !isRetryable(err) {
			return out, err
		}
	}
}

// acknowledge records a batch's central outcome locally. A crash before
// it is harmless: the batch is re-sent and skipped as already applied
// (its sequence is at or below the device's last_seq), its refusals read
// back from the push outcomes. It does no network: the central state of
// refused rows came back with the batch's outcome.
func (r *Replica) acknowledge(ctx context.Context, entries []outgoing, out pushOutcome) (rejected int, err error) {
	if err := r.Store.MarkPushed(ctx, entries[len(entries)-1].Seq, out.rejected); err != nil {
		return 0, err
	}
	if len(out.rejected) > 0 {
		if err := r.adoptCentral(ctx, entries, out); err != nil {
			return 0, err
		}
	}
	return len(out.rejected), nil
}

type pushOutcome struct {
	rejected map[int64]string // local tx -> reason
	keys     keys             // the tables' key columns, as central has them
	// central is the state, read in the push's own transaction, of the
	// rows of refused transactions: absent when central has no such row.
	central map[rowKey]centralState
}

// rowKey names a row.
type rowKey struct{ table, id string }

// centralState is a row as central holds it.
type centralState struct {
	values map[string]json.RawMessage
	cl     int64
	cells  json.RawMessage
}

// keys describes the tables central holds differently from PAM's own
// (pam_sync.tables): those adopted from the project, and their key column
// where that is not "id" (an adopted table whose own id is not a uuid
// keeps the device's row id in a sync key).
type keys map[string]tableKey

type tableKey struct {
	col     string
	adopted bool
}

// of returns t's key column.
func (k keys) of(t string) string {
	if c, ok := k[t]; ok && c.col != "" {
		return c.col
	}
	return "id"
}

// captured reports whether a push writes t with the capture trigger on,
// letting it log (and version) what actually landed: tables every user
// reads, whose shared change log a device may not write, and tables
// adopted from the project, whose own triggers may change a row as it
// lands (the web app's updated_at), which the devices must then learn.
func (k keys) captured(t *schema.Table) bool {
	return t.Read == schema.ReadAll || k[t.Name].adopted
}

// rowJSON is the SQL of a row of t (alias a) as devices see it: the key
// column's value as "id".
func (k keys) rowJSON(t, a string) string {
	key := k.of(t)
	if key == "id" {
		return "to_jsonb(" + a + ")"
	}
	return fmt.Sprintf("jsonb_set(to_jsonb(%s) - '%s', '{id}', to_jsonb(%s.%s))", a, key, a, schema.Quote(key))
}

// centralConn is the connection a push runs its transaction on.
type centralConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// pushBatch applies entries centrally in one Postgres transaction, in two
// round trips on a healthy batch: open the push and lock and read the
// rows it touches; then write rows, versions, change log, conflicts and
// outcomes (and read back the rows of any refused transaction) and
// commit.
func (r *Replica) pushBatch(ctx context.Context, entries []outgoing) (pushOutcome, error) {
	out := pushOutcome{rejected: map[int64]string{}, keys: r.knownKeys(), central: map[rowKey]centralState{}}
	device := r.Store.DeviceID()
	conn, err := r.DB.Acquire(ctx)
	if err != nil {
		return out, fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	open := false
	defer func() {
		if open {
			// A connection left in a transaction is dropped by the pool
			// anyway; this saves the reconnect when the link still works.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			conn.Exec(rctx, "ROLLBACK")
			cancel()
		}
	}()
	rows, order := centralRows(entries)
	asked := time.Now()
	lastSeq, earlier, loaded, err := openPush(ctx, conn, device, entries, rows, order, &out.keys, r.keysKnown())
	open = true
	if err != nil {
		return out, err
	}
	r.observeRTT(time.Since(asked)) // a round trip, and the server's reads
	r.rememberKeys(out.keys)
	fresh := entries[:0:0]
	for _, e := range entries {
		if e.Seq > lastSeq {
			fresh = append(fresh, e)
		}
	}
	for _, o := range earlier {
		// Part of the batch was applied by a run that died before it
		// stored the outcome: its refusals are recovered, so none is lost.
		if o.first <= lastSeq {
			out.rejected[o.tx] = o.reason
		}
	}
	if len(fresh) > 0 && !loaded {
		// Read again with central's key columns: one more round trip.
		if err := loadCentral(ctx, conn, rows, order, out.keys); err == nil {
			loaded = true
		} else if !isDataError(err) {
			return out, err
		} else if _, err := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT push_batch"); err != nil {
			return out, fmt.Errorf("open push: %w", err)
		}
	}
	// The writes (merged in memory), the outcomes and the commit go in
	// one round trip; a poison transaction, found by replaying one local
	// transaction at a time, costs more.
	merged := len(fresh) > 0 && loaded
	if merged {
		b := &pgx.Batch{}
		if err := r.mergeCentral(fresh, rows, order).queue(b, device, out.keys); err != nil {
			return out, err
		}
		err := r.endAndCommit(ctx, conn, b, device, entries, out)
		if err == nil {
			open = false
			r.hook(StepPushCommitted)
			return out, nil
		}
		if !isDataError(err) {
			return out, err
		}
		// A row central refuses (the commit did not run): undo the
		// batch, then replay one local transaction at a time.
		if _, rerr := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT push_batch"); rerr != nil {
			return out, fmt.Errorf("%w (and rollback: %v)", err, rerr)
		}
	}
	if len(fresh) > 0 {
		if err := r.applyIsolated(ctx, conn, fresh, out.rejected, out.keys); err != nil {
			return out, err
		}
	}
	if err := r.endAndCommit(ctx, conn, &pgx.Batch{}, device, entries, out); err != nil {
		return out, err
	}
	open = false
	r.hook(StepPushCommitted)
	return out, nil
}

// endAndCommit sends b (the batch's writes, if any) with the outcomes and
// the device's new position, and COMMIT, in one round trip. StepPushSent
// is when all of it has gone out and its fate is unknown: committed or
// not, a run that dies there re-sends the batch, skipped as applied if
// the commit ran. A failure before the commit leaves it unrun (Postgres
// skips the rest of a pipeline after an error).
func (r *Replica) endAndCommit(ctx context.Context, conn centralConn, b *pgx.Batch, device string, entries []outgoing, out pushOutcome) error {
	if err := queueEnd(b, device, entries, out); err != nil {
		return err
	}
	b.Queue("COMMIT")
	br := conn.SendBatch(ctx, b)
	r.hook(StepPushSent)
	if err := br.Close(); err != nil {
		return fmt.Errorf("write, record outcomes and commit: %w", err)
	}
	return nil
}

// queueEnd queues the batch's outcomes and the device's new position
// (endPush) and, when transactions were refused, the reads of their rows'
// central state, which out.central then receives.
func queueEnd(b *pgx.Batch, device string, entries []outgoing, out pushOutcome) error {
	queueEndPush(b, device, entries, out.rejected)
	if len(out.rejected) == 0 {
		return nil
	}
	byTable := map[string][]string{}
	seen := map[rowKey]bool{}
	for _, e := range entries {
		if _, ok := out.rejected[e.Tx]; !ok || e.table == nil {
			continue
		}
		k := rowKey{e.table.Name, e.RowID}
		if !seen[k] {
			seen[k] = true
			byTable[k.table] = append(byTable[k.table], k.id)
		}
	}
	ks := out.keys
	for _, tbl := range sortedKeys(byTable) {
		var ids []string
		for _, id := range byTable[tbl] {
			if _, err := uuid.Parse(id); err == nil {
				ids = append(ids, id) // others central cannot hold
			}
		}
		if len(ids) == 0 {
			continue
		}
		uids, _ := uuidBytes(ids)
		key := schema.Quote(ks.of(tbl))
		b.Queue(fmt.Sprintf(`SELECT t.%s::text, %s, coalesce(m.cl, 0), m.cells FROM %s t
			LEFT JOIN pam_sync.row_meta m ON m.tbl = $2 AND m.row_id = t.%s WHERE t.%s = ANY($1::uuid[])`,
			key, ks.rowJSON(tbl, "t"), schema.Quote(tbl), key, key), uids, tbl).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id string
				var st centralState
				if err := rows.Scan(&id, &st.values, &st.cl, &st.cells); err != nil {
					return err
				}
				out.central[rowKey{tbl, id}] = st
			}
			return rows.Err()
		})
	}
	return nil
}

// knownKeys returns the key columns central reported last (none before
// the first push): a push reads them again in its first round trip, and
// reads the rows again when they changed.
func (r *Replica) knownKeys() keys {
	r.keysMu.Lock()
	defer r.keysMu.Unlock()
	k := keys{}
	for t, c := range r.keys {
		k[t] = c
	}
	return k
}

func (r *Replica) rememberKeys(k keys) {
	r.keysMu.Lock()
	defer r.keysMu.Unlock()
	r.keys = k
}

// keysKnown reports whether a push has read central's key columns yet.
func (r *Replica) keysKnown() bool {
	r.keysMu.Lock()
	defer r.keysMu.Unlock()
	return r.keys != nil
}

// adoptCentral puts the rows of refused transactions back to their central
// state (or removes them when central never had them), so the device does
// not keep values no other replica will ever see. What the device had is
// kept in the conflict ledger with the refusal's reason. The central state
// was read in the push's transaction: the writer is held for local work
// only.
func (r *Replica) adoptCentral(ctx context.Context, entries []outgoing, out pushOutcome) error {
	seen := map[rowKey]string{}
	var keys []rowKey
	for _, e := range entries {
		if reason, ok := out.rejected[e.Tx]; ok {
			k := rowKey{e.Table, e.RowID}
			if _, dup := seen[k]; !dup {
				keys = append(keys, k)
			}
			seen[k] = reason
		}
	}
	// Values are put in stored form before the writer is taken.
	type adopted struct {
		t     *schema.Table
		k     rowKey
		row   schema.Row
		state centralState
		found bool
	}
	var work []adopted
	for _, k := range keys {
		t, err := r.Catalog.Table(k.table)
		if err != nil {
			continue
		}
		a := adopted{t: t, k: k}
		a.state, a.found = out.central[k]
		if a.found {
			a.row = schema.Row{}
			for col, raw := range a.state.values {
				if c, ok := t.Column(col); ok {
					if v, _, err := canonical(c, raw); err == nil {
						a.row[col] = v
					}
				}
			}
		}
		work = append(work, a)
	}
	defer r.Store.Checkpoint(ctx)
	return r.Store.ApplyRemote(ctx, func(tx *localstore.SyncTx) error {
		for _, a := range work {
			t, k := a.t, a.k
			local, err := tx.Rows(ctx, t.Name, []string{k.id})
			if err != nil {
				return err
			}
			if !a.found {
				if err := tx.DeleteRow(ctx, t.Name, k.id); err != nil {
					return err
				}
				if err := tx.PutRowMeta(ctx, t.Name, k.id, localstore.RowMeta{CL: 2}); err != nil {
					return err
				}
			} else {
				if err := tx.PutRow(ctx, t.Name, k.id, a.row, true); err != nil {
					return err
				}
				if err := tx.PutRowMeta(ctx, t.Name, k.id, localstore.RowMeta{CL: max(a.state.cl, 1), Cells: a.state.cells}); err != nil {
					return err
				}
			}
			mine, _ := json.Marshal(local[k.id])
			owner, _ := local[k.id][t.Owner].(string)
			if err := tx.AddConflict(ctx, localstore.ConflictRecord{Table: t.Name, RowID: k.id, Column: "", UserID: owner,
				Loser: mine, Reason: "rejected_by_central: " + seen[k]}); err != nil {
				return err
			}
		}
		return nil
	})
}

// earlierOutcome is a refusal central recorded for this batch's range.
type earlierOutcome struct {
	tx, first int64
	reason    string
}

// openPush opens the device's push in central in one round trip: BEGIN;
// pam_sync.begin_push (registers the device on its first push, locks its
// row, which serialises pushes of one device and holds its last applied
// sequence, and marks the transaction so that the capture trigger leaves
// the logging to the push); the tables central keys by another column;
// the refusals already recorded for the batch's sequences; the savepoint a
// poison transaction is isolated from; then the lock and read of every row
// the batch touches (loadCentral). loaded is false when the rows must be
// read again (the key columns changed, or a row id is not a UUID): the
// caller then replays transaction by transaction. A central that speaks
// another sync contract (pam_sync.meta schema_version) stops the push
// with ErrContract before anything is written.
func openPush(ctx context.Context, conn centralConn, device string, entries []outgoing, rows map[string]*centralRow, order []string,
	k *keys, known bool) (last int64, earlier []earlierOutcome, loaded bool, err error) {
	before := *k
	if !known {
		order = nil // learn the key columns first
	}
	now := keys{}
	saved := false
	var version string
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SELECT coalesce((SELECT value FROM pam_sync.meta WHERE key = 'schema_version'), '')`).QueryRow(func(row pgx.Row) error { return row.Scan(&version) })
	b.Queue(`SELECT pam_sync.begin_push($1)`, device).QueryRow(func(row pgx.Row) error { return row.Scan(&last) })
	b.Queue(`SELECT tbl, key_col, adopted FROM pam_sync.tables WHERE key_col <> 'id' OR adopted`).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var t string
			var tk tableKey
			if err := rows.Scan(&t, &tk.col, &tk.adopted); err != nil {
				return err
			}
			now[t] = tk
		}
		return rows.Err()
	})
	b.Queue(`SELECT tx, first_seq, coalesce(reason, '') FROM pam_sync.push_outcomes
		WHERE device_id = $1 AND status = 'rejected' AND last_seq >= $2 AND first_seq <= $3`,
		device, entries[0].Seq, entries[len(entries)-1].Seq).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var o earlierOutcome
			if err := rows.Scan(&o.tx, &o.first, &o.reason); err != nil {
				return err
			}
			earlier = append(earlier, o)
		}
		return rows.Err()
	})
	b.Queue(`SAVEPOINT push_batch`).Exec(func(pgconn.CommandTag) error { saved = true; return nil })
	loaded = len(order) == 0 || queueLoad(b, rows, order, before) == nil
	err = conn.SendBatch(ctx, b).Close()
	*k = now
	if version != "" && version != ContractVersion {
		return 0, nil, false, fmt.Errorf("%w: central has sync contract %s, this pamd speaks %s: run this version's `pamd central init` on central (or update pamd)", ErrContract, version, ContractVersion)
	}
	if !saved {
		var pre pgx.ErrPreprocessingBatch
		if known && len(order) > 0 && errors.As(err, &pre) && isDataError(err) {
			// The reads did not even parse (a table now keyed by another
			// column), so nothing ran: open without them, and read them
			// after.
			*k = before
			return openPush(ctx, conn, device, entries, rows, order, k, false)
		}
		if err == nil {
			err = errors.New("savepoint not set")
		}
		return 0, nil, false, fmt.Errorf("open push: %w", err)
	}
	if len(order) == 0 && !known {
		return last, earlier, false, nil
	}
	if err == nil && loaded && sameKeys(before, now) {
		finishLoad(rows, order)
		return last, earlier, true, nil
	}
	if err != nil && sameKeys(before, now) && !isDataError(err) {
		return 0, nil, false, fmt.Errorf("lock and read rows: %w", err)
	}
	// Read with other key columns than central's, or refused: start the
	// rows over from the savepoint.
	if _, err := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT push_batch"); err != nil {
		return 0, nil, false, fmt.Errorf("open push: %w", err)
	}
	for _, key := range order {
		row := rows[key]
		*row = centralRow{table: row.table, id: row.id, scope: row.scope}
	}
	return last, earlier, false, nil
}

func sameKeys(a, b keys) bool {
	if len(a) != len(b) {
		return false
	}
	for t, c := range a {
		if b[t] != c {
			return false
		}
	}
	return true
}

// applyIsolated applies each local transaction behind its own savepoint; a
// failing one is rolled back and recorded with its reason.
func (r *Replica) applyIsolated(ctx context.Context, tx centralConn, entries []outgoing, rejected map[int64]string, k keys) error {
	for start := 0; start < len(entries); {
		end := start
		for end < len(entries) && entries[end].Tx == entries[start].Tx {
			end++
		}
		group := entries[start:end]
		if _, err := tx.Exec(ctx, "SAVEPOINT push_tx"); err != nil {
			return err
		}
		if err := r.applyCentral(ctx, tx, group, k); err != nil {
			if !isDataError(err) {
				return err
			}
			if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT push_tx"); rerr != nil {
				return rerr
			}
			rejected[group[0].Tx] = reasonOf(err)
			r.Logger.Warn("central refused a local transaction", "tx", group[0].Tx, "reason", rejected[group[0].Tx])
		} else if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT push_tx"); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// isDataError tells a refusal of the data (a constraint, RLS, a bad value)
// from a failure of the connection or the server.
func isDataError(err error) bool {
	var pe interface{ SQLState() string }
	if errors.As(err, &pe) {
		switch pe.SQLState()[:2] {
		case "22", "23", "42": // data exception, integrity constraint, RLS / privilege
			return true
		}
	}
	var de *dataError
	return errors.As(err, &de)
}

// dataError is a change this device cannot express centrally.
type dataError struct{ msg string }

func (e *dataError) Error() string { return e.msg }

func reasonOf(err error) string {
	var pe interface {
		SQLState() string
		Error() string
	}
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return err.Error()
}

// queueEndPush queues the record of one outcome per local transaction of
// the batch and the device's new position, which closes the push. The skew is
// measured against the server's clock, not ours.
func queueEndPush(b *pgx.Batch, device string, entries []outgoing, rejected map[int64]string) {
	var txs, firsts, lasts []int64
	var statuses []string
	var reasons []*string
	for start := 0; start < len(entries); {
		end := start
		for end < len(entries) && entries[end].Tx == entries[start].Tx {
			end++
		}
		t := entries[start].Tx
		txs = append(txs, t)
		firsts = append(firsts, entries[start].Seq)
		lasts = append(lasts, entries[end-1].Seq)
		if reason, ok := rejected[t]; ok {
			statuses, reasons = append(statuses, "rejected"), append(reasons, &reason)
		} else {
			statuses, reasons = append(statuses, "applied"), append(reasons, nil)
		}
		start = end
	}
	last := entries[len(entries)-1]
	b.Queue(`SELECT pam_sync.end_push($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		device, txs, firsts, lasts, statuses, reasons, last.Seq, int64(last.HLC), last.HLC.String())
}

// centralRow is one row's state during a push.
type centralRow struct {
	table  *schema.Table
	id     string
	scope  string
	meta   merge.Row
	values map[string]json.RawMessage // the row's current values (to_jsonb)
	exists bool                       // the row is in the base table now
	dirty  bool
}

type logEntry struct {
	scope, table, id string
	cl               int64
	cells            map[string]merge.Cell // every one at version (hlc, this device)
	hlc              hlc.Timestamp
	seq              int64 // local outbox sequence
}

// centralRows lists the rows entries touch (those this device sends).
func centralRows(entries []outgoing) (map[string]*centralRow, []string) {
	rows := map[string]*centralRow{}
	var order []string
	for _, e := range entries {
		if e.table == nil {
			continue // not this device's to send: acknowledged, never shipped
		}
		key := e.table.Name + "/" + e.RowID
		if _, ok := rows[key]; !ok {
			rows[key] = &centralRow{table: e.table, id: e.RowID, scope: scopeOf(e.table, e.UserID)}
			order = append(order, key)
		}
	}
	return rows, order
}

// centralPlan is what a merged batch writes centrally.
type centralPlan struct {
	rows      map[string]*centralRow
	order     []string
	logs      []logEntry
	conflicts []merge.Conflict
	newest    hlc.Timestamp // the newest version among the entries
}

// mergeCentral merges entries, in memory, into their loaded rows.
func (r *Replica) mergeCentral(entries []outgoing, rows map[string]*centralRow, order []string) *centralPlan {
	plan := &centralPlan{rows: rows, order: order}
	for _, e := range entries {
		if e.table == nil {
			continue
		}
		ch := e.change
		plan.newest = max(plan.newest, e.HLC)
		row := rows[ch.Table+"/"+ch.RowID]
		res := merge.Apply(row.meta, ch)
		plan.conflicts = append(plan.conflicts, res.Conflicts...)
		if len(res.Changed) == 0 && !res.Existence {
			row.meta = res.Row
			continue
		}
		if res.Reset || !merge.Alive(res.Row.CL) {
			row.values = map[string]json.RawMessage{}
		}
		for col, c := range res.Changed {
			row.values[col] = c.Value
		}
		row.meta = res.Row
		row.dirty = true
		plan.logs = append(plan.logs, logEntry{scope: row.scope, table: ch.Table, id: ch.RowID, cl: res.Row.CL, cells: res.Changed, hlc: e.HLC, seq: e.Seq})
	}
	return plan
}

// queue queues the plan's writes: rows and their versions, the change-log
// entries (central numbers them) and the conflicts. The first failure (a
// constraint, say) fails the batch with its SQLSTATE, and nothing after
// it runs.
func (p *centralPlan) queue(b *pgx.Batch, device string, k keys) error {
	if err := queueRows(b, p.rows, p.order, device, k, p.newest); err != nil {
		return err
	}
	encodeLog(p.logs, k).queue(b, device)
	queueConflicts(b, p.rows, p.conflicts, device)
	return nil
}

// applyCentral merges entries into the central tables: it locks and reads
// the rows' versions and values (one round trip), merges in memory, then
// writes rows, versions, change log and conflicts set-based (one more).
func (r *Replica) applyCentral(ctx context.Context, conn centralConn, entries []outgoing, k keys) error {
	rows, order := centralRows(entries)
	if len(order) == 0 {
		return nil
	}
	if err := loadCentral(ctx, conn, rows, order, k); err != nil {
		return err
	}
	b := &pgx.Batch{}
	if err := r.mergeCentral(entries, rows, order).queue(b, r.Store.DeviceID(), k); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write rows: %w", err)
	}
	return nil
}

// Statements take uuids as 16-byte values (uuidBytes), or as text[] cast
// in the select list: pgx sends a Go []string bound to uuid[] as a text
// array literal, after a failed binary attempt per call, which cost more
// than the statements' own work. (A cast of the parameter itself,
// ANY($1::text[]::uuid[]), made Postgres's generic plan scan the table.)

// loadCentral locks the rows' versions and reads their current values:
// one round trip.
func loadCentral(ctx context.Context, conn centralConn, rows map[string]*centralRow, order []string, k keys) error {
	b := &pgx.Batch{}
	if err := queueLoad(b, rows, order, k); err != nil {
		return err
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("lock and read rows: %w", err)
	}
	finishLoad(rows, order)
	return nil
}

// queueLoad queues the lock of the rows' versions, then each table's
// values, the results read in that order.
func queueLoad(b *pgx.Batch, rows map[string]*centralRow, order []string, k keys) error {
	tbls := make([]string, len(order))
	ids := make([]string, len(order))
	byTable := map[string][]string{}
	for i, k := range order {
		tbls[i], ids[i] = rows[k].table.Name, rows[k].id
		byTable[tbls[i]] = append(byTable[tbls[i]], ids[i])
	}
	keys, err := uuidBytes(ids)
	if err != nil {
		return err
	}
	b.Queue(`SELECT tbl, row_id, cl, cells FROM pam_sync.lock_versions($1::text[], $2::uuid[])`, tbls, keys).Query(func(res pgx.Rows) error {
		return readVersions(res, rows)
	})
	for _, tbl := range sortedKeys(byTable) {
		keys, err := uuidBytes(byTable[tbl])
		if err != nil {
			return err
		}
		key := schema.Quote(k.of(tbl))
		b.Queue(fmt.Sprintf(`SELECT %s::text, %s FROM %s t WHERE %s = ANY($1::uuid[])`, key, k.rowJSON(tbl, "t"), schema.Quote(tbl), key), keys).Query(func(res pgx.Rows) error {
			return readValues(res, tbl, rows)
		})
	}
	return nil
}

// finishLoad completes loaded rows: empty values for rows central does not
// have, and a causal length for rows that predate capture.
func finishLoad(rows map[string]*centralRow, order []string) {
	for _, k := range order {
		row := rows[k]
		if row.values == nil {
			row.values = map[string]json.RawMessage{}
		}
		if row.exists && row.meta.CL == 0 {
			row.meta.CL = 1 // a row that predates capture
		}
	}
}

// readVersions sets the rows' causal lengths and cell versions.
func readVersions(res pgx.Rows, rows map[string]*centralRow) error {
	for res.Next() {
		var tbl, id string
		var cl int64
		var cells json.RawMessage
		if err := res.Scan(&tbl, &id, &cl, &cells); err != nil {
			return err
		}
		v, err := versions(cells)
		if err != nil {
			return fmt.Errorf("row versions of %s/%s: %w", tbl, id, err)
		}
		if row, ok := rows[tbl+"/"+id]; ok {
			row.meta.CL = cl
			row.meta.Cells = make(map[string]merge.Cell, len(v))
			for col, clk := range v {
				row.meta.Cells[col] = merge.Cell{Clock: clk}
			}
		}
	}
	return res.Err()
}

// readValues sets the current values of a table's rows, and of their
// versioned cells.
func readValues(res pgx.Rows, tbl string, rows map[string]*centralRow) error {
	for res.Next() {
		var id string
		var vals map[string]json.RawMessage
		if err := res.Scan(&id, &vals); err != nil {
			return err
		}
		row := rows[tbl+"/"+id]
		// Postgres renders values its own way (12.5, +00:00): put them in
		// the canonical form the devices send, so equal values compare
		// equal in the merge and the ledger.
		for col, raw := range vals {
			if c, ok := row.table.Column(col); ok && len(raw) > 0 {
				if _, canon, err := canonical(c, raw); err == nil {
					vals[col] = canon
				}
			}
		}
		row.values, row.exists = vals, true
		for col, cell := range row.meta.Cells {
			cell.Value = vals[col]
			row.meta.Cells[col] = cell
		}
	}
	return res.Err()
}

// queueRows queues the writes of live rows and the deletes of dead ones,
// table by table, then the rows' versions. A live row central did not
// have when the push read it is inserted, not upserted: the push holds no
// lock on an absent row, but its id is this device's (or a row that
// appeared meanwhile fails the insert as a constraint, and the batch is
// replayed transaction by transaction, reading it again); a plain insert
// costs Postgres less than the speculative one of an upsert.
// newest is the newest version among the changes: a captured write is
// versioned after it, so the pushing device takes what landed.
func queueRows(b *pgx.Batch, rows map[string]*centralRow, order []string, device string, k keys, newest hlc.Timestamp) error {
	upserts := map[string][]map[string]json.RawMessage{}
	inserts := map[string][]map[string]json.RawMessage{}
	deletes := map[string][]string{}
	tables := map[string]*schema.Table{}
	var mTbl, mID, mUser, mCells []string
	var mCL []int64
	for _, key := range order {
		row := rows[key]
		if !row.dirty {
			continue
		}
		tables[row.table.Name] = row.table
		if merge.Alive(row.meta.CL) {
			vals := row.values
			vals["id"] = json.RawMessage(`"` + row.id + `"`)
			if row.exists {
				upserts[row.table.Name] = append(upserts[row.table.Name], vals)
			} else {
				inserts[row.table.Name] = append(inserts[row.table.Name], vals)
			}
		} else if row.exists {
			deletes[row.table.Name] = append(deletes[row.table.Name], row.id)
		}
		if k[row.table.Name].adopted {
			continue // captured: the trigger versions what landed
		}
		mTbl, mID, mUser = append(mTbl, row.table.Name), append(mID, row.id), append(mUser, row.scope)
		mCL, mCells = append(mCL, row.meta.CL), append(mCells, string(encodeVersions(row.meta.Cells)))
	}
	for _, name := range sortedKeys(inserts) {
		t := tables[name]
		withOrigin(b, k.captured(t), device, newest, func() { b.Queue(insertSQL(t, k.of(name)), string(encodeRows(inserts[name]))) })
	}
	for _, name := range sortedKeys(upserts) {
		t := tables[name]
		withOrigin(b, k.captured(t), device, newest, func() { b.Queue(upsertSQL(t, k.of(name)), string(encodeRows(upserts[name]))) })
	}
	for _, name := range sortedKeys(deletes) {
		keys, err := uuidBytes(deletes[name])
		if err != nil {
			return err
		}
		withOrigin(b, k.captured(tables[name]), device, newest, func() {
			b.Queue(fmt.Sprintf(`DELETE FROM %s WHERE %s = ANY($1::uuid[])`, schema.Quote(name), schema.Quote(k.of(name))), keys)
		})
	}
	if len(mTbl) > 0 {
		b.Queue(`SELECT pam_sync.put_versions($1, $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])`,
			device, mTbl, mID, mUser, mCL, mCells)
	}
	return nil
}

// withOrigin queues a write with the capture trigger enabled when captured
// (keys.captured): the trigger then logs what actually landed, versioned
// after newest (pam_sync.min_hlc), so that even a device whose clock runs
// ahead of the server's takes the landed values.
func withOrigin(b *pgx.Batch, captured bool, device string, newest hlc.Timestamp, queue func()) {
	if !captured {
		queue()
		return
	}
	b.Queue(`SELECT set_config('pam_sync.origin', '', true), set_config('pam_sync.min_hlc', $1, true)`, strconv.FormatUint(uint64(newest), 10))
	queue()
	b.Queue(`SELECT set_config('pam_sync.origin', $1, true), set_config('pam_sync.min_hlc', '', true)`, device)
}

// upsertSQL writes whole rows from a JSON array of objects; columns absent
// from an object become NULL, which is why callers pass the full row. Only
// the catalog's columns are named: a column the project has and PAM does
// not keeps its default on insert and its value on update. A table keyed
// by another column (key, an adopted table's sync key) takes the device's
// "id" there and leaves the project's own id to its default.
func upsertSQL(t *schema.Table, key string) string {
	sets := make([]string, 0, len(t.Columns))
	for _, c := range t.Columns {
		if c.Name != "id" {
			sets = append(sets, fmt.Sprintf("%s = excluded.%s", schema.Quote(c.Name), schema.Quote(c.Name)))
		}
	}
	return insertSQL(t, key) + fmt.Sprintf(`
		ON CONFLICT (%s) DO UPDATE SET %s`, schema.Quote(key), strings.Join(sets, ", "))
}

// insertSQL is upsertSQL without the conflict clause, for rows central
// does not have.
func insertSQL(t *schema.Table, key string) string {
	cols := make([]string, 0, len(t.Columns))
	for _, c := range t.Columns {
		if c.Name != "id" {
			cols = append(cols, schema.Quote(c.Name))
		}
	}
	if key == "id" {
		list := `"id", ` + strings.Join(cols, ", ")
		return fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM json_populate_recordset(NULL::%s, $1::text::json)`,
			schema.Quote(t.Name), list, list, schema.Quote(t.Name))
	}
	defs := make([]string, 0, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		defs = append(defs, schema.Quote(c.Name)+" "+c.SQLType(schema.Postgres))
	}
	return fmt.Sprintf(`INSERT INTO %s (%s, %s) SELECT "id", %s FROM json_to_recordset($1::text::json) AS r(%s)`,
		schema.Quote(t.Name), schema.Quote(key), strings.Join(cols, ", "), strings.Join(cols, ", "), strings.Join(defs, ", "))
}

// logRows are change-log entries as statement arguments.
type logRows struct {
	users, tbls, ids, cells []string
	cls, origins, clocks    []int64
}

func encodeLog(logs []logEntry, k keys) logRows {
	var r logRows
	for _, l := range logs {
		if l.scope == SharedScope || k[l.table].adopted {
			continue // logged by the capture trigger
		}
		r.users, r.tbls, r.ids, r.cells = append(r.users, l.scope), append(r.tbls, l.table), append(r.ids, l.id), append(r.cells, string(encodeValues(l.cells)))
		r.cls, r.origins, r.clocks = append(r.cls, l.cl), append(r.origins, l.seq), append(r.clocks, int64(l.hlc))
	}
	return r
}

// queue appends the entries to their scopes' change logs; central
// allocates their sequence numbers.
func (r logRows) queue(b *pgx.Batch, device string) {
	if len(r.users) == 0 {
		return
	}
	// One version for the whole entry (a local change has one HLC), so
	// the cells carry values only: less to send, parse and store.
	b.Queue(`SELECT pam_sync.log_changes($1, $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[])`,
		device, r.users, r.tbls, r.ids, r.cls, r.cells, r.origins, r.clocks)
}

// queueConflicts records the values the merge overwrote or refused.
func queueConflicts(b *pgx.Batch, rows map[string]*centralRow, conflicts []merge.Conflict, device string) {
	if len(conflicts) == 0 {
		return
	}
	var users, tbls, ids, cols, winners, losers, reasons []string
	for _, c := range conflicts {
		row := rows[c.Table+"/"+c.RowID]
		w, _ := json.Marshal(c.Winner)
		l, _ := json.Marshal(c.Loser)
		users, tbls, ids, cols = append(users, row.scope), append(tbls, c.Table), append(ids, c.RowID), append(cols, c.Column)
		winners, losers, reasons = append(winners, string(w)), append(losers, string(l)), append(reasons, c.Reason)
	}
	b.Queue(`SELECT pam_sync.add_conflicts($1, $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
		device, users, tbls, ids, cols, winners, losers, reasons)
}

// encodeRows renders rows of raw JSON values as a JSON array of objects
// without reflection (pushes encode every cell of every row).
func encodeRows(rows []map[string]json.RawMessage) []byte { return schema.EncodeRawRows(rows) }

// encodeValues renders {"col": value} without reflection.
func encodeValues(cells map[string]merge.Cell) []byte {
	return schema.AppendRawObject(make([]byte, 0, 32*len(cells)+2), cells, cellJSON)
}

// cellJSON is a cell's value.
func cellJSON(c merge.Cell) json.RawMessage { return c.Value }
