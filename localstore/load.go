package localstore

import (
	"context"
	"fmt"

	"github.com/pam-rv/pamd/schema"
)

// LoadOptions tune a bulk load.
type LoadOptions struct {
	// Record writes change-log entries for the rows, as API writes do. Off
	// for data that must not be pushed (demo data, reference data pulled
	// from central).
	Record bool
}

// Load inserts rows (API values, owner and id included) into table in one
// transaction, bypassing the edge's write rules: it is for the daemon
// itself (demo data, imports), never for a client. Every row is validated
// as a create, so a bad row fails the whole load.
func (s *Store) Load(ctx context.Context, table string, rows []schema.Row, opt LoadOptions) error {
	t, err := s.Catalog.Table(table)
	if err != nil {
		return err
	}
	if t.View {
		return schema.Errorf(schema.ENOTALLOWED, "%s is a view", t.Name)
	}
	cols := t.ColumnNames()

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	w := &writer{s: s, tx: tx, now: now}
	defer w.close()
	stmt, err := w.stmt(ctx, "insert "+t.Name, func() string { return insertSQL(t) })
	if err != nil {
		return err
	}
	args := make([]any, len(cols))
	for i, data := range rows {
		row, err := t.Validate(schema.OpCreate, data)
		if err != nil {
			return opError(i, len(rows)+1, err)
		}
		if _, ok := row["id"]; !ok {
			row["id"] = NewID()
		}
		row["created_at"] = coalesce(row["created_at"], w.stamp())
		if t.Mutable {
			row["updated_at"] = row["created_at"] // loaded history was last touched when it was made
		}
		t.ApplyDefaults(row, now)
		for j, c := range cols {
			args[j] = row[c]
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return opError(i, len(rows)+1, mapWriteError(t.Name, err))
		}
		if opt.Record {
			if err := w.record(ctx, t, schema.OpCreate, row["id"].(string), row, false); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit load %s: %w", t.Name, err)
	}
	s.invalidate(t.Name)
	return nil
}
