package schema

// The fast JSON paths of the store and of sync, in one place: each skips
// encoding/json's reflection for the shapes that make up nearly every
// write, push and pull (flat objects of scalars), and falls back to
// encoding/json for anything else. FuzzFastJSON and its siblings in
// fastjson_test.go check each against encoding/json.

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ScanObject splits a flat JSON object (as Postgres prints jsonb, as the
// outbox stores a change) into its members without copying: each key and
// value is a slice of raw, the value still JSON. It reports false for
// anything it does not read plainly (an escaped key, say) or when each
// does, and the caller falls back to encoding/json. Values are measured,
// not checked: the caller parses them.
func ScanObject(raw string, each func(key, value string) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return skipSpace(raw, i+1) == len(raw)
	}
	for {
		if i >= len(raw) || raw[i] != '"' {
			return false
		}
		end := strings.IndexByte(raw[i+1:], '"')
		if end < 0 {
			return false
		}
		key := raw[i+1 : i+1+end]
		if strings.IndexByte(key, '\\') >= 0 || !utf8.ValidString(key) {
			return false
		}
		i = skipSpace(raw, i+2+end)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		n := valueLen(raw[i:])
		if n <= 0 {
			return false
		}
		if !each(key, raw[i:i+n]) {
			return false
		}
		i = skipSpace(raw, i+n)
		if i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return skipSpace(raw, i+1) == len(raw)
		default:
			return false
		}
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	return i
}

// valueLen is the length of the JSON value at the start of s, or 0. Nested
// objects and arrays are measured by bracket depth outside strings; the
// values are checked later, when parsed for their column.
func valueLen(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '"':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return 0
	case '{', '[':
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '"':
				n := valueLen(s[i:])
				if n == 0 {
					return 0
				}
				i += n - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return 0
	default:
		i := 0
		for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
			i++
		}
		return i
	}
}

// AppendJSONString appends s quoted as JSON, without reflection when s
// needs no escaping (strconv.Quote's escapes are Go's, not JSON's, for
// some characters).
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			raw, _ := json.Marshal(s)
			return append(b, raw...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// EncodeStored renders stored values (string, int64, float64, nil) as a
// JSON object, without reflection: the store runs it for every write (the
// change log's payload). Other values go through encoding/json.
func EncodeStored(data Row) string {
	if len(data) == 0 {
		return "{}"
	}
	b := make([]byte, 0, 40*len(data))
	b = append(b, '{')
	for k, v := range data {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, k)
		b = append(b, ':')
		switch x := v.(type) {
		case nil:
			b = append(b, "null"...)
		case string:
			b = AppendJSONString(b, x)
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case float64:
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		default:
			raw, _ := json.Marshal(x)
			b = append(b, raw...)
		}
	}
	return string(append(b, '}'))
}

// DecodeStored reads an object EncodeStored wrote back into stored values:
// numbers become int64 when whole, float64 otherwise. Scalars are read
// directly (a push reads every change); anything else goes through
// encoding/json.
func DecodeStored(data string) (Row, error) {
	row := make(Row, 16)
	if ScanObject(data, func(k, v string) bool {
		switch {
		case v == "null":
			row[k] = nil
		case v[0] == '"':
			body := v[1 : len(v)-1]
			if strings.IndexByte(body, '\\') >= 0 {
				return false
			}
			row[k] = body
		case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
			if i, err := strconv.ParseInt(v, 10, 64); err == nil {
				row[k] = i
			} else if f, err := strconv.ParseFloat(v, 64); err == nil {
				row[k] = f
			} else {
				return false
			}
		default:
			return false
		}
		return true
	}) {
		return row, nil
	}
	return decodeStoredJSON(data)
}

// decodeStoredJSON is DecodeStored through encoding/json alone: the path
// for what the scan declines, and the reference the fuzz test holds the
// fast path to.
func decodeStoredJSON(data string) (Row, error) {
	row := Row{}
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&row); err != nil {
		return nil, err
	}
	for k, v := range row {
		row[k] = storedFromJSON(v)
	}
	return row, nil
}

// storedFromJSON restores a stored value from its JSON form: numbers
// become int64 when whole, float64 otherwise.
func storedFromJSON(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}

// DecodeJSON decodes one JSON value the way encoding/json with UseNumber
// would, with a fast path for the scalars that make up nearly every cell.
func DecodeJSON(raw json.RawMessage) (any, error) {
	switch s := string(raw); {
	case s == "null":
		return nil, nil
	case s == "true":
		return true, nil
	case s == "false":
		return false, nil
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && plainString(s[1:len(s)-1]) && utf8.ValidString(s):
		return s[1 : len(s)-1], nil
	case len(s) > 0 && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && s[len(s)-1] >= '0' && s[len(s)-1] <= '9' && json.Valid(raw):
		return json.Number(s), nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}

// plainString reports whether a JSON string body needs no unescaping.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c == '"' || c < 0x20 {
			return false
		}
	}
	return true
}

// OutputJSON renders a stored value as the canonical JSON of its API value
// (Output), without reflection for plain strings, integers, booleans and
// NULL.
func (c *Column) OutputJSON(stored any) json.RawMessage {
	switch out := c.Output(stored).(type) {
	case string:
		if plainString(out) && utf8.ValidString(out) && !strings.ContainsAny(out, "<>&\u2028\u2029") {
			b := make([]byte, 0, len(out)+2)
			return append(append(append(b, '"'), out...), '"')
		}
	case int64:
		return strconv.AppendInt(nil, out, 10)
	case bool:
		if out {
			return json.RawMessage("true")
		}
		return json.RawMessage("false")
	case nil:
		return json.RawMessage("null")
	}
	raw, err := json.Marshal(c.Output(stored))
	if err != nil {
		return json.RawMessage("null")
	}
	return raw
}

// AppendRawObject appends m as a JSON object whose values are raw JSON
// (value gives each; an empty one is written as null), without
// reflection: pushes encode every cell of every row this way.
func AppendRawObject[V any](b []byte, m map[string]V, value func(V) json.RawMessage) []byte {
	b = append(b, '{')
	first := true
	for k, e := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendJSONString(b, k)
		b = append(b, ':')
		v := value(e)
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		b = append(b, v...)
	}
	return append(b, '}')
}

// EncodeRawRows renders rows of raw JSON values as a JSON array of objects
// (AppendRawObject).
func EncodeRawRows(rows []map[string]json.RawMessage) []byte {
	b := make([]byte, 0, 512*len(rows))
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendRawObject(b, row, rawValue)
	}
	return append(b, ']')
}

func rawValue(v json.RawMessage) json.RawMessage { return v }
