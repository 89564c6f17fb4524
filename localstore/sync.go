package localstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/hlc"
)

// This file holds the primitives the sync engine drives: reading the
// outbox, marking it pushed, and applying remote state without recording
// it as a local change. The merge rule itself lives in the sync packages.

// OutboxEntry is one recorded local change.
type OutboxEntry struct {
	Seq    int64
	Tx     int64
	HLC    hlc.Timestamp
	Table  string
	RowID  string
	UserID string // owner, "" for unowned rows
	Op     schema.Op
	CL     int64
	Data   schema.Row // changed columns, stored form
}

// Outbox returns pending changes in sequence order, at most limit of them
// but never splitting a local transaction (so a batch may run over limit to
// finish its last transaction).
func (s *Store) Outbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	pushed, err := s.pushedSeq(ctx, s.read)
	if err != nil {
		return nil, err
	}
	return s.OutboxAfter(ctx, pushed, limit)
}

// OutboxAfter is Outbox from the entry after sequence after, pushed or not:
// a push reads its next batch while the current one is in flight.
func (s *Store) OutboxAfter(ctx context.Context, after int64, limit int) ([]OutboxEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT seq, tx, hlc, tbl, row_id, coalesce(user_id, ''), op, cl, data
		FROM _pam_changes WHERE seq > ?1 AND tx <= coalesce(
			(SELECT tx FROM _pam_changes WHERE seq > ?1 ORDER BY seq LIMIT 1 OFFSET ?2), 9223372036854775807)
		ORDER BY seq`, after, max(limit-1, 0))
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		var data string
		var ts int64
		if err := rows.Scan(&e.Seq, &e.Tx, &ts, &e.Table, &e.RowID, &e.UserID, &e.Op, &e.CL, &data); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		e.HLC = hlc.Timestamp(ts)
		if e.Data, err = schema.DecodeStored(data); err != nil {
			return nil, fmt.Errorf("read outbox entry %d: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkPushed records the outcome of a push: entries up to and including
// upTo are acknowledged, except those of the rejected transactions, which
// are set aside with their reason. The acknowledged entries' versions are
// folded into the rows' metadata here, off the write path, in one
// statement.
func (s *Store) MarkPushed(ctx context.Context, upTo int64, rejected map[int64]string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	from, err := s.pushedSeq(ctx, tx)
	if err != nil {
		return err
	}
	if upTo <= from {
		return nil
	}
	now := schema.FormatTimestamp(s.Now())
	for txID, reason := range rejected {
		if _, err := tx.ExecContext(ctx, `INSERT INTO _pam_rejected (tx, first_seq, last_seq, reason, rejected_at)
			SELECT tx, min(seq), max(seq), ?, ? FROM _pam_changes WHERE tx = ? GROUP BY tx
			ON CONFLICT (tx) DO UPDATE SET reason = excluded.reason`, reason, now, txID); err != nil {
			return fmt.Errorf("record rejection: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, foldSQL, from, upTo, s.deviceID); err != nil {
		return fmt.Errorf("fold versions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO _pam_meta (key, value) VALUES ('pushed_seq', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fmt.Sprint(upTo)); err != nil {
		return fmt.Errorf("advance pushed sequence: %w", err)
	}
	return tx.Commit()
}

// foldSQL folds acknowledged changes, in order, into the rows' versions: a
// change of the same incarnation stamps the cells it set, column by
// column; a new incarnation (or a delete) starts the cells afresh, with
// one shared entry ("*": {"t", "n", "c": [cols]}) for the columns the
// change set, since a change has one version. Refused transactions are
// skipped: their versions never became central.
const foldSQL = `INSERT INTO _pam_rowmeta (tbl, row_id, cl, cells)
	SELECT c.tbl, c.row_id, c.cl,
		CASE WHEN c.data = '{}' THEN '{}'
		     ELSE json_object('*', json_object('t', c.hlc, 'n', ?3, 'c', json((SELECT json_group_array(j.key) FROM json_each(c.data) j)))) END
	FROM _pam_changes c
	WHERE c.seq > ?1 AND c.seq <= ?2 AND c.tx NOT IN (SELECT tx FROM _pam_rejected)
	ORDER BY c.seq
	ON CONFLICT (tbl, row_id) DO UPDATE SET
		cells = CASE WHEN excluded.cl <> _pam_rowmeta.cl THEN excluded.cells
		             WHEN excluded.cells = '{}' THEN _pam_rowmeta.cells
		             ELSE json_patch(_pam_rowmeta.cells, (SELECT json_group_object(j.value,
		                    json_object('t', json_extract(excluded.cells, '$."*".t'), 'n', json_extract(excluded.cells, '$."*".n')))
		                  FROM json_each(excluded.cells, '$."*".c') j)) END,
		cl = excluded.cl`

// rowQuerier is what pushedSeq needs of a database or transaction.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pushedSeq is the highest outbox sequence acknowledged by central.
func (s *Store) pushedSeq(ctx context.Context, q rowQuerier) (int64, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM _pam_meta WHERE key = 'pushed_seq'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("read pushed sequence: %w", err)
	}
	var n int64
	fmt.Sscan(v, &n)
	return n, nil
}

// Rejections lists refused transactions, newest first.
func (s *Store) Rejections(ctx context.Context, limit int) ([]Rejection, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT tx, first_seq, last_seq, reason, rejected_at FROM _pam_rejected ORDER BY tx DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read rejections: %w", err)
	}
	defer rows.Close()
	var out []Rejection
	for rows.Next() {
		var r Rejection
		if err := rows.Scan(&r.Tx, &r.FirstSeq, &r.LastSeq, &r.Reason, &r.RejectedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Cursors returns the pull cursor of every scope seen so far.
func (s *Store) Cursors(ctx context.Context) (map[string]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT scope, seq FROM _pam_cursors`)
	if err != nil {
		return nil, fmt.Errorf("read cursors: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var scope string
		var seq int64
		if err := rows.Scan(&scope, &seq); err != nil {
			return nil, err
		}
		out[scope] = seq
	}
	return out, rows.Err()
}

// Conflicts lists the ledger, newest first. user limits it to that user's
// rows and shared rows.
func (s *Store) Conflicts(ctx context.Context, user string, limit int) ([]ConflictRecord, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT c.id, c.tbl, c.row_id, c.col, coalesce(c.winner, 'null'), coalesce(c.loser, 'null'), c.reason, c.detected_at,
			coalesce(c.reviewed_at, '')
		FROM _pam_conflicts c WHERE c.user_id IS NULL OR c.user_id = ?
		ORDER BY c.id DESC LIMIT ?`, user, limit)
	if err != nil {
		return nil, fmt.Errorf("read conflicts: %w", err)
	}
	defer rows.Close()
	var out []ConflictRecord
	for rows.Next() {
		var c ConflictRecord
		var w, l string
		if err := rows.Scan(&c.ID, &c.Table, &c.RowID, &c.Column, &w, &l, &c.Reason, &c.DetectedAt, &c.ReviewedAt); err != nil {
			return nil, err
		}
		c.Winner, c.Loser = json.RawMessage(w), json.RawMessage(l)
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenConflicts counts the conflicts user may see that nobody has
// reviewed yet.
func (s *Store) OpenConflicts(ctx context.Context, user string) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM _pam_conflicts
		WHERE reviewed_at IS NULL AND (user_id IS NULL OR user_id = ?)`, user).Scan(&n)
	return n, err
}

// ReviewConflict marks conflict id reviewed for user (once: a second
// review keeps the first time) and returns it. A conflict user may not
// see is ENOTFOUND.
func (s *Store) ReviewConflict(ctx context.Context, user string, id int64) (schema.ConflictRecord, error) {
	if err := s.writable(ctx); err != nil {
		return schema.ConflictRecord{}, err
	}
	res, err := s.write.ExecContext(ctx, `UPDATE _pam_conflicts SET reviewed_at = coalesce(reviewed_at, ?)
		WHERE id = ? AND (user_id IS NULL OR user_id = ?)`, schema.FormatTimestamp(s.Now()), id, user)
	if err != nil {
		return schema.ConflictRecord{}, fmt.Errorf("review conflict: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.ConflictRecord{}, schema.Errorf(schema.ENOTFOUND, "no conflict %d", id)
	}
	var c schema.ConflictRecord
	var w, l string
	err = s.read.QueryRowContext(ctx, `SELECT id, tbl, row_id, col, coalesce(winner, 'null'), coalesce(loser, 'null'), reason, detected_at, coalesce(reviewed_at, '')
		FROM _pam_conflicts WHERE id = ?`, id).Scan(&c.ID, &c.Table, &c.RowID, &c.Column, &w, &l, &c.Reason, &c.DetectedAt, &c.ReviewedAt)
	c.Winner, c.Loser = json.RawMessage(w), json.RawMessage(l)
	return c, err
}

// ConflictCount is the size of the ledger.
func (s *Store) ConflictCount(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM _pam_conflicts`).Scan(&n)
	return n, err
}

// SyncTx applies remote state in one write transaction, without recording
// local changes: what sync brings in must not be pushed back.
type SyncTx struct {
	w       *writer
	touched map[string]bool
}

// ApplyRemote runs fn in one write transaction and commits it; the caches
// of the tables it touched are invalidated after the commit.
//
// Its commit never checkpoints with the writer held: the caller copies
// the log back once ApplyRemote has returned, with Checkpoint; until one
// does, the next local write's automatic checkpoint will (checkpoint.go).
func (s *Store) ApplyRemote(ctx context.Context, fn func(*SyncTx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.setAutoCheckpoint(ctx, 0); err != nil {
		return err
	}
	defer s.setAutoCheckpoint(context.WithoutCancel(ctx), autoCheckpoint)
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	st := &SyncTx{w: &writer{s: s, tx: tx, now: s.Now()}, touched: map[string]bool{}}
	defer st.w.close()
	if err := fn(st); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for t := range st.touched {
		s.invalidate(t)
	}
	return nil
}

// RowMeta is a row's sync metadata; Cells is {"col": {"t", "n"}}.
type RowMeta struct {
	CL    int64
	Cells json.RawMessage
}

// RowMetas reads the versions of the given rows of one table: what the
// metadata holds, overlaid with the row's changes not yet acknowledged
// (their versions are folded in only on acknowledgement). Rows never seen
// are absent from the map.
func (t *SyncTx) RowMetas(ctx context.Context, table string, ids []string) (map[string]RowMeta, error) {
	out := make(map[string]RowMeta, len(ids))
	pushed, err := t.w.s.pushedSeq(ctx, t.w.tx)
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, table)
		for _, id := range chunk {
			args = append(args, id)
		}
		in := `(?` + strings.Repeat(",?", len(chunk)-1) + `)`
		rows, err := t.w.tx.QueryContext(ctx, `SELECT row_id, cl, cells FROM _pam_rowmeta WHERE tbl = ? AND row_id IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("read row metadata: %w", err)
		}
		for rows.Next() {
			var id, cells string
			var m RowMeta
			if err := rows.Scan(&id, &m.CL, &cells); err != nil {
				rows.Close()
				return nil, err
			}
			m.Cells = json.RawMessage(cells)
			out[id] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		// Pending local changes of these rows, in order.
		rows, err = t.w.tx.QueryContext(ctx, `SELECT row_id, cl, hlc, data FROM _pam_changes WHERE seq > ? AND tbl = ? AND row_id IN `+in+` ORDER BY seq`,
			append([]any{pushed}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("read pending versions: %w", err)
		}
		for rows.Next() {
			var id, data string
			var cl, ts int64
			if err := rows.Scan(&id, &cl, &ts, &data); err != nil {
				rows.Close()
				return nil, err
			}
			m, err := overlayPending(out[id], cl, hlc.Timestamp(ts), t.w.s.deviceID, data)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// overlayPending applies one pending change to a row's versions, as the
// fold on acknowledgement will.
func overlayPending(m RowMeta, cl int64, ts hlc.Timestamp, node, data string) (RowMeta, error) {
	cells := map[string]json.RawMessage{}
	if m.CL == cl && len(m.Cells) > 0 {
		if err := json.Unmarshal(m.Cells, &cells); err != nil {
			return m, err
		}
	}
	var changed map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &changed); err != nil {
		return m, err
	}
	version, _ := json.Marshal(map[string]any{"t": uint64(ts), "n": node})
	for col := range changed {
		cells[col] = version
	}
	raw, err := json.Marshal(cells)
	return RowMeta{CL: cl, Cells: raw}, err
}

// Rows reads the given rows of a table in stored form.
func (t *SyncTx) Rows(ctx context.Context, table string, ids []string) (map[string]schema.Row, error) {
	tbl, err := t.w.s.Catalog.Table(table)
	if err != nil {
		return nil, err
	}
	out := make(map[string]schema.Row, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := t.w.tx.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE id IN (?%s)`, columnList(tbl), schema.Quote(tbl.Name), strings.Repeat(",?", len(chunk)-1)), args...)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		for rows.Next() {
			vals, err := scanStored(rows, len(tbl.Columns))
			if err != nil {
				rows.Close()
				return nil, err
			}
			row := make(schema.Row, len(tbl.Columns))
			for i, c := range tbl.Columns {
				row[c.Name] = vals[i]
			}
			out[row["id"].(string)] = row
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PutRow writes a row's columns (stored form). With replace the row becomes
// exactly values (absent columns NULL); otherwise only the given columns
// change, and a missing row is inserted.
func (t *SyncTx) PutRow(ctx context.Context, table, id string, values schema.Row, replace bool) error {
	tbl, err := t.w.s.Catalog.Table(table)
	if err != nil {
		return err
	}
	t.touched[table] = true
	if !replace && len(values) > 0 {
		assigns := make([]string, 0, len(values))
		args := make([]any, 0, len(values)+1)
		for _, c := range tbl.Columns {
			if v, ok := values[c.Name]; ok && c.Name != "id" {
				assigns = append(assigns, schema.Quote(c.Name)+" = ?")
				args = append(args, v)
			}
		}
		if len(assigns) == 0 {
			return nil
		}
		args = append(args, id)
		res, err := t.w.tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET %s WHERE id = ?", schema.Quote(tbl.Name), strings.Join(assigns, ", ")), args...)
		if err != nil {
			return mapWriteError(table, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
	}
	args := make([]any, len(tbl.Columns))
	for i, c := range tbl.Columns {
		args[i] = values[c.Name]
	}
	args[0] = id // id is the first column of every table
	stmt, err := t.w.stmt(ctx, "replace "+tbl.Name, func() string {
		return "INSERT OR REPLACE" + strings.TrimPrefix(insertSQL(tbl), "INSERT")
	})
	if err != nil {
		return err
	}
	if _, err := stmt.ExecContext(ctx, args...); err != nil {
		return mapWriteError(table, err)
	}
	return nil
}

// DeleteRow removes a row (a remote delete); absent rows are fine.
func (t *SyncTx) DeleteRow(ctx context.Context, table, id string) error {
	if _, err := t.w.s.Catalog.Table(table); err != nil {
		return err
	}
	t.touched[table] = true
	_, err := t.w.tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE id = ?", schema.Quote(table)), id)
	return err
}

// rowsPerStatement is how many rows a batched write puts in one
// statement: the per-statement cost of a one-row write was a fifth of a
// pulled page's apply time. 64 rows of the widest table stay far below
// SQLite's limit on bound variables.
const rowsPerStatement = 64

// ReplaceRows writes whole rows of one table (stored form, "id" set),
// replacing any row with the same id, many rows to a statement. A row that
// cannot stand fails its statement (and only it): the caller may then
// write the rows one by one with PutRow to find it.
func (t *SyncTx) ReplaceRows(ctx context.Context, table string, rows []schema.Row) error {
	tbl, err := t.w.s.Catalog.Table(table)
	if err != nil {
		return err
	}
	t.touched[table] = true
	one := "(?" + strings.Repeat(", ?", len(tbl.Columns)-1) + ")"
	head := fmt.Sprintf("INSERT OR REPLACE INTO %s (%s) VALUES ", schema.Quote(tbl.Name), columnList(tbl))
	args := make([]any, 0, rowsPerStatement*len(tbl.Columns))
	for len(rows) > 0 {
		n := min(len(rows), rowsPerStatement)
		stmt, err := t.w.stmt(ctx, fmt.Sprintf("replace %s x%d", tbl.Name, n), func() string {
			return head + one + strings.Repeat(", "+one, n-1)
		})
		if err != nil {
			return err
		}
		args = args[:0]
		for _, row := range rows[:n] {
			for _, c := range tbl.Columns {
				args = append(args, row[c.Name])
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return mapWriteError(table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// PutRowMetas writes the sync metadata of many rows of one table.
func (t *SyncTx) PutRowMetas(ctx context.Context, table string, ids []string, metas []RowMeta) error {
	args := make([]any, 0, rowsPerStatement*4)
	for start := 0; start < len(ids); start += rowsPerStatement {
		n := min(len(ids)-start, rowsPerStatement)
		stmt, err := t.w.stmt(ctx, fmt.Sprintf("put rowmeta x%d", n), func() string {
			return `INSERT INTO _pam_rowmeta (tbl, row_id, cl, cells) VALUES (?, ?, ?, ?)` + strings.Repeat(", (?, ?, ?, ?)", n-1) + `
			ON CONFLICT (tbl, row_id) DO UPDATE SET cl = excluded.cl, cells = excluded.cells`
		})
		if err != nil {
			return err
		}
		args = args[:0]
		for i := start; i < start+n; i++ {
			cells := metas[i].Cells
			if len(cells) == 0 {
				cells = json.RawMessage("{}")
			}
			args = append(args, table, ids[i], metas[i].CL, string(cells))
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("write row metadata: %w", err)
		}
	}
	return nil
}

// PutRowMeta stores a row's metadata.
func (t *SyncTx) PutRowMeta(ctx context.Context, table, id string, m RowMeta) error {
	stmt, err := t.w.stmt(ctx, "put rowmeta", func() string {
		return `INSERT INTO _pam_rowmeta (tbl, row_id, cl, cells) VALUES (?, ?, ?, ?)
			ON CONFLICT (tbl, row_id) DO UPDATE SET cl = excluded.cl, cells = excluded.cells`
	})
	if err != nil {
		return err
	}
	cells := m.Cells
	if len(cells) == 0 {
		cells = json.RawMessage("{}")
	}
	_, err = stmt.ExecContext(ctx, table, id, m.CL, string(cells))
	return err
}

// AddConflict appends to the ledger.
func (t *SyncTx) AddConflict(ctx context.Context, c ConflictRecord) error {
	stmt, err := t.w.stmt(ctx, "add conflict", func() string {
		return `INSERT INTO _pam_conflicts (tbl, row_id, col, user_id, winner, loser, reason, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	})
	if err != nil {
		return err
	}
	var user any
	if c.UserID != "" {
		user = c.UserID
	}
	_, err = stmt.ExecContext(ctx, c.Table, c.RowID, c.Column, user, nullJSON(c.Winner), nullJSON(c.Loser), c.Reason, schema.FormatTimestamp(t.w.now))
	return err
}

func nullJSON(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

// SetCursor stores a scope's pull cursor.
func (t *SyncTx) SetCursor(ctx context.Context, scope string, seq int64) error {
	_, err := t.w.tx.ExecContext(ctx, `INSERT INTO _pam_cursors (scope, seq) VALUES (?, ?)
		ON CONFLICT (scope) DO UPDATE SET seq = excluded.seq`, scope, seq)
	return err
}

// Observe advances the store's clock past a remote version.
func (t *SyncTx) Observe(ts hlc.Timestamp) bool { return t.w.s.clock.Observe(ts) }

// CompactOutbox deletes acknowledged changes older than keep (the replay
// window) and returns how many went. Their versions were folded into the
// rows' metadata when they were acknowledged. during, if set, runs inside
// the transaction before it commits (crash tests stop there).
func (s *Store) CompactOutbox(ctx context.Context, keep hlc.Timestamp, during func()) (int64, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	pushed, err := s.pushedSeq(ctx, tx)
	if err != nil {
		return 0, err
	}
	// The newest entry always stays: sequence numbers are max+1, and a
	// reused number would look already pushed to the central database.
	res, err := tx.ExecContext(ctx, `DELETE FROM _pam_changes WHERE seq <= ? AND hlc < ?
		AND seq < (SELECT max(seq) FROM _pam_changes)`, pushed, int64(keep))
	if err != nil {
		return 0, fmt.Errorf("compact outbox: %w", err)
	}
	if during != nil {
		during()
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("compact outbox: %w", err)
	}
	return res.RowsAffected()
}
