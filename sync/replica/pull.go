package replica

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

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
//
// No network inside the writer: a goroutine streams the change log (one
// round trip for every scope the device already knows, plus one for a
// scope new to it) and cuts it into pages of whole server transactions,
// decoded and canonicalised; only then does the applier take the store's
// writer (ApplyRemote), for local reads, the merge and local writes of
// that one page. Pages are sized so that a hold stays near ApplyHold
// while the device is in use (IdleApplyHold when it is not):
// whole server transactions, except one too long for such a hold, which
// goes in parts of that size (splitRows), so that a dashboard write never
// waits for more than about one ApplyHold.
func (r *Replica) Pull(ctx context.Context) (pulled, applied, conflicts int, err error) {
	f, err := r.startPull(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.stop()
	return r.applyPages(ctx, f)
}

// pullFetch is a pull's change log on its way: the goroutine streaming it
// from central and cutting it into prepared pages.
type pullFetch struct {
	pages  chan pullPage
	total  atomic.Int64
	cancel context.CancelFunc
}

// startPull reads the cursors and starts streaming the change log after
// them. Sync starts it before its push, so that the pull's round trips
// overlap the push's: nothing is applied until applyPages.
func (r *Replica) startPull(ctx context.Context) (*pullFetch, error) {
	cursors, err := r.Store.Cursors(ctx)
	if err != nil {
		return nil, err
	}
	// The connection is taken here, before Sync's push asks for one: an
	// idle one streams at once, and if the push has to open a new one
	// (round trips of its own), pulled pages are applied meanwhile.
	conn, err := r.DB.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	fetchCtx, cancel := context.WithCancel(ctx)
	f := &pullFetch{pages: make(chan pullPage, 2), cancel: cancel}
	go r.fetchPages(fetchCtx, conn, cursors, f.pages, &f.total)
	return f, nil
}

// stop ends the fetch and waits for its goroutine.
func (f *pullFetch) stop() {
	f.cancel()
	for range f.pages {
	}
}

// applyPages applies the fetched pages in order, each in its own writer
// hold.
//
// After each page, with the writer released, the write-ahead log is
// copied back (Store.Checkpoint). Not beside the next page's apply: on
// ext4 a checkpoint's sync of the file and a commit's sync of the log
// wait on each other, and the commit holds the writer (one try: worst
// dashboard write 104 ms with the checkpoint beside, 48 ms after).
func (r *Replica) applyPages(ctx context.Context, f *pullFetch) (pulled, applied, conflicts int, err error) {
	for {
		var p pullPage
		var ok bool
		select {
		case p, ok = <-f.pages:
		case <-ctx.Done():
			return pulled, applied, conflicts, ctx.Err()
		}
		if !ok {
			return pulled, applied, conflicts, nil
		}
		if p.err != nil {
			return pulled, applied, conflicts, p.err
		}
		res, err := r.applyPage(ctx, p)
		pulled += res.pulled
		applied += res.applied
		conflicts += res.conflicts
		if err != nil {
			return pulled, applied, conflicts, err
		}
		r.Store.Checkpoint(ctx)
		r.progress(ctx, "pull", pulled, int(f.total.Load()))
	}
}

// pullPage is a run of one scope's change-log rows in sequence order, made
// of whole server transactions, ready to apply: decoded and canonicalised.
type pullPage struct {
	scope string
	rows  []remoteChange
	err   error
}

// fetchPages streams the change log after the cursors into pages, then
// closes out. The scopes this device pulled before are listed from its
// cursors, so their streams go in the same round trip as the query that
// lists the scopes central serves it (and counts what waits); a scope
// central lists and the device did not know takes a second round trip.
func (r *Replica) fetchPages(ctx context.Context, conn *pgxpool.Conn, cursors map[string]int64, out chan<- pullPage, total *atomic.Int64) {
	defer close(out)
	defer conn.Release()
	send := func(p pullPage) bool {
		select {
		case out <- p:
			return true
		case <-ctx.Done():
			return false
		}
	}
	known := []string{SharedScope}
	for scope := range cursors {
		if scope != SharedScope {
			known = append(known, scope)
		}
	}
	sort.Strings(known)
	listed, err := r.streamScopes(ctx, conn, known, cursors, nil, total, send)
	if err != nil {
		send(pullPage{err: err})
		return
	}
	var more []string
	for _, scope := range listed {
		if !slices.Contains(known, scope) {
			more = append(more, scope)
		}
	}
	if len(more) > 0 {
		if _, err := r.streamScopes(ctx, conn, more, cursors, listed, total, send); err != nil {
			send(pullPage{err: err})
		}
	}
}

// streamScopes reads the change log of scopes in one round trip and sends
// it page by page. With listed nil it first lists the scopes central
// serves this device (returned), and skips the streams of the others.
func (r *Replica) streamScopes(ctx context.Context, conn *pgxpool.Conn, scopes []string, cursors map[string]int64, listed []string,
	total *atomic.Int64, send func(pullPage) bool) ([]string, error) {
	keys, err := uuidBytes(scopes)
	if err != nil {
		return nil, err
	}
	curs := make([]int64, len(scopes))
	for i, scope := range scopes {
		curs[i] = cursors[scope]
	}
	b := &pgx.Batch{}
	list := listed == nil
	if list {
		b.Queue(`SELECT u::text FROM pam_sync.my_users() AS u`)
	}
	b.Queue(`SELECT count(*) FROM unnest($1::uuid[], $2::bigint[]) AS s(u, cur)
		JOIN pam_sync.change_log c ON c.user_id = s.u AND c.seq > s.cur`, keys, curs)
	for i := range scopes {
		b.Queue(changesSQL, keys[i], curs[i], r.streamRows())
	}
	br := conn.SendBatch(ctx, b)
	defer br.Close()
	// The first answer comes one round trip after the batch went out
	// (SendBatch returns once it is sent): the link's RTT, near enough.
	sent := time.Now()
	if list {
		rows, err := br.Query()
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		users, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		listed = append(users, SharedScope)
		r.observeRTT(time.Since(sent))
	}
	var n int64
	if err := br.QueryRow().Scan(&n); err != nil {
		return nil, fmt.Errorf("count changes: %w", err)
	}
	total.Add(n)
	if !list {
		r.observeRTT(time.Since(sent))
	}
	var rest []*scopeStream
	for i, scope := range scopes {
		rows, err := br.Query()
		if err != nil {
			return nil, fmt.Errorf("read change log: %w", err)
		}
		if !slices.Contains(listed, scope) {
			rows.Close() // a scope this device no longer serves
			continue
		}
		st := &scopeStream{scope: scope, key: keys[i]}
		st.size(r)
		more, err := r.streamPages(ctx, st, rows, send)
		if err != nil {
			return nil, err
		}
		if more {
			rest = append(rest, st)
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("read change log: %w", err)
	}
	// A scope with more than StreamRows waiting goes on, query after
	// query, once the batch's other streams are read.
	for _, st := range rest {
		for more := true; more; {
			rows, err := conn.Query(ctx, changesSQL, st.key, st.last, r.streamRows())
			if err != nil {
				return nil, fmt.Errorf("read change log: %w", err)
			}
			if more, err = r.streamPages(ctx, st, rows, send); err != nil {
				return nil, err
			}
		}
	}
	return listed, nil
}

// changesSQL reads a scope's change log after a cursor, at most $3 rows.
const changesSQL = `SELECT seq, xid, tbl, row_id::text, cl, origin, coalesce(hlc, -1), coalesce(node, ''), cells::text, base::text
	FROM pam_sync.change_log WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`

// streamRows is StreamRows, or its default: the stream waits on the
// applier, and a device's statements are cut at a minute (the role's
// statement_timeout), so a long log is read 20,000 rows at a time.
func (r *Replica) streamRows() int {
	if r.StreamRows > 0 {
		return r.StreamRows
	}
	return 20000
}

// scopeStream is one scope's change log being cut into pages.
type scopeStream struct {
	scope   string
	key     pgtype.UUID
	page    []remoteChange // the page being filled, carried across queries
	txStart int            // where the last server transaction in page begins
	last    int64          // the last sequence read
	target  int            // the rows a page should reach (pageTarget)
	split   int            // the rows of one server transaction a page holds at most (splitRows)
	sent    int            // the rows of the page sent last
}

// size sets the next page's target and split: pageTarget and splitRows,
// but at most pageGrowth times the page sent last (firstPage to start).
// The next page is fetched and prepared while this one is applied; were it
// much larger (a long server transaction after the first measured hold
// goes from 256 rows to the whole idle budget, 20,000 rows), the applier
// would sit idle until all of it was read and decoded (BenchmarkPullApply:
// 27,500 changes/s against 30,100/s with growth capped at 2).
func (st *scopeStream) size(r *Replica) {
	limit := max(firstPage, pageGrowth*st.sent)
	st.target = min(r.pageTarget(), limit)
	if st.split = r.splitRows(); st.split > 0 {
		st.split = min(st.split, limit)
	}
}

// streamPages cuts rows, the next part of st's change log, into pages: at
// least the target rows, ending where the server transaction changes (or
// the log ends), each prepared before it is sent. A server transaction
// too large for one bounded writer hold (splitRows) is the exception: it
// goes in parts of that size, each its own local transaction with the
// cursor inside it (a crash re-pulls from the part after the last
// committed), so local readers may see it partly applied for the moments
// between its parts. more tells that the query was cut at StreamRows: the
// rest needs another, and the page being filled waits for it.
func (r *Replica) streamPages(ctx context.Context, st *scopeStream, rows pgx.Rows, send func(pullPage) bool) (more bool, err error) {
	defer rows.Close()
	flush := func(page []remoteChange) bool {
		if len(page) == 0 {
			return true
		}
		r.prepare(page)
		st.sent = len(page)
		return send(pullPage{scope: st.scope, rows: page})
	}
	n := 0
	for rows.Next() {
		var c remoteChange
		if err := rows.Scan(&c.seq, &c.xid, &c.Table, &c.RowID, &c.CL, &c.origin, &c.hlc, &c.node, &c.raw, &c.rawBase); err != nil {
			return false, fmt.Errorf("read change log: %w", err)
		}
		n++
		st.last = c.seq
		if k := len(st.page); k > 0 {
			switch {
			case c.xid != st.page[k-1].xid && k >= st.target:
				// A server transaction ends and the page is full.
				if !flush(st.page) {
					return false, ctx.Err()
				}
				st.page, st.txStart = make([]remoteChange, 0, k), 0
				st.size(r)
			case c.xid != st.page[k-1].xid:
				st.txStart = k
			case st.txStart > 0 && k >= st.target:
				// The page is full inside a server transaction: the whole
				// ones before it go now, and it starts the next page, so
				// that a hold is not one server transaction longer than
				// its budget (two of 500 rows held the writer 40 ms
				// against ApplyHold's 20 in BenchmarkSlowLink).
				if !flush(st.page[:st.txStart]) {
					return false, ctx.Err()
				}
				st.page, st.txStart = append(make([]remoteChange, 0, k), st.page[st.txStart:]...), 0
				st.size(r)
			case st.split > 0 && k-st.txStart >= st.split:
				// A server transaction longer than one bounded hold:
				// the whole ones before it, then this part of it.
				if !flush(st.page[:st.txStart]) || !flush(st.page[st.txStart:]) {
					return false, ctx.Err()
				}
				st.page, st.txStart = make([]remoteChange, 0, k), 0
				st.size(r)
			}
		}
		st.page = append(st.page, c)
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("read change log: %w", err)
	}
	if n == r.streamRows() {
		return true, nil
	}
	if !flush(st.page) {
		return false, ctx.Err()
	}
	st.page, st.txStart = nil, 0
	return false, nil
}

// pageTarget is the rows a page should hold for its writer hold to last
// about ApplyHold, from the apply cost per row measured so far: between
// minPage and PullPage.
func (r *Replica) pageTarget() int {
	limit := max(r.PullPage, 1)
	perRow := r.holdPerRow.Load()
	if perRow <= 0 || r.ApplyHold <= 0 {
		return min(limit, firstPage)
	}
	return min(limit, max(int(int64(r.holdBudget())/perRow), minPage))
}

// splitRows is the most rows of one server transaction a page holds: as
// many as one ApplyHold allows at the measured cost per row (at least
// minSplit), firstPage before anything is measured, and no bound when
// ApplyHold is zero. Unlike pageTarget it ignores PullPage: a server
// transaction is split only when its hold would be long.
func (r *Replica) splitRows() int {
	if r.ApplyHold <= 0 {
		return 0
	}
	perRow := r.holdPerRow.Load()
	if perRow <= 0 {
		return firstPage
	}
	return max(int(int64(r.holdBudget())/perRow), minSplit)
}

// holdBudget is how long a page may hold the writer: ApplyHold while the
// device is in use (a local write within the last localActive), else
// IdleApplyHold (at least ApplyHold). Short holds cost throughput: every
// page is a commit and a checkpoint, and with random ids each rewrites
// most of the index pages the last one did (20,000 changes of one server
// transaction applied at 6,400/s in pages of ~300, 20,900/s whole).
func (r *Replica) holdBudget() time.Duration {
	if time.Since(r.Store.LastLocalWrite()) < localActive {
		return r.ApplyHold
	}
	return max(r.IdleApplyHold, r.ApplyHold)
}

// localActive is how recent a local write must be for the device to
// count as in use.
const localActive = 10 * time.Second

// Page sizes before anything is measured, and the least a page holds;
// the pause between pages that lets a waiting local write through.
const (
	firstPage  = 256
	pageGrowth = 2
	minPage    = 32
	minSplit   = 64
	pageGap    = time.Millisecond
)

// observeHold folds one writer hold into the cost per row (an average
// weighted towards the recent).
func (r *Replica) observeHold(d time.Duration, rows int) {
	if rows < minPage {
		return // too small to say much, and mostly fixed cost
	}
	per := int64(d) / int64(rows)
	if old := r.holdPerRow.Load(); old > 0 {
		per = (3*old + per) / 4
	}
	r.holdPerRow.Store(max(per, 1))
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

// applyPage merges one prepared page into the store, with the new cursor,
// in one SQLite transaction. A crash anywhere re-pulls the page, and
// re-applying it changes nothing. Nothing in it waits on the network: the
// writer is held for local reads, the merge and local writes only.
func (r *Replica) applyPage(ctx context.Context, p pullPage) (pageResult, error) {
	var res pageResult
	var held time.Time
	err := r.Store.ApplyRemote(ctx, func(tx *localstore.SyncTx) error {
		held = time.Now()
		a, cf, err := r.applyChunk(ctx, tx, p.scope, p.rows, true)
		if err != nil {
			return err
		}
		res = pageResult{pulled: len(p.rows), applied: a, conflicts: cf}
		return tx.SetCursor(ctx, p.scope, p.rows[len(p.rows)-1].seq)
	})
	if err != nil {
		return pageResult{}, err
	}
	hold := time.Since(held)
	r.observeHold(hold, len(p.rows))

	r.hook(StepPullCursorStored)
	// Leave the writer free for a moment before the next page: the
	// store's lock is Go's mutex, which a goroutine that just released it
	// retakes before a woken waiter runs, so a dashboard write would wait
	// for two pages instead of one. Parked here, this goroutine lets the
	// woken writer run at once (it is next on this P).
	pause := time.NewTimer(pageGap)
	defer pause.Stop()
	select {
	case <-pause.C:
	case <-ctx.Done():
		return res, ctx.Err()
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
		if len(row.write) == 0 && len(res.Changed) == len(stored) {
			// The change's values are all written (a new row, most
			// often): take them as they are, not copied value by value.
			// Nothing reads this change's stored form after this.
			row.write = stored
			continue
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
					cell.Value = c.OutputJSON(row.stored[col])
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
