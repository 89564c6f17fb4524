package localstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// Each calls fn with every row of table matching q that user may read, in
// API form and in q's order, streaming from one read query instead of
// pages: it is for aggregations over more rows than a Find page holds (a
// year of expenses). Scoping is Find's: the caller's rows only, and a
// filter naming another user's rows is EFORBIDDEN. q.Limit 0 means no
// limit. The cache is bypassed. Each row is a fresh map that fn may keep;
// an error from fn stops the scan and is returned as is.
func (s *Store) Each(ctx context.Context, user, table string, q schema.Query, fn func(schema.Row) error) error {
	t, err := s.Catalog.Table(table)
	if err != nil {
		return err
	}
	if err := checkOwnerFilter(t, q.Conditions, user); err != nil {
		return err
	}
	where, args := whereSQL(t, user, q.Conditions)
	var b strings.Builder
	b.WriteString(selectSQL(t, columnList(t), where, q.Order))
	if q.Limit > 0 || q.Offset > 0 {
		limit := q.Limit
		if limit <= 0 {
			limit = -1 // SQLite: no limit
		}
		fmt.Fprintf(&b, " LIMIT %d OFFSET %d", limit, max(q.Offset, 0))
	}
	rows, err := s.read.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return fmt.Errorf("scan %s: %w", t.Name, err)
	}
	defer rows.Close()
	n := len(t.Columns)
	for rows.Next() {
		vals, err := scanStored(rows, n)
		if err != nil {
			return fmt.Errorf("scan %s: %w", t.Name, err)
		}
		row := make(schema.Row, n)
		for i := range t.Columns {
			c := &t.Columns[i]
			row[c.Name] = c.Output(vals[i])
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan %s: %w", t.Name, err)
	}
	return nil
}
