package merge_test

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/pam-rv/pamd/schema/hlc"
	"github.com/pam-rv/pamd/sync/merge"
)

// The universe is deliberately tiny so that the interesting cases are
// frequent: few rows and columns (writes collide), CL up to 6 (delete and
// re-insert cycles), HLCs from a handful of values (equal-clock ties between
// nodes) and values from {0, 1, 2} (overwrites that keep the same value).
var (
	tables  = []string{"tasks", "notes"}
	rowIDs  = []string{"r1", "r2", "r3", "r4"}
	columns = []string{"a", "b", "c", "d"}
	nodes   = []string{"dev-a", "dev-b", merge.ServerNode, "tablet"}
)

// value derives a cell's value from the write's identity (table, row,
// column, HLC, node). A real system never produces two different values
// for the same cell with the same (HLC, node): a node's clock is strictly
// increasing, so each of its writes has its own timestamp. If the generator
// could produce two such writes, last-writer-wins would legitimately depend
// on the order (neither clock is greater), and the algebra properties would
// fail for a reason that cannot happen. Deriving the value from the write's
// identity makes every (cell, HLC, node) carry exactly one value, while the
// small range still makes different writes share values.
func value(table, row, col string, t hlc.Timestamp, node string) json.RawMessage {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%s/%s/%d/%s", table, row, col, t, node)
	return json.RawMessage(fmt.Sprint(h.Sum32() % 3))
}

// universe is the part of the tables, rows and columns one test case
// uses: drawn per case so that many cases pile every change onto one cell.
type universe struct{ tables, rows, cols []string }

// genChange draws one change: CL in 1..6, odd = create/update with a
// (possibly empty) subset of the columns, even = delete with no cells.
// Every cell gets its own clock, as in a change forwarded from a replica
// whose row was already merged from several writers.
func genChange(t *rapid.T, u universe, label string) merge.Change {
	ch := merge.Change{
		Table: rapid.SampledFrom(u.tables).Draw(t, label+"/table"),
		RowID: rapid.SampledFrom(u.rows).Draw(t, label+"/row"),
		CL:    rapid.Int64Range(1, 6).Draw(t, label+"/cl"),
	}
	if !merge.Alive(ch.CL) {
		return ch
	}
	ch.Cells = map[string]merge.Cell{}
	for _, col := range rapid.SliceOfDistinct(rapid.SampledFrom(u.cols), rapid.ID[string]).Draw(t, label+"/cols") {
		ts := hlc.New(1_700_000_000_000+rapid.Int64Range(0, 1).Draw(t, label+"/ms"), uint16(rapid.IntRange(0, 1).Draw(t, label+"/ctr")))
		node := rapid.SampledFrom(nodes).Draw(t, label+"/node")
		ch.Cells[col] = merge.Cell{Value: value(ch.Table, ch.RowID, col, ts, node), Clock: merge.Clock{HLC: ts, Node: node}}
	}
	return ch
}

func genChanges(t *rapid.T, label string) []merge.Change {
	u := universe{
		tables: tables[:rapid.IntRange(1, len(tables)).Draw(t, label+"/tables")],
		rows:   rowIDs[:rapid.IntRange(1, len(rowIDs)).Draw(t, label+"/rows")],
		cols:   columns[:rapid.IntRange(1, len(columns)).Draw(t, label+"/cols")],
	}
	n := rapid.IntRange(0, 24).Draw(t, label+"/n")
	out := make([]merge.Change, n)
	for i := range out {
		out[i] = genChange(t, u, fmt.Sprintf("%s[%d]", label, i))
	}
	return out
}

type rowKey struct{ table, id string }

// state is a replica: every row it has seen.
type state map[rowKey]merge.Row

func key(ch merge.Change) rowKey { return rowKey{ch.Table, ch.RowID} }

// fold applies changes in order to st (not modified) and returns the new
// state and every conflict reported along the way.
func fold(st state, changes []merge.Change) (state, []merge.Conflict) {
	out := maps.Clone(st)
	if out == nil {
		out = state{}
	}
	var conflicts []merge.Conflict
	for _, ch := range changes {
		res := merge.Apply(out[key(ch)], ch)
		out[key(ch)] = res.Row
		conflicts = append(conflicts, res.Conflicts...)
	}
	return out, conflicts
}

func apply(changes []merge.Change) state {
	st, _ := fold(nil, changes)
	return st
}

// normalise makes nil and empty cell maps equal.
func normalise(st state) state {
	out := state{}
	for k, r := range st {
		if len(r.Cells) == 0 {
			r.Cells = nil
		}
		out[k] = r
	}
	return out
}

func requireEqual(t *rapid.T, what string, want, got state) {
	t.Helper()
	if w, g := normalise(want), normalise(got); !reflect.DeepEqual(w, g) {
		t.Fatalf("%s: states differ\nwant %s\ngot  %s", what, dump(w), dump(g))
	}
}

func dump(st state) string {
	keys := slices.SortedFunc(maps.Keys(st), func(a, b rowKey) int {
		if a.table != b.table {
			return cmpString(a.table, b.table)
		}
		return cmpString(a.id, b.id)
	})
	s := ""
	for _, k := range keys {
		b, _ := json.Marshal(st[k]) // map keys are sorted: canonical
		s += fmt.Sprintf("\n  %s/%s %s", k.table, k.id, b)
	}
	return s
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// oracle computes the expected state directly from the set of changes:
// per row the highest CL wins; an alive row's cells are, per column, the
// write with the highest (HLC, node) among the changes carrying that CL; a
// deleted row has none.
func oracle(changes []merge.Change) state {
	want := state{}
	for _, ch := range changes {
		if r, ok := want[key(ch)]; !ok || ch.CL > r.CL {
			want[key(ch)] = merge.Row{CL: ch.CL}
		}
	}
	for _, ch := range changes {
		r := want[key(ch)]
		if ch.CL != r.CL || !merge.Alive(r.CL) {
			continue
		}
		if r.Cells == nil {
			r.Cells = map[string]merge.Cell{}
		}
		for col, c := range ch.Cells {
			if have, ok := r.Cells[col]; !ok || have.Less(c.Clock) {
				r.Cells[col] = c
			}
		}
		want[key(ch)] = r
	}
	return want
}

// TestPermutation: any order of the same changes gives the same rows.
func TestPermutation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		want := apply(changes)
		got := apply(rapid.Permutation(changes).Draw(t, "perm"))
		requireEqual(t, "permuted", want, got)
	})
}

// TestDuplication: changes delivered again, anywhere in the stream, change
// nothing.
func TestDuplication(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		if len(changes) == 0 {
			return
		}
		dup := slices.Clone(changes)
		for i := range rapid.IntRange(1, 2*len(changes)).Draw(t, "dups") {
			c := changes[rapid.IntRange(0, len(changes)-1).Draw(t, fmt.Sprintf("dup[%d]", i))]
			at := rapid.IntRange(0, len(dup)).Draw(t, fmt.Sprintf("at[%d]", i))
			dup = slices.Insert(dup, at, c)
		}
		requireEqual(t, "duplicated", apply(changes), apply(dup))
	})
}

// split cuts changes into consecutive non-empty batches.
func split(t *rapid.T, label string, changes []merge.Change) [][]merge.Change {
	var batches [][]merge.Change
	for i := 0; len(changes) > 0; i++ {
		n := rapid.IntRange(1, len(changes)).Draw(t, fmt.Sprintf("%s[%d]", label, i))
		batches = append(batches, changes[:n])
		changes = changes[n:]
	}
	return batches
}

// TestBatching: the changes cut into batches, the batches delivered in any
// order (each shuffled, some retried), give the same rows as applying them
// all at once.
func TestBatching(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		want := apply(changes)
		batches := split(t, "batch", rapid.Permutation(changes).Draw(t, "perm"))
		for i := range rapid.IntRange(0, len(batches)).Draw(t, "retries") {
			if len(batches) > 0 {
				batches = append(batches, batches[rapid.IntRange(0, len(batches)-1).Draw(t, fmt.Sprintf("retry[%d]", i))])
			}
		}
		batches = rapid.Permutation(batches).Draw(t, "batchorder")
		var got state
		for i, b := range batches {
			got, _ = fold(got, rapid.Permutation(b).Draw(t, fmt.Sprintf("shuffle[%d]", i)))
		}
		requireEqual(t, "batched", want, got)
	})
}

// subset draws a random subset of changes in a random order.
func subset(t *rapid.T, label string, changes []merge.Change) []merge.Change {
	var out []merge.Change
	for i, c := range changes {
		if rapid.Bool().Draw(t, fmt.Sprintf("%s[%d]", label, i)) {
			out = append(out, c)
		}
	}
	return rapid.Permutation(out).Draw(t, label+"/order")
}

// TestReplicaExchange: two replicas that have each seen a different part of
// the changes converge once each has received everything, in its own
// order.
func TestReplicaExchange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		a := apply(subset(t, "a", changes))
		b := apply(subset(t, "b", changes))
		a, _ = fold(a, rapid.Permutation(changes).Draw(t, "a/all"))
		b, _ = fold(b, rapid.Permutation(changes).Draw(t, "b/all"))
		requireEqual(t, "a vs b", a, b)
		requireEqual(t, "a vs oracle", oracle(changes), a)
	})
}

// rowsAsChanges turns a replica's rows into changes, as a replica forwards
// its merged state instead of the original changes.
func rowsAsChanges(st state) []merge.Change {
	var out []merge.Change
	for k, r := range st {
		out = append(out, merge.Change{Table: k.table, RowID: k.id, CL: r.CL, Cells: r.Cells})
	}
	return out
}

// TestStateExchange: replicas that exchange their merged rows instead of
// the original changes converge to the state of the union of what they saw.
func TestStateExchange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		sa, sb := subset(t, "a", changes), subset(t, "b", changes)
		a, b := apply(sa), apply(sb)
		a2, _ := fold(a, rapid.Permutation(rowsAsChanges(b)).Draw(t, "b->a"))
		b2, _ := fold(b, rapid.Permutation(rowsAsChanges(a)).Draw(t, "a->b"))
		requireEqual(t, "a+b vs b+a", a2, b2)
		requireEqual(t, "a+b vs oracle", oracle(append(sa, sb...)), a2)
	})
}

// TestIdempotence: applying a change to the row it just produced changes
// nothing, and reports nothing new: the values of the change that were
// refused the first time are refused again with the same conflicts.
func TestIdempotence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		st := state{}
		for _, ch := range changes {
			once := merge.Apply(st[key(ch)], ch)
			twice := merge.Apply(once.Row, ch)
			requireEqual(t, "twice", state{key(ch): once.Row}, state{key(ch): twice.Row})
			var again []merge.Conflict // the refusals of ch's own values
			for _, c := range once.Conflicts {
				if c.Loser.Clock == ch.Cells[c.Column].Clock {
					again = append(again, c)
				}
			}
			if len(twice.Changed) != 0 || twice.Existence || twice.Reset || !reflect.DeepEqual(twice.Conflicts, again) {
				t.Fatalf("re-applying %+v reported %+v", ch, twice)
			}
			st[key(ch)] = once.Row
		}
	})
}

// TestOracle checks the final state against the model: CL is the highest
// CL seen, an alive row holds per column the highest-(HLC, node) write of
// that incarnation, and a deleted row holds no cells.
func TestOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		got := apply(changes)
		requireEqual(t, "oracle", oracle(changes), got)
		for k, r := range got {
			if !merge.Alive(r.CL) && len(r.Cells) != 0 {
				t.Fatalf("deleted row %v has cells %v", k, r.Cells)
			}
		}
	})
}

// TestResultDelta: Changed, Existence and Reset describe exactly how the
// row moved, so a caller writing only what they name reaches Result.Row.
func TestResultDelta(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := genChanges(t, "changes")
		st := state{}
		for _, ch := range changes {
			old := st[key(ch)]
			res := merge.Apply(old, ch)
			if res.Existence != (merge.Alive(old.CL) != merge.Alive(res.Row.CL)) {
				t.Fatalf("Existence %v for CL %d -> %d", res.Existence, old.CL, res.Row.CL)
			}
			written := map[string]merge.Cell{}
			if !res.Reset && merge.Alive(res.Row.CL) {
				maps.Copy(written, old.Cells)
			}
			maps.Copy(written, res.Changed)
			if !reflect.DeepEqual(written, res.Row.Cells) {
				t.Fatalf("applying %+v to %+v: Changed %v (reset %v) gives %v, row is %v",
					ch, old, res.Changed, res.Reset, written, res.Row.Cells)
			}
			st[key(ch)] = res.Row
		}
	})
}

// cellKey names one cell of one row.
type cellKey struct {
	row rowKey
	col string
}

// TestConflictsReported: no value of the final incarnation disappears
// silently. For every write carried by a change whose CL is the row's final
// CL, whose value is not the cell's final value, some conflict of the fold
// names that value as the loser of that cell.
//
// One exemption, which is Apply's design: a node overwriting its own value
// is not a conflict (its clock is strictly increasing, so it had seen that
// value), so Apply reports nothing when a write replaces a cell held by the
// same node. A value is therefore exempt when a node that wrote it wrote
// the same cell again later in the same incarnation.
func TestConflictsReported(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := rapid.Permutation(genChanges(t, "changes")).Draw(t, "order")
		final, conflicts := fold(nil, changes)
		reported := map[cellKey]map[string]bool{}
		for _, c := range conflicts {
			k := cellKey{rowKey{c.Table, c.RowID}, c.Column}
			if reported[k] == nil {
				reported[k] = map[string]bool{}
			}
			reported[k][string(c.Loser.Value)] = true
		}
		// writes per cell of the final incarnation
		writes := map[cellKey][]merge.Cell{}
		for _, ch := range changes {
			if ch.CL != final[key(ch)].CL {
				continue
			}
			for col, c := range ch.Cells {
				k := cellKey{key(ch), col}
				writes[k] = append(writes[k], c)
			}
		}
		for k, ws := range writes {
			win := final[k.row].Cells[k.col]
			for _, w := range ws {
				if string(w.Value) == string(win.Value) || reported[k][string(w.Value)] {
					continue
				}
				exempt := slices.ContainsFunc(ws, func(v merge.Cell) bool {
					return string(v.Value) == string(w.Value) && slices.ContainsFunc(ws, func(later merge.Cell) bool {
						return later.Node == v.Node && v.Less(later.Clock)
					})
				})
				if !exempt {
					t.Fatalf("value %s of %v (written %+v) lost to %+v with no conflict; conflicts: %+v",
						w.Value, k, w, win, conflicts)
				}
			}
		}
	})
}

// Hand-written cases.

var (
	t1 = hlc.New(1_700_000_000_000, 0)
	t2 = hlc.New(1_700_000_000_000, 1)
	t3 = hlc.New(1_700_000_001_000, 0)
)

func cell(v string, t hlc.Timestamp, node string) merge.Cell {
	return merge.Cell{Value: json.RawMessage(v), Clock: merge.Clock{HLC: t, Node: node}}
}

func change(cl int64, cells map[string]merge.Cell) merge.Change {
	return merge.Change{Table: "tasks", RowID: "r1", CL: cl, Cells: cells}
}

func TestApplyCases(t *testing.T) {
	type step struct {
		ch        merge.Change
		existence bool
		reset     bool
		changed   []string
		conflicts []merge.Conflict
	}
	conflict := func(col string, winner, loser merge.Cell, reason string) merge.Conflict {
		return merge.Conflict{Table: "tasks", RowID: "r1", Column: col, Winner: winner, Loser: loser, Reason: reason}
	}
	cases := []struct {
		name  string
		steps []step
		want  merge.Row
	}{
		{
			name: "create then update",
			steps: []step{
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a"), "done": cell(`false`, t1, "dev-a")}),
					existence: true, changed: []string{"done", "title"}},
				{ch: change(1, map[string]merge.Cell{"done": cell(`true`, t2, "dev-a")}), changed: []string{"done"}},
			},
			want: merge.Row{CL: 1, Cells: map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a"), "done": cell(`true`, t2, "dev-a")}},
		},
		{
			name: "equal HLC: higher node wins, lower arriving second",
			steps: []step{
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a")}), existence: true, changed: []string{"title"}},
				{ch: change(1, map[string]merge.Cell{"title": cell(`"s"`, t1, merge.ServerNode)}), changed: []string{"title"},
					conflicts: []merge.Conflict{conflict("title", cell(`"s"`, t1, merge.ServerNode), cell(`"a"`, t1, "dev-a"), merge.ReasonOlder)}},
				{ch: change(1, map[string]merge.Cell{"title": cell(`"b"`, t1, "dev-b")}),
					conflicts: []merge.Conflict{conflict("title", cell(`"s"`, t1, merge.ServerNode), cell(`"b"`, t1, "dev-b"), merge.ReasonOlder)}},
			},
			want: merge.Row{CL: 1, Cells: map[string]merge.Cell{"title": cell(`"s"`, t1, merge.ServerNode)}},
		},
		{
			name: "equal HLC: higher node wins, arriving second",
			steps: []step{
				{ch: change(1, map[string]merge.Cell{"title": cell(`"b"`, t1, "dev-b")}), existence: true, changed: []string{"title"}},
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a")}),
					conflicts: []merge.Conflict{conflict("title", cell(`"b"`, t1, "dev-b"), cell(`"a"`, t1, "dev-a"), merge.ReasonOlder)}},
			},
			want: merge.Row{CL: 1, Cells: map[string]merge.Cell{"title": cell(`"b"`, t1, "dev-b")}},
		},
		{
			// a node's clock only grows: it had seen the value it replaces
			name: "a node overwriting its own value is no conflict",
			steps: []step{
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a")}), existence: true, changed: []string{"title"}},
				{ch: change(1, map[string]merge.Cell{"title": cell(`"b"`, t2, "dev-a")}), changed: []string{"title"}},
			},
			want: merge.Row{CL: 1, Cells: map[string]merge.Cell{"title": cell(`"b"`, t2, "dev-a")}},
		},
		{
			name: "update after delete is refused",
			steps: []step{
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a")}), existence: true, changed: []string{"title"}},
				{ch: change(2, nil), existence: true},
				{ch: change(1, map[string]merge.Cell{"title": cell(`"b"`, t2, "dev-b")}),
					conflicts: []merge.Conflict{conflict("title", merge.Cell{}, cell(`"b"`, t2, "dev-b"), merge.ReasonDeleted)}},
			},
			want: merge.Row{CL: 2},
		},
		{
			name: "delete, re-insert, stale update",
			steps: []step{
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a")}), existence: true, changed: []string{"title"}},
				{ch: change(2, nil), existence: true},
				{ch: change(3, map[string]merge.Cell{"title": cell(`"c"`, t2, "dev-a")}), existence: true, changed: []string{"title"}},
				{ch: change(1, map[string]merge.Cell{"title": cell(`"b"`, t3, "dev-b")}),
					conflicts: []merge.Conflict{conflict("title", cell(`"c"`, t2, "dev-a"), cell(`"b"`, t3, "dev-b"), merge.ReasonStale)}},
			},
			want: merge.Row{CL: 3, Cells: map[string]merge.Cell{"title": cell(`"c"`, t2, "dev-a")}},
		},
		{
			name: "re-insert over a live row resets its cells",
			steps: []step{
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t3, "dev-a"), "note": cell(`"n"`, t3, "dev-a")}),
					existence: true, changed: []string{"note", "title"}},
				// the delete (CL 2) never reached this replica
				{ch: change(3, map[string]merge.Cell{"title": cell(`"c"`, t1, "dev-b")}), reset: true, changed: []string{"title"}},
			},
			want: merge.Row{CL: 3, Cells: map[string]merge.Cell{"title": cell(`"c"`, t1, "dev-b")}},
		},
		{
			name: "delete of a row never seen",
			steps: []step{
				{ch: change(2, nil)},
				{ch: change(1, map[string]merge.Cell{"title": cell(`"a"`, t1, "dev-a")}),
					conflicts: []merge.Conflict{conflict("title", merge.Cell{}, cell(`"a"`, t1, "dev-a"), merge.ReasonDeleted)}},
			},
			want: merge.Row{CL: 2},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var row merge.Row
			for i, s := range tc.steps {
				res := merge.Apply(row, s.ch)
				if res.Existence != s.existence || res.Reset != s.reset {
					t.Errorf("step %d: existence %v reset %v, want %v %v", i, res.Existence, res.Reset, s.existence, s.reset)
				}
				if got := slices.Sorted(maps.Keys(res.Changed)); !slices.Equal(got, s.changed) {
					t.Errorf("step %d: changed %v, want %v", i, got, s.changed)
				}
				if !reflect.DeepEqual(res.Conflicts, s.conflicts) {
					t.Errorf("step %d: conflicts\n got %+v\nwant %+v", i, res.Conflicts, s.conflicts)
				}
				row = res.Row
			}
			if len(row.Cells) == 0 {
				row.Cells = nil
			}
			if !reflect.DeepEqual(row, tc.want) {
				t.Errorf("row %+v, want %+v", row, tc.want)
			}
		})
	}
}

// TestBaseSparesSequentialOverwrites: a change that names the version it
// overwrote records no conflict on a replica holding exactly that version,
// records one on a replica holding another, and wins the same either way.
func TestBaseSparesSequentialOverwrites(t *testing.T) {
	dev := merge.Clock{HLC: hlc.New(1000, 0), Node: "dev-a"}
	other := merge.Clock{HLC: hlc.New(1500, 0), Node: "dev-b"}
	web := merge.Clock{HLC: hlc.New(2000, 0), Node: merge.ServerNode}
	in := merge.Change{Table: "expenses", RowID: "r", CL: 1,
		Cells: map[string]merge.Cell{"amount": {Value: json.RawMessage(`"21.00"`), Clock: web}},
		Base:  map[string]merge.Clock{"amount": dev}}
	for _, tc := range []struct {
		name      string
		have      merge.Clock
		conflicts int
	}{
		{"SawOurValue", dev, 0},
		{"OverwroteAnotherValue", other, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := merge.Row{CL: 1, Cells: map[string]merge.Cell{"amount": {Value: json.RawMessage(`"20.00"`), Clock: tc.have}}}
			res := merge.Apply(cur, in)
			if len(res.Conflicts) != tc.conflicts {
				t.Fatalf("%d conflicts, want %d", len(res.Conflicts), tc.conflicts)
			}
			if got := res.Row.Cells["amount"]; got.Clock != web {
				t.Fatalf("winner %+v, want the web edit", got)
			}
		})
	}
}
