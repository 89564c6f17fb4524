// Package merge is the conflict rule that every replica applies, the device
// and the central database alike: causal length for row existence (odd
// alive, even deleted; only an explicit re-insert resurrects a row) and
// per-cell last-writer-wins on (HLC, node) otherwise. The rule is
// commutative, associative and idempotent, so changes may be applied in any
// order, in any batching, any number of times, and every replica ends in the
// same state. Every value a merge overwrites or refuses is reported as a
// Conflict, so nothing is lost silently.
package merge

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/pam-rv/pamd/schema/hlc"
)

// ServerNode is the node name of changes made centrally by writers other
// than a device (the web app, admin SQL).
const ServerNode = "server"

// Clock orders cell versions: HLC first, node as the total tie-break.
type Clock struct {
	HLC  hlc.Timestamp `json:"t"`
	Node string        `json:"n"`
}

// Less reports whether c orders before d.
func (c Clock) Less(d Clock) bool {
	if c.HLC != d.HLC {
		return c.HLC < d.HLC
	}
	return c.Node < d.Node
}

// Cell is one column's value with its version. Value is the column's API
// value as JSON (decimals as strings or numbers, timestamps RFC 3339): the
// same form on the wire, in the central change log and in the ledger.
type Cell struct {
	Value json.RawMessage `json:"v"`
	Clock
}

// Change is one row's change as it travels: the row's causal length after
// the change and the cells it sets. A create carries every column, an
// update the columns it changed, a delete none (its CL is even).
type Change struct {
	Table  string          `json:"tbl"`
	RowID  string          `json:"id"`
	UserID string          `json:"uid,omitempty"` // owner; "" for shared rows
	CL     int64           `json:"cl"`
	Cells  map[string]Cell `json:"cells,omitempty"`
	// Base holds, where the writer knew it, the version each changed cell
	// had when it was overwritten. A replica holding exactly that version
	// was seen by the writer: its value is replaced, not lost to a
	// concurrent write, and no conflict is recorded. Base never changes
	// which value wins.
	Base map[string]Clock `json:"base,omitempty"`
}

// Alive reports whether a causal length means the row exists.
func Alive(cl int64) bool { return cl%2 == 1 }

// Row is a replica's state of one row: its causal length and the current
// version of each cell. The zero Row is a row never seen (CL 0).
type Row struct {
	CL    int64           `json:"cl"`
	Cells map[string]Cell `json:"cells,omitempty"`
}

// Conflict records a value that lost: overwritten by a newer concurrent
// write, refused because a newer write was already there, or discarded
// because the row was deleted.
type Conflict struct {
	Table  string `json:"table"`
	RowID  string `json:"row_id"`
	Column string `json:"column"` // "" for a whole-row outcome (update lost to delete)
	Winner Cell   `json:"winner"`
	Loser  Cell   `json:"loser"`
	Reason string `json:"reason"`
}

// Reasons a value lost.
const (
	ReasonOlder   = "older_write"       // a write with a higher (hlc, node) holds the cell
	ReasonDeleted = "row_deleted"       // the row was deleted by a change the writer had not seen
	ReasonStale   = "stale_incarnation" // the row was deleted and re-created since
)

// Result is what applying a change did.
type Result struct {
	Row Row
	// Changed lists the cells whose value or version changed, so the
	// caller writes exactly those. Existence tells whether the row's
	// existence changed (it must be created or deleted); Reset that a new
	// incarnation replaced the old one, so the whole row is rewritten from
	// Row.Cells.
	Changed   map[string]Cell
	Existence bool
	Reset     bool
	Conflicts []Conflict
}

// Apply merges change ch into the replica's row cur and returns the new
// state. cur is not modified.
func Apply(cur Row, ch Change) Result {
	res := Result{Row: Row{CL: cur.CL}}
	switch {
	case ch.CL < cur.CL:
		// The change belongs to an older incarnation of the row: the row
		// has since been deleted (and maybe re-created). Its values lose.
		res.Row.Cells = maps.Clone(cur.Cells)
		if res.Row.Cells == nil {
			res.Row.Cells = map[string]Cell{}
		}
		reason := ReasonStale
		if !Alive(cur.CL) {
			reason = ReasonDeleted
		}
		for _, col := range sortedCols(ch.Cells) {
			res.Conflicts = append(res.Conflicts, Conflict{Table: ch.Table, RowID: ch.RowID, Column: col,
				Winner: cur.Cells[col], Loser: ch.Cells[col], Reason: reason})
		}
		return res
	case ch.CL > cur.CL:
		// A new incarnation (or a delete): what the old one held is gone.
		res.Row.CL = ch.CL
		res.Existence = Alive(ch.CL) != Alive(cur.CL)
		res.Reset = Alive(ch.CL) && len(cur.Cells) > 0
		res.Row.Cells = make(map[string]Cell, len(ch.Cells))
	default:
		res.Row.Cells = make(map[string]Cell, len(cur.Cells)+len(ch.Cells))
		for k, v := range cur.Cells {
			res.Row.Cells[k] = v
		}
	}
	if !Alive(res.Row.CL) {
		res.Row.Cells = map[string]Cell{}
		res.Changed = map[string]Cell{}
		return res
	}
	res.Changed = make(map[string]Cell, len(ch.Cells))
	for col, in := range ch.Cells {
		mergeCell(&res, ch, col, in)
	}
	// Conflicts in column order, whatever the order of the map.
	slices.SortFunc(res.Conflicts, func(a, b Conflict) int { return strings.Compare(a.Column, b.Column) })
	return res
}

func sortedCols(m map[string]Cell) []string {
	cols := make([]string, 0, len(m))
	for k := range m {
		cols = append(cols, k)
	}
	slices.Sort(cols)
	return cols
}

func mergeCell(res *Result, ch Change, col string, in Cell) {
	have, ok := res.Row.Cells[col]
	switch {
	case !ok || have.Less(in.Clock):
		if seen, known := ch.Base[col]; ok && have.Node != in.Node && !bytes.Equal(have.Value, in.Value) && !(known && seen == have.Clock) {
			res.Conflicts = append(res.Conflicts, Conflict{Table: ch.Table, RowID: ch.RowID, Column: col,
				Winner: in, Loser: have, Reason: ReasonOlder})
		}
		res.Row.Cells[col] = in
		res.Changed[col] = in
	case in.Clock == have.Clock:
		// The same write again: nothing to do.
	default:
		// A node's own older write arriving late is no conflict: it wrote
		// the newer value knowing the older one.
		if have.Node != in.Node && !bytes.Equal(have.Value, in.Value) {
			res.Conflicts = append(res.Conflicts, Conflict{Table: ch.Table, RowID: ch.RowID, Column: col,
				Winner: have, Loser: in, Reason: ReasonOlder})
		}
	}
}
