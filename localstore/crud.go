package localstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Create inserts one row owned by user and returns it.
func (s *Store) Create(ctx context.Context, user, table string, data schema.Row) (schema.Row, error) {
	rows, err := s.Apply(ctx, user, []Operation{{Op: schema.OpCreate, Table: table, Data: data}})
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

// Update changes the given columns of one of user's rows and returns it.
func (s *Store) Update(ctx context.Context, user, table, id string, data schema.Row) (schema.Row, error) {
	rows, err := s.Apply(ctx, user, []Operation{{Op: schema.OpUpdate, Table: table, ID: id, Data: data}})
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

// Delete removes one of user's rows, leaving a tombstone.
func (s *Store) Delete(ctx context.Context, user, table, id string) error {
	_, err := s.Apply(ctx, user, []Operation{{Op: schema.OpDelete, Table: table, ID: id}})
	return err
}

// Apply runs ops for user in one transaction: all of them or none. Every
// mutation leaves its change record in that transaction. The result holds
// one row per op (nil for deletes).
func (s *Store) Apply(ctx context.Context, user string, ops []Operation) ([]schema.Row, error) {
	if len(ops) == 0 {
		return nil, schema.Errorf(schema.EUNPROCESSABLE, "no operations")
	}
	if len(ops) > MaxBulkOps {
		return nil, schema.Errorf(schema.ETOOLARGE, "more than %d operations in one batch", MaxBulkOps)
	}
	user, err := schema.ParseUUID(user)
	if err != nil {
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "no valid user")
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	w := &writer{s: s, tx: tx, user: user, now: s.Now()}
	defer w.close()
	out := make([]schema.Row, len(ops))
	touched := make(map[string]bool) // tables this batch wrote
	for i, op := range ops {
		if out[i], err = w.apply(ctx, op); err != nil {
			s.noteCorrupt(err)
			return nil, opError(i, len(ops), err)
		}
		if op.Op != OpRead {
			// Only ever set: a later read of the same table in the batch
			// must not hide the write from the cache and from sync.
			touched[op.Table] = true
		}
	}
	if err := tx.Commit(); err != nil {
		s.noteCorrupt(err)
		return nil, fmt.Errorf("commit: %w", mapWriteError("", err))
	}
	for t := range touched {
		s.invalidate(t)
	}
	if len(touched) > 0 {
		s.lastWrite.Store(time.Now().UnixNano())
	}
	if len(touched) > 0 && s.OnWrite != nil {
		s.OnWrite()
	}
	return out, nil
}

// opError names the failing operation of a batch.
func opError(i, n int, err error) error {
	if n == 1 {
		return err
	}
	var e *schema.Error
	if errors.As(err, &e) {
		return &schema.Error{Code: e.Code, Message: fmt.Sprintf("operation %d: %s", i, e.Message), Fields: e.Fields}
	}
	return fmt.Errorf("operation %d: %w", i, err)
}

// writer carries one write transaction.
type writer struct {
	s    *Store
	tx   *sql.Tx
	user string
	now  time.Time
	txID int64 // HLC of the first change, 0 until then

	nowText string // now as stored, formatted once per transaction

	stmts map[string]*sql.Stmt // prepared once per transaction, reused by every row
}

// stmt returns the transaction's handle on a write statement. Statements
// the store prepared at open are reused (a one-row write does not compile
// its SQL again); any other is prepared for this transaction.
func (w *writer) stmt(ctx context.Context, key string, build func() string) (*sql.Stmt, error) {
	if st, ok := w.stmts[key]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if base, ok := w.s.stmts[key]; ok {
		st = w.tx.StmtContext(ctx, base)
	} else {
		var err error
		if st, err = w.tx.PrepareContext(ctx, build()); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", key, err)
		}
	}
	if w.stmts == nil {
		w.stmts = make(map[string]*sql.Stmt)
	}
	w.stmts[key] = st
	return st, nil
}

// stamp is the transaction's time as stored in created_at and updated_at.
func (w *writer) stamp() string {
	if w.nowText == "" {
		w.nowText = schema.FormatTimestamp(w.now)
	}
	return w.nowText
}

// close releases the prepared statements.
func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

const insertChangeSQL = `INSERT INTO _pam_changes (tx, hlc, tbl, row_id, user_id, op, cl, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertSQL inserts every column of t, in definition order.
func insertSQL(t *schema.Table) string {
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (?%s)", schema.Quote(t.Name), columnList(t), strings.Repeat(", ?", len(t.Columns)-1))
}

func (w *writer) apply(ctx context.Context, op Operation) (schema.Row, error) {
	t, err := w.s.Catalog.Table(op.Table)
	if err != nil {
		return nil, err
	}
	if op.Op == OpRead {
		cur, err := w.load(ctx, t, op.ID)
		if err != nil {
			return nil, err
		}
		return outputRow(t, cur), nil
	}
	if op.Op != schema.OpCreate && op.Op != schema.OpUpdate && op.Op != schema.OpDelete {
		return nil, schema.Errorf(schema.EUNPROCESSABLE, "unknown operation %q", schema.Truncate(string(op.Op), 16))
	}
	if !t.Allows(op.Op) {
		return nil, notAllowed(t, op.Op)
	}
	switch op.Op {
	case schema.OpCreate:
		return w.create(ctx, t, op.Data)
	case schema.OpUpdate:
		return w.update(ctx, t, op.ID, op.Data)
	default:
		return nil, w.delete(ctx, t, op.ID)
	}
}

func notAllowed(t *schema.Table, op schema.Op) error {
	why := map[schema.Role]string{
		schema.RoleReference: "is shared reference data, read-only on this device",
		schema.RoleServer:    "is written centrally only, read-only on this device",
		schema.RoleDerived:   "is derived from other tables and cannot be written",
		schema.RoleAppend:    "is append-only: rows are never updated",
	}[t.Role]
	if t.View {
		why = "is a read-only view derived from other tables"
	}
	return schema.Errorf(schema.ENOTALLOWED, "cannot %s on %s: it %s", op, t.Name, why)
}

func (w *writer) create(ctx context.Context, t *schema.Table, data schema.Row) (schema.Row, error) {
	row, err := t.Validate(schema.OpCreate, data)
	if err != nil {
		return nil, err
	}
	if t.Owner != "" {
		if v, ok := row[t.Owner]; ok && v != nil && v != w.user {
			return nil, schema.Errorf(schema.EFORBIDDEN, "%s: %s must be the caller", t.Name, t.Owner)
		}
		row[t.Owner] = w.user
	}
	_, given := row["id"]
	if !given {
		row["id"] = NewID() // a fresh UUIDv7: no earlier incarnation to look up
	}
	t.ApplyDefaults(row, w.now)
	row["created_at"] = coalesce(row["created_at"], w.stamp())
	if err := t.CheckCreate(row, w.now); err != nil {
		return nil, err
	}
	if t.Mutable {
		row["updated_at"] = w.stamp()
	}
	args := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		args[i] = row[c.Name]
	}
	stmt, err := w.stmt(ctx, "insert "+t.Name, func() string { return insertSQL(t) })
	if err != nil {
		return nil, err
	}
	if _, err := stmt.ExecContext(ctx, args...); err != nil {
		return nil, mapWriteError(t.Name, err)
	}
	if err := w.record(ctx, t, schema.OpCreate, row["id"].(string), row, !given); err != nil {
		return nil, err
	}
	return outputRow(t, row), nil
}

func (w *writer) update(ctx context.Context, t *schema.Table, id string, data schema.Row) (schema.Row, error) {
	cur, err := w.loadOwned(ctx, t, id)
	if err != nil {
		return nil, err
	}
	set, err := t.Validate(schema.OpUpdate, data)
	if err != nil {
		return nil, err
	}
	if t.Owner != "" {
		if v, ok := set[t.Owner]; ok && v != w.user {
			return nil, schema.Errorf(schema.EFORBIDDEN, "%s: %s cannot be given to another user", t.Name, t.Owner)
		}
		delete(set, t.Owner)
	}
	if len(set) == 0 {
		return nil, schema.Errorf(schema.EUNPROCESSABLE, "%s: no columns to update", t.Name)
	}
	for k, v := range set {
		cur[k] = v
	}
	if errs := t.CheckRow(cur); len(errs) > 0 {
		return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: t.Name + ": row fails a check", Fields: errs}
	}
	if t.Mutable {
		set["updated_at"] = w.stamp()
		cur["updated_at"] = set["updated_at"]
	}
	assigns := make([]string, 0, len(set))
	args := make([]any, 0, len(set)+1)
	for _, c := range t.Columns {
		if v, ok := set[c.Name]; ok {
			assigns = append(assigns, schema.Quote(c.Name)+" = ?")
			args = append(args, v)
		}
	}
	args = append(args, cur["id"])
	q := fmt.Sprintf("UPDATE %s SET %s WHERE id = ?", schema.Quote(t.Name), strings.Join(assigns, ", "))
	if _, err := w.tx.ExecContext(ctx, q, args...); err != nil {
		return nil, mapWriteError(t.Name, err)
	}
	if err := w.record(ctx, t, schema.OpUpdate, cur["id"].(string), set, false); err != nil {
		return nil, err
	}
	return outputRow(t, cur), nil
}

func (w *writer) delete(ctx context.Context, t *schema.Table, id string) error {
	cur, err := w.loadOwned(ctx, t, id)
	if err != nil {
		return err
	}
	if _, err := w.tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE id = ?", schema.Quote(t.Name)), cur["id"]); err != nil {
		return mapWriteError(t.Name, err)
	}
	return w.record(ctx, t, schema.OpDelete, cur["id"].(string), nil, false)
}

// loadOwned loads a row the caller may write: absent is ENOTFOUND, someone
// else's is EFORBIDDEN.
func (w *writer) loadOwned(ctx context.Context, t *schema.Table, id string) (schema.Row, error) {
	cur, err := w.load(ctx, t, id)
	if err != nil {
		return nil, err
	}
	if t.Owner != "" && cur[t.Owner] != w.user {
		return nil, schema.Errorf(schema.EFORBIDDEN, "%s %s belongs to another user", t.Name, cur["id"])
	}
	if t.Owner == "" && t.Read != schema.ReadAll {
		return nil, schema.Errorf(schema.EFORBIDDEN, "%s %s has no owner", t.Name, cur["id"])
	}
	return cur, nil
}

// load reads a row in stored form, checking that the caller may see it.
func (w *writer) load(ctx context.Context, t *schema.Table, id string) (schema.Row, error) {
	row, err := loadRow(ctx, w.tx, t, id)
	if err != nil {
		return nil, err
	}
	if !visible(t, row, w.user) {
		return nil, schema.Errorf(schema.EFORBIDDEN, "%s %s belongs to another user", t.Name, row["id"])
	}
	return row, nil
}

// querier is what reads need of *sql.DB, *sql.Conn and *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadRow(ctx context.Context, q querier, t *schema.Table, id string) (schema.Row, error) {
	if t.View {
		return nil, schema.Errorf(schema.ENOTALLOWED, "%s is a view: read it with filters, not by id", t.Name)
	}
	id, err := schema.ParseUUID(id)
	if err != nil {
		return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "id: not a UUID", Fields: []schema.FieldError{{Field: "id", Reason: err.Error()}}}
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE id = ?", columnList(t), schema.Quote(t.Name)), id)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", t.Name, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load %s: %w", t.Name, err)
		}
		return nil, schema.Errorf(schema.ENOTFOUND, "%s %s not found", t.Name, id)
	}
	vals, err := scanStored(rows, len(t.Columns))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", t.Name, err)
	}
	row := make(schema.Row, len(t.Columns))
	for i, c := range t.Columns {
		row[c.Name] = vals[i]
	}
	return row, nil
}

// visible applies the table's read scope to one stored row.
func visible(t *schema.Table, row schema.Row, user string) bool {
	if t.Owner == "" || t.Read == schema.ReadAll {
		return true
	}
	owner := row[t.Owner]
	return owner == user || t.Read == schema.ReadOwnOrUnowned && owner == nil
}

// record appends the change to the outbox in the caller's transaction. A
// create of a row that never existed and an update cost nothing more; a
// delete (and a re-create of a deleted row) also moves the row's causal
// length in _pam_rowmeta, its tombstone.
func (w *writer) record(ctx context.Context, t *schema.Table, op schema.Op, id string, data schema.Row, fresh bool) error {
	ts := w.s.clock.Now()
	if w.txID == 0 {
		w.txID = int64(ts)
	}
	var owner any
	if t.Owner != "" {
		owner = data[t.Owner]
		if owner == nil {
			owner = w.user
		}
	}
	payload := schema.EncodeStored(data)
	cl := int64(1)
	if !fresh {
		var err error
		if cl, err = w.causalLength(ctx, t.Name, id, op); err != nil {
			return err
		}
	}
	now := w.stamp()
	stmt, err := w.stmt(ctx, "insert change", func() string { return insertChangeSQL })
	if err != nil {
		return err
	}
	if _, err := stmt.ExecContext(ctx, w.txID, int64(ts), t.Name, id, owner, string(op), cl, payload, now); err != nil {
		return fmt.Errorf("record change: %w", mapWriteError("_pam_changes", err))
	}
	return nil
}

// causalLength returns the row's causal length after op, moving the
// tombstone when op changes the row's existence.
func (w *writer) causalLength(ctx context.Context, table, id string, op schema.Op) (int64, error) {
	get, err := w.stmt(ctx, "get cl", func() string { return `SELECT cl FROM _pam_rowmeta WHERE tbl = ? AND row_id = ?` })
	if err != nil {
		return 0, err
	}
	cl := int64(1)
	if err := get.QueryRowContext(ctx, table, id).Scan(&cl); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read causal length: %w", err)
	}
	var deletedAt any
	switch {
	case op == schema.OpDelete && cl%2 == 1:
		cl++
		deletedAt = w.stamp()
	case op == schema.OpCreate && cl%2 == 0:
		cl++ // a re-insert after a delete: a new incarnation
	default:
		return cl, nil
	}
	put, err := w.stmt(ctx, "put cl", func() string {
		return `INSERT INTO _pam_rowmeta (tbl, row_id, cl, cells, deleted_at) VALUES (?, ?, ?, '{}', ?)
			ON CONFLICT (tbl, row_id) DO UPDATE SET cl = excluded.cl, cells = '{}', deleted_at = excluded.deleted_at`
	})
	if err != nil {
		return 0, err
	}
	if _, err := put.ExecContext(ctx, table, id, cl, deletedAt); err != nil {
		return 0, fmt.Errorf("record causal length: %w", err)
	}
	return cl, nil
}

func columnList(t *schema.Table) string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = schema.Quote(c.Name)
	}
	return strings.Join(cols, ", ")
}

func scanStored(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	return vals, nil
}

// outputRow renders a stored row in API form with every column present.
func outputRow(t *schema.Table, stored schema.Row) schema.Row {
	out := make(schema.Row, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		out[c.Name] = c.Output(stored[c.Name])
	}
	return out
}

func coalesce(v, def any) any {
	if v == nil {
		return def
	}
	return v
}
