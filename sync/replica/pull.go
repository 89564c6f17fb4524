package replica

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/hlc"
	"github.com/pam-rv/pamd/sync/merge"
)

// remoteChange is one change-log row.
type remoteChange struct {
	seq    int64
	xid    int64
	origin string
	hlc    int64  // the entry's version, -1 when each cell has its own
	node   string // the node of hlc
	raw    string // the cells as stored
	// rawBase is the versions a central write overwrote, as stored (nil
	// for inserts, deletes and pushed changes).
	rawBase *string
	merge.Change
	// Set by prepare, off the apply path: the values in canonical and
	// stored form, or why they could not be read.
	stored schema.Row
	err    error
}

// prepare canonicalises a page's values while the previous page is being
// applied (it runs in the prefetching goroutine).
func (r *Replica) prepare(page []remoteChange) {
	device := r.Store.DeviceID()
	for i := range page {
		c := &page[i]
		if c.origin == device {
			continue
		}
		t, err := r.Catalog.Table(c.Table)
		if err != nil || !syncs(t) {
			continue
		}
		if c.rawBase != nil {
			if err := json.Unmarshal([]byte(*c.rawBase), &c.Base); err != nil {
				c.Base = nil // only spares a false conflict; never decides a value
			}
		}
		if c.Cells, c.err = decodeCells(c.raw, c.hlc, c.node); c.err != nil {
			c.err = fmt.Errorf("change %d: cells: %w", c.seq, c.err)
			continue
		}
		c.Change, c.stored, c.err = r.canonicalChange(t, c.Change)
	}
}

// Pull applies every central change this device may see, scope by scope.
// It returns the change-log rows read, the changes applied (own echoes are
// read but not applied) and the conflicts recorded.
func (r *Replica) Pull(ctx context.Context) (pulled, applied, conflicts int, err error) {
	scopes, err := r.scopes(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	cursors, err := r.Store.Cursors(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	total := 0
	for _, scope := range scopes {
		var n int
		if err := r.DB.QueryRow(ctx, `SELECT count(*) FROM pam_sync.change_log WHERE user_id = $1 AND seq > $2`, scope, cursors[scope]).Scan(&n); err == nil {
			total += n
		}
	}
	for _, scope := range scopes {
		// Chunks are fetched and prepared while the previous ones are
		// applied: Postgres and SQLite work side by side.
		chunks := make(chan chunkOrErr, 2)
		fetchCtx, cancel := context.WithCancel(ctx)
		go r.prefetch(fetchCtx, scope, cursors[scope], chunks)
		feed := &chunkFeed{in: chunks}
		for {
			p, err := r.applyPage(ctx, scope, feed)
			pulled += p.pulled
			applied += p.applied
			conflicts += p.conflicts
			if err != nil {
				cancel()
				for range chunks {
				}
				return pulled, applied, conflicts, err
			}
			if p.pulled == 0 {
				break
			}
			r.progress("pull", pulled, total)
		}
		cancel()
	}
	return pulled, applied, conflicts, nil
}

// chunk is a run of change-log rows in sequence order. boundary tells that
// the row after it belongs to another server transaction (or that there is
// none), so a page may end with it.
type chunk struct {
	rows     []remoteChange
	boundary bool
}

type chunkOrErr struct {
	chunk
	err error
}

// chunkFeed hands out the prefetched chunks of one scope.
type chunkFeed struct {
	in   <-chan chunkOrErr
	done bool
}

// next returns the next chunk, or ok false when the log is exhausted.
func (f *chunkFeed) next(ctx context.Context) (c chunk, ok bool, err error) {
	if f.done {
		return chunk{}, false, nil
	}
	select {
	case c, ok := <-f.in:
		if !ok {
			f.done = true
			return chunk{}, false, nil
		}
		return c.chunk, true, c.err
	case <-ctx.Done():
		return chunk{}, false, ctx.Err()
	}
}

// prefetch sends the chunks after cursor until the log is exhausted, then
// closes out.
func (r *Replica) prefetch(ctx context.Context, scope string, cursor int64, out chan<- chunkOrErr) {
	defer close(out)
	for {
		c, more, err := r.fetchChunk(ctx, scope, cursor)
		if err != nil {
			select {
			case out <- chunkOrErr{err: err}:
			case <-ctx.Done():
			}
			return
		}
		if len(c.rows) == 0 {
			return
		}
		r.prepare(c.rows)
		select {
		case out <- chunkOrErr{chunk: c}:
		case <-ctx.Done():
			return
		}
		if !more {
			return
		}
		cursor = c.rows[len(c.rows)-1].seq
	}
}

// fetchChunk reads up to PullPage rows after cursor, and one more to learn
// whether the chunk ends at a server transaction's end.
func (r *Replica) fetchChunk(ctx context.Context, scope string, cursor int64) (c chunk, more bool, err error) {
	n := max(r.PullPage, 1)
	rows, err := r.queryChanges(ctx, `WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, scope, cursor, n+1)
	if err != nil {
		return chunk{}, false, err
	}
	if len(rows) <= n {
		return chunk{rows: rows, boundary: true}, false, nil
	}
	return chunk{rows: rows[:n], boundary: rows[n].xid != rows[n-1].xid}, true, nil
}

// scopes lists the users this device's role serves and the shared scope.
func (r *Replica) scopes(ctx context.Context) ([]string, error) {
	rows, err := r.DB.Query(ctx, `SELECT u::text FROM pam_sync.my_users() AS u ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return append(out, SharedScope), nil
}

// queryChanges reads change-log rows. Their cells are decoded by prepare,
// in the prefetching goroutine, not by Postgres: taking the jsonb apart
// per row there cost more than the rest of the query.
func (r *Replica) queryChanges(ctx context.Context, where string, args ...any) ([]remoteChange, error) {
	rows, err := r.DB.Query(ctx, `SELECT seq, xid, tbl, row_id::text, cl, origin, coalesce(hlc, -1), coalesce(node, ''), cells::text, base::text
		FROM pam_sync.change_log `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read change log: %w", err)
	}
	defer rows.Close()
	var out []remoteChange
	for rows.Next() {
		var c remoteChange
		if err := rows.Scan(&c.seq, &c.xid, &c.Table, &c.RowID, &c.CL, &c.origin, &c.hlc, &c.node, &c.raw, &c.rawBase); err != nil {
			return nil, fmt.Errorf("read change log: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// decodeCells reads a change-log entry's cells: values only, all at the
// entry's version, or (hlc < 0) each with its own {"v", "t", "n"}.
func decodeCells(raw string, ts int64, node string) (map[string]merge.Cell, error) {
	if ts >= 0 {
		clock := merge.Clock{HLC: hlc.Timestamp(ts), Node: node}
		cells := make(map[string]merge.Cell, 16)
		if schema.ScanObject(raw, func(col, v string) bool {
			cells[col] = merge.Cell{Value: json.RawMessage(v), Clock: clock}
			return true
		}) {
			return cells, nil
		}
		var vals map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &vals); err != nil {
			return nil, err
		}
		clear(cells)
		for col, v := range vals {
			cells[col] = merge.Cell{Value: v, Clock: clock}
		}
		return cells, nil
	}
	var cells map[string]merge.Cell
	if err := json.Unmarshal([]byte(raw), &cells); err != nil {
		return nil, err
	}
	return cells, nil
}

// BBox limits the shared reference data a device keeps to a region.
type BBox struct {
	MinLat, MinLon, MaxLat, MaxLon float64
}

// ParseBBox reads "minLat,minLon,maxLat,maxLon".
func ParseBBox(s string) (*BBox, error) {
	var b BBox
	if _, err := fmt.Sscanf(s, "%g,%g,%g,%g", &b.MinLat, &b.MinLon, &b.MaxLat, &b.MaxLon); err != nil ||
		b.MinLat > b.MaxLat || b.MinLon > b.MaxLon || b.MinLat < -90 || b.MaxLat > 90 || b.MinLon < -180 || b.MaxLon > 180 {
		return nil, fmt.Errorf("bounding box %q is not minLat,minLon,maxLat,maxLon", s)
	}
	return &b, nil
}

// keeps reports whether a shared row stays on this device: rows without
// coordinates always do; rows with them when they fall inside the box. A
// change without coordinates keeps a row only if the device has it.
func (b *BBox) keeps(row *localRow, stored schema.Row) bool {
	if b == nil {
		return true
	}
	if _, ok := row.table.Column("latitude"); !ok {
		return true
	}
	coord := func(col string) (float64, bool) {
		if v, ok := stored[col]; ok {
			f, ok := v.(float64)
			return f, ok
		}
		f, ok := row.stored[col].(float64)
		return f, ok
	}
	lat, okLat := coord("latitude")
	lon, okLon := coord("longitude")
	if !okLat || !okLon {
		return row.exists
	}
	return lat >= b.MinLat && lat <= b.MaxLat && lon >= b.MinLon && lon <= b.MaxLon
}

// localRow is one row's state while a page is applied.
type localRow struct {
	table  *schema.Table
	id     string
	owner  string // the scope's user, "" for shared rows
	meta   merge.Row
	stored schema.Row // current local values
	exists bool
	write  schema.Row // values to write (stored form)
	reset  bool       // rewrite the whole row
	dirty  bool
}

// pageResult counts what one page did.
type pageResult struct{ pulled, applied, conflicts int }

// applyPage merges one page into the store, with the new cursor, in one
// SQLite transaction: chunks until at least PullPage rows and a server
// transaction's end, so a server transaction is never split. A crash
// anywhere re-pulls the page, and re-applying it changes nothing. A page
// of no rows means the scope is done.
func (r *Replica) applyPage(ctx context.Context, scope string, feed *chunkFeed) (pageResult, error) {
	var res pageResult
	err := r.Store.ApplyRemote(ctx, func(tx *localstore.SyncTx) error {
		res = pageResult{}
		var last int64
		for {
			c, ok, err := feed.next(ctx)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			a, cf, err := r.applyChunk(ctx, tx, scope, c.rows, res.pulled == 0)
			if err != nil {
				return err
			}
			res.pulled += len(c.rows)
			res.applied += a
			res.conflicts += cf
			last = c.rows[len(c.rows)-1].seq
			if c.boundary && res.pulled >= r.PullPage {
				break
			}
		}
		if res.pulled == 0 {
			return nil
		}
		return tx.SetCursor(ctx, scope, last)
	})
	if err != nil {
		return pageResult{}, err
	}
	if res.pulled > 0 {
		r.hook(StepPullCursorStored)
	}
	return res, nil
}

// applyChunk merges a run of changes inside the page's transaction.
func (r *Replica) applyChunk(ctx context.Context, tx *localstore.SyncTx, scope string, page []remoteChange, first bool) (applied, conflicts int, err error) {
	device := r.Store.DeviceID()
	rows := map[string]*localRow{}
	var order []string
	byTable := map[string][]string{}
	for _, c := range page {
		if c.origin == device {
			continue // our own change, already here
		}
		t, err := r.Catalog.Table(c.Table)
		if err != nil || !syncs(t) {
			continue // a table this version does not know, or never syncs
		}
		key := t.Name + "/" + c.RowID
		if _, ok := rows[key]; !ok {
			rows[key] = &localRow{table: t, id: c.RowID}
			if scope != SharedScope {
				rows[key].owner = scope
			}
			order = append(order, key)
			byTable[t.Name] = append(byTable[t.Name], c.RowID)
		}
	}
	if err := loadLocal(ctx, tx, rows, byTable); err != nil {
		return 0, 0, err
	}
	for _, c := range page {
		row, ok := rows[c.Table+"/"+c.RowID]
		if !ok || c.origin == device {
			continue
		}
		ch, stored, err := c.Change, c.stored, c.err // set by prepare
		if err != nil {
			return 0, 0, err
		}
		if scope == SharedScope && !r.BBox.keeps(row, stored) {
			// Reference data outside this device's region: not
			// kept, and dropped if it moved out.
			if row.exists || row.meta.CL > 0 {
				row.meta, row.dirty, row.write = merge.Row{CL: 2}, true, schema.Row{}
			}
			continue
		}
		var newest hlc.Timestamp
		for _, cell := range ch.Cells {
			newest = max(newest, cell.HLC)
		}
		tx.Observe(newest)
		res := merge.Apply(row.meta, ch)
		for _, cf := range res.Conflicts {
			if err := addConflict(ctx, tx, row, cf); err != nil {
				return 0, 0, err
			}
			conflicts++
		}
		if len(res.Changed) == 0 && !res.Existence && res.Row.CL == row.meta.CL {
			row.meta = res.Row
			continue
		}
		applied++
		row.meta, row.dirty = res.Row, true
		if res.Reset || res.Existence {
			row.reset = true
			row.write = schema.Row{}
		}
		for col := range res.Changed {
			row.write[col] = stored[col]
		}
	}
	// Whole rows are written many to a statement, table by table; the
	// rest (updates of some columns, deletes) one by one.
	whole := map[*schema.Table][]*localRow{}
	var tables []*schema.Table
	var metaIDs []string
	var metas []localstore.RowMeta
	metaTable := ""
	flushMetas := func() error {
		if len(metaIDs) == 0 {
			return nil
		}
		err := tx.PutRowMetas(ctx, metaTable, metaIDs, metas)
		metaIDs, metas = metaIDs[:0], metas[:0]
		return err
	}
	for i, key := range order {
		if first && i == len(order)/2 {
			r.hook(StepPullMidPage)
		}
		row := rows[key]
		if !row.dirty {
			continue
		}
		if merge.Alive(row.meta.CL) && (row.reset || !row.exists) && (len(row.write) > 0 || row.reset) {
			if _, ok := whole[row.table]; !ok {
				tables = append(tables, row.table)
			}
			whole[row.table] = append(whole[row.table], row)
		} else if err := writeLocal(ctx, tx, row); err != nil {
			return 0, 0, err
		}
		if row.table.Name != metaTable {
			if err := flushMetas(); err != nil {
				return 0, 0, err
			}
			metaTable = row.table.Name
		}
		metaIDs = append(metaIDs, row.id)
		metas = append(metas, localstore.RowMeta{CL: row.meta.CL, Cells: encodeVersions(row.meta.Cells)})
	}
	if err := flushMetas(); err != nil {
		return 0, 0, err
	}
	for _, t := range tables {
		if err := writeWhole(ctx, tx, t, whole[t]); err != nil {
			return 0, 0, err
		}
	}
	return applied, conflicts, nil
}

// writeWhole writes rows that are created or replaced whole, many to a
// statement; when one cannot stand, it goes again row by row so that one
// is reported and the others land.
func writeWhole(ctx context.Context, tx *localstore.SyncTx, t *schema.Table, rows []*localRow) error {
	values := make([]schema.Row, len(rows))
	for i, row := range rows {
		row.write["id"] = row.id
		values[i] = row.write
	}
	err := tx.ReplaceRows(ctx, t.Name, values)
	if err == nil {
		return nil
	}
	if schema.ErrorCode(err) == schema.EINTERNAL {
		return fmt.Errorf("apply %s: %w", t.Name, err)
	}
	for _, row := range rows {
		if err := writeLocal(ctx, tx, row); err != nil {
			return err
		}
	}
	return nil
}

// canonicalChange puts a change's values in the device's canonical form,
// in place, returning their stored form too, and drops columns this
// version does not know (they stay central, untouched).
func (r *Replica) canonicalChange(t *schema.Table, ch merge.Change) (merge.Change, schema.Row, error) {
	stored := make(schema.Row, len(ch.Cells))
	for col, cell := range ch.Cells {
		c, ok := t.Column(col)
		if !ok {
			delete(ch.Cells, col)
			continue
		}
		v, canon, err := canonical(c, cell.Value)
		if err != nil {
			return ch, nil, fmt.Errorf("%s %s: column %s: %w", t.Name, ch.RowID, col, err)
		}
		cell.Value = canon
		ch.Cells[col] = cell
		stored[col] = v
	}
	return ch, stored, nil
}

func loadLocal(ctx context.Context, tx *localstore.SyncTx, rows map[string]*localRow, byTable map[string][]string) error {
	for tbl, ids := range byTable {
		metas, err := tx.RowMetas(ctx, tbl, ids)
		if err != nil {
			return err
		}
		stored, err := tx.Rows(ctx, tbl, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			row := rows[tbl+"/"+id]
			row.write = schema.Row{}
			if s, ok := stored[id]; ok {
				row.stored, row.exists = s, true
			}
			m, ok := metas[id]
			if !ok {
				if row.exists {
					row.meta.CL = 1 // a row loaded without history
				}
				continue
			}
			v, err := versions(m.Cells)
			if err != nil {
				return fmt.Errorf("row versions of %s/%s: %w", tbl, id, err)
			}
			row.meta = merge.Row{CL: m.CL, Cells: make(map[string]merge.Cell, len(v))}
			for col, clk := range v {
				cell := merge.Cell{Clock: clk}
				if c, ok := row.table.Column(col); ok && row.exists {
					cell.Value = cellValue(c, row.stored[col])
				}
				row.meta.Cells[col] = cell
			}
		}
	}
	return nil
}

// writeLocal writes one row's values (not its versions).
func writeLocal(ctx context.Context, tx *localstore.SyncTx, row *localRow) error {
	if !merge.Alive(row.meta.CL) {
		if err := tx.DeleteRow(ctx, row.table.Name, row.id); err != nil {
			return err
		}
	} else if len(row.write) > 0 || row.reset {
		replace := row.reset || !row.exists
		if err := tx.PutRow(ctx, row.table.Name, row.id, row.write, replace); err != nil {
			if schema.ErrorCode(err) == schema.EINTERNAL {
				return fmt.Errorf("apply %s %s: %w", row.table.Name, row.id, err)
			}
			// The row cannot stand here (a partial change for a row this
			// device never had, say): keep its versions, report it, and
			// let the rest of the page through.
			return tx.AddConflict(ctx, localstore.ConflictRecord{Table: row.table.Name, RowID: row.id, UserID: row.owner,
				Reason: "cannot_apply: " + schema.ErrorMessage(err)})
		}
	}
	return nil
}

func addConflict(ctx context.Context, tx *localstore.SyncTx, row *localRow, c merge.Conflict) error {
	w, _ := json.Marshal(c.Winner)
	l, _ := json.Marshal(c.Loser)
	owner := ""
	if row.table.Owner != "" {
		owner, _ = row.stored[row.table.Owner].(string)
		if owner == "" {
			if cell, ok := row.meta.Cells[row.table.Owner]; ok {
				json.Unmarshal(cell.Value, &owner)
			}
		}
	}
	return tx.AddConflict(ctx, localstore.ConflictRecord{Table: c.Table, RowID: c.RowID, Column: c.Column,
		UserID: owner, Winner: w, Loser: l, Reason: c.Reason})
}
