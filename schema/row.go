package schema

import (
	"encoding/json"
	"strconv"
	"time"
)

// Row maps column names to values: API values on the way in, stored values
// once validated. Its getters read one column as a Go value and say nothing
// about a column that is absent, NULL or of another type: they return the
// zero value (and false where they return a flag), so answers built from a
// sparse row read "0" or "" rather than failing.
type Row map[string]any

// Text reads a text value; NULL or a non-string is "".
func (r Row) Text(col string) string { return AsText(r[col]) }

// Cents reads a decimal of scale 2 (money) in cents; NULL or unreadable is 0.
func (r Row) Cents(col string) int64 { return AsCents(r[col]) }

// Decimal reads a decimal of the given scale in units of 10^-scale.
func (r Row) Decimal(col string, scale int) (int64, bool) { return AsDecimal(r[col], scale) }

// Number reads a numeric value (an integer, a real, or a decimal string).
func (r Row) Number(col string) (float64, bool) { return AsNumber(r[col]) }

// Int reads an integer value; anything else is 0.
func (r Row) Int(col string) int64 {
	switch x := r[col].(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case json.Number:
		n, _ := x.Int64()
		return n
	}
	return 0
}

// Bool reads a boolean value; NULL is false.
func (r Row) Bool(col string) bool { b, _ := r[col].(bool); return b }

// Date reads the date part (YYYY-MM-DD) of a Date or Timestamp value.
func (r Row) Date(col string) string { return DateOf(r[col]) }

// Time reads a Timestamp or Date value as a time in UTC.
func (r Row) Time(col string) (time.Time, bool) { return AsTime(r[col]) }

// JSON decodes a JSON value (an object or array column) into out.
func (r Row) JSON(col string, out any) error {
	var raw []byte
	switch x := r[col].(type) {
	case nil:
		return nil
	case json.RawMessage:
		raw = x
	case string:
		raw = []byte(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		raw = b
	}
	return json.Unmarshal(raw, out)
}

// AsText reads a text API value; NULL is "".
func AsText(v any) string {
	s, _ := v.(string)
	return s
}

// AsCents reads an API decimal value (a string such as "45.10") in cents;
// a NULL or unreadable value is 0.
func AsCents(v any) int64 {
	n, _ := AsDecimal(v, 2)
	return n
}

// AsDecimal reads an API decimal value of the given scale in units of
// 10^-scale; false for NULL or an unreadable value.
func AsDecimal(v any, scale int) (int64, bool) {
	if v == nil {
		return 0, false
	}
	n, err := ParseDecimal(v, scale)
	if err != nil {
		return 0, false
	}
	return n, true
}

// AsNumber reads a numeric API value: an integer, a real, a JSON number,
// or a decimal string.
func AsNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// AsTime reads a Timestamp (RFC 3339) or Date API value as a time in UTC.
func AsTime(v any) (time.Time, bool) {
	s := AsText(v)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(DateLayout, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// DateOf returns the date part of a Date or Timestamp API value.
func DateOf(v any) string {
	s := AsText(v)
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}
