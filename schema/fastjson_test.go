package schema

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"unicode/utf8"
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
	// What Postgres prints and EncodeStored writes must take the fast
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

// Differential tests of the fast paths against encoding/json. The seeds
// run in every `go test` (a few hundred microseconds); `go test -fuzz`
// explores from them.

// decodeSlow is DecodeJSON by encoding/json alone.
func decodeSlow(raw []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`null`, `true`, `false`, `"plain"`, `"esc\"aped"`, `"naïve"`, "\"bad \xff utf8\"",
		`12`, `-3.5e2`, `1 `, ` 1`, `1 2`, `01`, `-`, `"`, `[1,"a",{"b":null}]`, `{"k":1}`, ``, `"tab	in"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, gerr := DecodeJSON(raw)
		want, werr := decodeSlow(raw)
		if (gerr != nil) != (werr != nil) {
			t.Fatalf("DecodeJSON(%q) error %v, encoding/json %v", raw, gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeJSON(%q) = %#v, encoding/json %#v", raw, got, want)
		}
	})
}

// FuzzDecodeStored: on any JSON object of valid UTF-8, the fast path reads
// what encoding/json reads; and what EncodeStored writes from a row of
// stored values is JSON that encoding/json reads as the same values.
func FuzzDecodeStored(f *testing.F) {
	for _, s := range append(scanSeeds, `{"a":"x","b":1,"c":1.5,"d":null,"e":12345678901234567890,"f":-0,"g":1e3}`) {
		f.Add(s, "k", "v\"<&\u2028", int64(-7), 2.5)
	}
	f.Fuzz(func(t *testing.T, s, key, text string, n int64, x float64) {
		if json.Valid([]byte(s)) && utf8.ValidString(s) {
			got, gerr := DecodeStored(s)
			want, werr := decodeStoredJSON(s)
			if (gerr != nil) != (werr != nil) || gerr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("DecodeStored(%q) = %#v, %v; encoding/json %#v, %v", s, got, gerr, want, werr)
			}
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || !utf8.ValidString(key) || !utf8.ValidString(text) {
			return // not stored values: validation refuses them
		}
		row := Row{key + "s": text, key + "n": n, key + "f": x, key + "z": nil}
		enc := EncodeStored(row)
		want, err := decodeStoredJSON(enc)
		if err != nil {
			t.Fatalf("EncodeStored(%#v) = %s: %v", row, enc, err)
		}
		got, err := DecodeStored(enc)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeStored(%s) = %#v, %v; encoding/json %#v", enc, got, err, want)
		}
		marshalled, _ := json.Marshal(row)
		again, _ := decodeStoredJSON(string(marshalled))
		if !reflect.DeepEqual(want, again) {
			t.Fatalf("EncodeStored(%#v) = %s reads as %#v; json.Marshal's %s as %#v", row, enc, want, marshalled, again)
		}
	})
}

// FuzzAppendJSONString: the string reads back as itself, as json.Marshal's
// rendering does (invalid UTF-8 included).
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "quo\"te", "back\\slash", "tab\t", "<&>", "naïve ☃", "\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := AppendJSONString([]byte("x"), s)[1:]
		var got, want string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("AppendJSONString(%q) = %s: %v", s, b, err)
		}
		m, _ := json.Marshal(s)
		json.Unmarshal(m, &want)
		if got != want {
			t.Fatalf("AppendJSONString(%q) reads as %q, json.Marshal's as %q", s, got, want)
		}
	})
}

// FuzzOutputJSON: a column's canonical JSON is byte for byte json.Marshal
// of its API value.
func FuzzOutputJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "<b>", "quo\"te", "\u2028", "naïve", "\xff"} {
		f.Add(s, int64(42), true)
	}
	text, integer, boolean := &Column{Name: "t", Type: Text}, &Column{Name: "i", Type: Int}, &Column{Name: "b", Type: Bool}
	f.Fuzz(func(t *testing.T, s string, n int64, flag bool) {
		for _, tc := range []struct {
			c      *Column
			stored any
		}{{text, s}, {integer, n}, {boolean, flag}, {text, nil}} {
			got := tc.c.OutputJSON(tc.stored)
			want, err := json.Marshal(tc.c.Output(tc.stored))
			if err != nil {
				want = []byte("null")
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s.OutputJSON(%#v) = %s, json.Marshal %s", tc.c.Type, tc.stored, got, want)
			}
		}
	})
}

// FuzzEncodeRawRows: rows of raw JSON values encode as the array of
// objects encoding/json reads back, an empty value as null.
func FuzzEncodeRawRows(f *testing.F) {
	f.Add("id", `"a"`, "n", `12.5`, "o", `{"x":[1,null]}`)
	f.Add("quo\"te", ``, "é", `null`, "", `true`)
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		row := map[string]json.RawMessage{}
		for _, kv := range [][2]string{{k1, v1}, {k2, v2}, {k3, v3}} {
			if v := kv[1]; v != "" && !json.Valid([]byte(v)) || !utf8.ValidString(kv[0]) {
				return
			}
			row[kv[0]] = json.RawMessage(kv[1])
		}
		enc := EncodeRawRows([]map[string]json.RawMessage{row, {}})
		var got []map[string]json.RawMessage
		if err := json.Unmarshal(enc, &got); err != nil || len(got) != 2 || len(got[0]) != len(row) || len(got[1]) != 0 {
			t.Fatalf("EncodeRawRows(%v) = %s: %v", row, enc, err)
		}
		for k, v := range row {
			if len(v) == 0 {
				v = json.RawMessage("null")
			}
			var a, b bytes.Buffer
			json.Compact(&a, got[0][k])
			json.Compact(&b, v)
			if a.String() != b.String() {
				t.Fatalf("EncodeRawRows: %q = %s, want %s", k, a.String(), b.String())
			}
		}
	})
}
