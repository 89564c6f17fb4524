package replica

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/pam-rv/pamd/sync/merge"
)

// TestVersionsRoundTrip: the shared entry is a lossless shorthand, and a
// column's own entry merged in later (json_patch, jsonb ||) overrides it.
func TestVersionsRoundTrip(t *testing.T) {
	a := merge.Clock{HLC: 100, Node: "dev-a"}
	b := merge.Clock{HLC: 200, Node: "dev-b"}
	tests := []struct {
		name  string
		cells map[string]merge.Clock
	}{
		{"empty", map[string]merge.Clock{}},
		{"two columns", map[string]merge.Clock{"x": a, "y": b}},
		{"whole row", map[string]merge.Clock{"id": a, "amount": a, "date": a, "category": a}},
		{"whole row, one updated", map[string]merge.Clock{"id": a, "amount": b, "date": a, "category": a}},
		{"two versions, equal counts", map[string]merge.Clock{"w": a, "x": a, "y": a, "z": b, "v": b, "u": b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := map[string]merge.Cell{}
			for col, clk := range tt.cells {
				cells[col] = merge.Cell{Clock: clk}
			}
			raw := encodeVersions(cells)
			got, err := versions(raw)
			if err != nil {
				t.Fatalf("versions(%s): %v", raw, err)
			}
			if !maps.Equal(got, tt.cells) {
				t.Fatalf("round trip of %s = %v, want %v", raw, got, tt.cells)
			}
		})
	}

	// A later entry of one column, merged into the object, wins over the
	// shared one; the other columns keep theirs.
	raw := encodeVersions(map[string]merge.Cell{"id": {Clock: a}, "amount": {Clock: a}, "date": {Clock: a}})
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	if _, ok := obj[allColumns]; !ok || len(obj) != 1 {
		t.Fatalf("whole row encoded as %s, want one shared entry", raw)
	}
	obj["amount"] = json.RawMessage(`{"t":200,"n":"dev-b"}`)
	patched, _ := json.Marshal(obj)
	got, err := versions(patched)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]merge.Clock{"id": a, "amount": b, "date": a}
	if !maps.Equal(got, want) {
		t.Fatalf("patched %s = %v, want %v", patched, got, want)
	}
}

// TestDecodeCells reads both forms of change-log cells: values with the
// entry's one version, and (entries written before hlc/node existed)
// each cell with its own.
func TestDecodeCells(t *testing.T) {
	want := map[string]merge.Cell{
		"amount":   {Value: json.RawMessage(`12.5`), Clock: merge.Clock{HLC: 7, Node: "dev"}},
		"category": {Value: json.RawMessage(`"fuel"`), Clock: merge.Clock{HLC: 7, Node: "dev"}},
	}
	for _, tt := range []struct {
		raw  string
		hlc  int64
		node string
	}{
		{`{"amount": 12.5, "category": "fuel"}`, 7, "dev"},
		{`{"amount": {"v": 12.5, "t": 7, "n": "dev"}, "category": {"v": "fuel", "t": 7, "n": "dev"}}`, -1, ""},
	} {
		got, err := decodeCells(tt.raw, tt.hlc, tt.node)
		if err != nil {
			t.Fatalf("decodeCells(%s): %v", tt.raw, err)
		}
		if len(got) != len(want) {
			t.Fatalf("decodeCells(%s) = %v, want %v", tt.raw, got, want)
		}
		for col, w := range want {
			g := got[col]
			if string(g.Value) != string(w.Value) || g.Clock != w.Clock {
				t.Fatalf("decodeCells(%s)[%s] = %s %v, want %s %v", tt.raw, col, g.Value, g.Clock, w.Value, w.Clock)
			}
		}
	}
	if _, err := decodeCells(`{"amount": 1`, 7, "dev"); err == nil {
		t.Fatal("decodeCells of a cut object: no error")
	}
}
