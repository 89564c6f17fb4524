package schema

import (
	"encoding/json"
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
