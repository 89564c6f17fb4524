package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Stored values are what the local database holds: string, int64, float64
// or nil. Decimals are integers in units of 10^-Scale, booleans 0 or 1,
// JSON and arrays compact JSON text, timestamps fixed-width UTC text that
// sorts as it compares.
//
// API values are what JSON carries: decimals as strings ("12.50"), booleans,
// RFC 3339 timestamps, JSON documents as themselves.

// TimestampLayout is the stored and API form of a Timestamp: fixed width, so
// text order is time order.
const TimestampLayout = "2006-01-02T15:04:05.000000Z"

// DateLayout is the stored and API form of a Date.
const DateLayout = "2006-01-02"

// MaxTextLen bounds every Text value, whatever the column.
const MaxTextLen = 1 << 20

// maxDecimalDigits keeps scaled decimals inside int64 (and numeric(18,s)).
const maxDecimalDigits = 18

// FormatTimestamp renders t in TimestampLayout.
func FormatTimestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// FormatDate renders t's UTC date.
func FormatDate(t time.Time) string { return t.UTC().Format(DateLayout) }

// Parse checks an API value (as decoded by encoding/json with UseNumber) for
// column c and returns its stored form. nil is returned as nil; NOT NULL is
// the caller's business, since an update may not touch the column at all.
func (c *Column) Parse(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	s, err := c.parse(v)
	if err != nil {
		return nil, err
	}
	if err := c.check(s); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *Column) parse(v any) (any, error) {
	switch c.Type {
	case Text:
		s, ok := v.(string)
		if !ok {
			return nil, c.errType(v)
		}
		return s, nil
	case UUID:
		s, ok := v.(string)
		if !ok {
			return nil, c.errType(v)
		}
		return ParseUUID(s)
	case Int:
		return parseInt(v)
	case Float:
		return parseFloat(v)
	case Decimal:
		return ParseDecimal(v, c.Scale)
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, c.errType(v)
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	case Date:
		s, ok := v.(string)
		if !ok {
			return nil, c.errType(v)
		}
		return ParseDate(s)
	case Timestamp:
		s, ok := v.(string)
		if !ok {
			return nil, c.errType(v)
		}
		return ParseTimestamp(s)
	case Time:
		s, ok := v.(string)
		if !ok {
			return nil, c.errType(v)
		}
		return parseTimeOfDay(s)
	case JSON:
		return compactJSON(v)
	case TextArray:
		return parseArray(v, func(e any) bool { _, ok := e.(string); return ok }, "strings")
	case IntArray:
		return parseArray(v, func(e any) bool { _, err := parseInt(e); return err == nil }, "integers")
	}
	return nil, fmt.Errorf("column %s has unknown type %v", c.Name, c.Type)
}

func (c *Column) errType(v any) error {
	return fmt.Errorf("expected %s, got %s", c.Type, jsonKind(v))
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64, int64, int:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// check applies the column's constraints to a stored value.
func (c *Column) check(s any) error {
	switch x := s.(type) {
	case string:
		if c.Type == Text {
			max := c.MaxLen
			if max <= 0 || max > MaxTextLen {
				max = MaxTextLen
			}
			if !utf8.ValidString(x) {
				return fmt.Errorf("not valid UTF-8")
			}
			if len(x) > max {
				return fmt.Errorf("longer than %d bytes", max)
			}
			if strings.IndexByte(x, 0) >= 0 {
				return fmt.Errorf("contains a NUL byte")
			}
		}
		if len(c.Enum) > 0 && !contains(c.Enum, x) {
			return fmt.Errorf("must be one of %s", strings.Join(c.Enum, ", "))
		}
	case int64, float64:
		f := c.numeric(s)
		if c.Min != nil && f < *c.Min {
			return fmt.Errorf("must be at least %v", *c.Min)
		}
		if c.Max != nil && f > *c.Max {
			return fmt.Errorf("must be at most %v", *c.Max)
		}
	}
	return nil
}

// numeric returns a stored numeric value in natural units.
func (c *Column) numeric(s any) float64 {
	switch x := s.(type) {
	case int64:
		if c.Type == Decimal {
			return float64(x) / math.Pow10(c.Scale)
		}
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// Output turns a stored value (as scanned from SQLite) into its API value.
func (c *Column) Output(s any) any {
	if s == nil {
		return nil
	}
	if b, ok := s.([]byte); ok {
		s = string(b)
	}
	switch c.Type {
	case Decimal:
		if n, ok := s.(int64); ok {
			return FormatDecimal(n, c.Scale)
		}
	case Bool:
		if n, ok := s.(int64); ok {
			return n != 0
		}
	case JSON, TextArray, IntArray:
		if str, ok := s.(string); ok {
			return json.RawMessage(str)
		}
	case Float:
		if n, ok := s.(int64); ok {
			return float64(n)
		}
	}
	return s
}

// ParseUUID accepts the canonical 8-4-4-4-12 hex form, any case, and
// returns it lower-cased.
func ParseUUID(s string) (string, error) {
	if len(s) != 36 {
		return "", fmt.Errorf("not a UUID")
	}
	b := []byte(strings.ToLower(s))
	for i, ch := range b {
		switch i {
		case 8, 13, 18, 23:
			if ch != '-' {
				return "", fmt.Errorf("not a UUID")
			}
		default:
			if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f') {
				return "", fmt.Errorf("not a UUID")
			}
		}
	}
	return string(b), nil
}

// ParseDate accepts YYYY-MM-DD and returns it unchanged when it names a real day.
func ParseDate(s string) (string, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Year() < 1 {
		return "", fmt.Errorf("not a date (YYYY-MM-DD)")
	}
	return t.Format(DateLayout), nil
}

// ParseTimestamp accepts RFC 3339 (any offset) or a bare date (midnight
// UTC) and returns the stored UTC form.
func ParseTimestamp(s string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d, derr := time.Parse(DateLayout, s)
		if derr != nil {
			return "", fmt.Errorf("not an RFC 3339 timestamp")
		}
		t = d
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return "", fmt.Errorf("timestamp out of range")
	}
	return FormatTimestamp(t), nil
}

func parseTimeOfDay(s string) (string, error) {
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("15:04:05"), nil
		}
	}
	return "", fmt.Errorf("not a time of day (HH:MM[:SS])")
}

func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case string:
		return strings.TrimSpace(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

func parseInt(v any) (int64, error) {
	s, ok := numberText(v)
	if !ok {
		return 0, fmt.Errorf("expected integer, got %s", jsonKind(v))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an integer in range")
	}
	return n, nil
}

func parseFloat(v any) (float64, error) {
	s, ok := numberText(v)
	if !ok {
		return 0, fmt.Errorf("expected number, got %s", jsonKind(v))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a finite number")
	}
	return f, nil
}

// ParseDecimal parses a JSON number or decimal string into integer units of
// 10^-scale, exactly: "12.5" at scale 2 is 1250. More fractional digits than
// the scale is an error rather than a silent rounding.
func ParseDecimal(v any, scale int) (int64, error) {
	s, ok := numberText(v)
	if !ok {
		return 0, fmt.Errorf("expected decimal number or string, got %s", jsonKind(v))
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("not a decimal number")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return 0, fmt.Errorf("more than %d decimal places", scale)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole)+scale > maxDecimalDigits {
		return 0, fmt.Errorf("too large")
	}
	digits := whole + frac + strings.Repeat("0", scale-len(frac))
	if digits == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("too large")
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatDecimal renders integer units of 10^-scale as a decimal string with
// exactly scale fractional digits.
func FormatDecimal(n int64, scale int) string {
	if scale == 0 {
		return strconv.FormatInt(n, 10)
	}
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	if neg {
		s = "-" + s
	}
	return s
}

func compactJSON(v any) (string, error) {
	if raw, ok := v.(json.RawMessage); ok {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return "", fmt.Errorf("not valid JSON")
		}
		return buf.String(), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("not valid JSON")
	}
	return string(b), nil
}

func parseArray(v any, ok func(any) bool, what string) (string, error) {
	if raw, isRaw := v.(json.RawMessage); isRaw {
		var arr []any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&arr); err != nil {
			return "", fmt.Errorf("expected an array of %s", what)
		}
		v = arr
	}
	arr, isArr := v.([]any)
	if !isArr {
		return "", fmt.Errorf("expected an array of %s, got %s", what, jsonKind(v))
	}
	for _, e := range arr {
		if !ok(e) {
			return "", fmt.Errorf("expected an array of %s", what)
		}
	}
	return compactJSON(arr)
}
