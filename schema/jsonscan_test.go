package schema

import (
	"bytes"
	"encoding/json"
	"testing"
)

// scanSeeds are cells as Postgres prints them, and a few it never would.
var scanSeeds = []string{
	`{}`,
	` { } `,
	`{"id": "01a2", "amount": 12.50, "ok": true, "n": null, "tags": ["a", "b,}"], "meta": {"k": [1, {"x": "]"}]}}`,
	`{"s": "quote \" and \\ backslash", "u": "\u00e9"}`,
	`{"a":1,"b":-2e10}`,
	`{"a\"b": 1}`,
	`{"a": 1,}`,
	`{"a" 1}`,
	`{"a": "unterminated}`,
	`[1, 2]`,
	`{"a": 1} trailing`,
}

// TestScanObject: on every valid object ScanObject either declines or
// yields exactly the members encoding/json reads.
func TestScanObject(t *testing.T) {
	for _, s := range scanSeeds {
		checkScan(t, s)
	}
	// What Postgres prints and encodeStored writes must take the fast
	// path, or the scanner is only ever a detour.
	for _, s := range scanSeeds[:5] {
		if !ScanObject(s, func(string, string) bool { return true }) {
			t.Errorf("ScanObject declined %q", s)
		}
	}
}

func FuzzScanObject(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s)
	}
	f.Fuzz(checkScan)
}

func checkScan(t *testing.T, s string) {
	got := map[string]json.RawMessage{}
	ok := ScanObject(s, func(k, v string) bool { got[k] = json.RawMessage(v); return true })
	var want map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &want); err != nil || want == nil {
		return // not an object: whatever ScanObject did, decoding the values fails later
	}
	if !ok {
		return // declined: the caller uses encoding/json
	}
	if len(got) != len(want) {
		t.Fatalf("%q: scanned %d members, encoding/json %d", s, len(got), len(want))
	}
	for k, w := range want {
		var a, b bytes.Buffer
		if err := json.Compact(&a, got[k]); err != nil {
			t.Fatalf("%q: member %q scanned as %q: %v", s, k, got[k], err)
		}
		json.Compact(&b, w)
		if a.String() != b.String() {
			t.Fatalf("%q: member %q = %s, want %s", s, k, a.String(), b.String())
		}
	}
}
