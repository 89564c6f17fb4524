package contextengine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

type entry struct{ key, value string }

// objectEntries lists the top-level entries of a JSON object column with a
// non-empty value, sorted by key. Anything else yields nothing.
func objectEntries(v any) []entry {
	raw, ok := v.(json.RawMessage)
	if !ok || len(raw) == 0 {
		return nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []entry
	for _, k := range keys {
		if s := value(m[k]); s != "" {
			out = append(out, entry{k, s})
		}
	}
	return out
}

// render1 renders one stored JSON or text value.
func render1(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case json.RawMessage:
		var a any
		dec := json.NewDecoder(bytes.NewReader(x))
		dec.UseNumber()
		if err := dec.Decode(&a); err != nil {
			return ""
		}
		return value(a)
	}
	return value(v)
}

// value renders a decoded JSON value: scalars as is, lists of scalars
// joined by commas, anything else as compact JSON.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return oneLine(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				b, _ := json.Marshal(x)
				return string(b)
			}
			if s := value(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if len(x) == 0 {
			return ""
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// humanize turns a key like max_daily_km into "max daily km".
func humanize(k string) string {
	return strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(k))
}
