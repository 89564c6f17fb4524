package schema

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// FilterOp is an operator of the data API's filter language (api.md).
type FilterOp string

const (
	OpEq     FilterOp = "eq"
	OpNeq    FilterOp = "neq"
	OpLt     FilterOp = "lt"
	OpLte    FilterOp = "lte"
	OpGt     FilterOp = "gt"
	OpGte    FilterOp = "gte"
	OpLike   FilterOp = "like"
	OpIn     FilterOp = "in"
	OpIsNull FilterOp = "is_null"
)

// Limits of one query, so a huge or deep filter is refused, not executed.
const (
	MaxConditions = 32
	MaxInValues   = 1000
	MaxLikeLen    = 256
	MaxLimit      = 1000
	DefaultLimit  = 100
	MaxOffset     = 1_000_000
)

// Condition is one parsed filter condition. Value holds a stored value (eq,
// neq, lt, lte, gt, gte, like), a slice of stored values (in), or a bool
// (is_null: true means IS NULL).
type Condition struct {
	Column string
	Op     FilterOp
	Value  any
}

// Order is one sort key.
type Order struct {
	Column string
	Desc   bool
}

// Query is a validated read of one table.
type Query struct {
	Conditions []Condition
	Order      []Order
	Limit      int
	Offset     int
}

// ParseFilters parses the filters object of a read into conditions over t.
// Each entry is "column": value (equality; null means IS NULL),
// "column": {"op": ..., "value": ...}, or "column": [ {op, value}, ... ] for
// several conditions on one column (a date range, say), all ANDed.
func (t *Table) ParseFilters(raw json.RawMessage) ([]Condition, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, Errorf(EINVALID, "filters must be a JSON object of column: condition")
	}
	var conds []Condition
	var errs []FieldError
	for _, name := range sortedRawKeys(m) {
		col, ok := t.Column(name)
		if !ok {
			errs = append(errs, FieldError{Field: Truncate(name, 64), Reason: "unknown column"})
			if len(errs) >= maxFieldErrors {
				break
			}
			continue
		}
		cs, err := parseColumnFilter(col, m[name])
		if err != nil {
			errs = append(errs, FieldError{Field: name, Reason: err.Error()})
			continue
		}
		conds = append(conds, cs...)
		if len(conds) > MaxConditions {
			return nil, Errorf(EUNPROCESSABLE, "more than %d filter conditions", MaxConditions)
		}
	}
	if len(errs) > 0 {
		return nil, &Error{Code: EUNPROCESSABLE, Message: fmt.Sprintf("%s: invalid filters", t.Name), Fields: errs}
	}
	return conds, nil
}

type opValue struct {
	Op    FilterOp        `json:"op"`
	Value json.RawMessage `json:"value"`
}

func parseColumnFilter(col *Column, raw json.RawMessage) ([]Condition, error) {
	trimmed := strings.TrimSpace(string(raw))
	switch {
	case strings.HasPrefix(trimmed, "{"):
		c, err := parseOpValue(col, raw)
		if err != nil {
			return nil, err
		}
		return []Condition{c}, nil
	case strings.HasPrefix(trimmed, "["):
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("malformed condition list")
		}
		if len(list) == 0 || len(list) > MaxConditions {
			return nil, fmt.Errorf("a condition list holds 1 to %d conditions", MaxConditions)
		}
		out := make([]Condition, 0, len(list))
		for _, e := range list {
			if !strings.HasPrefix(strings.TrimSpace(string(e)), "{") {
				return nil, fmt.Errorf(`a condition list holds {"op", "value"} objects`)
			}
			c, err := parseOpValue(col, e)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
	v, err := decodeValue(raw)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return []Condition{{Column: col.Name, Op: OpIsNull, Value: true}}, nil
	}
	sv, err := col.parseFilterValue(v)
	if err != nil {
		return nil, err
	}
	return []Condition{{Column: col.Name, Op: OpEq, Value: sv}}, nil
}

func parseOpValue(col *Column, raw json.RawMessage) (Condition, error) {
	var ov opValue
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ov); err != nil {
		return Condition{}, fmt.Errorf(`a condition is {"op": ..., "value": ...}`)
	}
	c := Condition{Column: col.Name, Op: ov.Op}
	v, err := decodeValue(ov.Value)
	if err != nil {
		return c, err
	}
	switch ov.Op {
	case OpEq, OpNeq, OpLt, OpLte, OpGt, OpGte:
		if v == nil {
			return c, fmt.Errorf("%s needs a value (use is_null for NULL)", ov.Op)
		}
		if ov.Op != OpEq && ov.Op != OpNeq && !col.Type.ordered() {
			return c, fmt.Errorf("%s does not apply to a %s column", ov.Op, col.Type)
		}
		c.Value, err = col.parseFilterValue(v)
	case OpLike:
		s, ok := v.(string)
		if !ok || col.Type != Text && col.Type != UUID {
			return c, fmt.Errorf("like takes a string pattern on a text column")
		}
		if len(s) > MaxLikeLen {
			return c, fmt.Errorf("like pattern longer than %d", MaxLikeLen)
		}
		c.Value = s
	case OpIn:
		list, ok := v.([]any)
		if !ok {
			return c, fmt.Errorf("in takes an array")
		}
		if len(list) == 0 || len(list) > MaxInValues {
			return c, fmt.Errorf("in takes 1 to %d values", MaxInValues)
		}
		vals := make([]any, len(list))
		for i, e := range list {
			if vals[i], err = col.parseFilterValue(e); err != nil {
				return c, err
			}
		}
		c.Value = vals
	case OpIsNull:
		b, ok := v.(bool)
		if !ok {
			return c, fmt.Errorf("is_null takes true or false")
		}
		c.Value = b
	default:
		return c, fmt.Errorf("unknown operator %q", Truncate(string(ov.Op), 16))
	}
	return c, err
}

// parseFilterValue parses a comparison operand. Unlike a stored value it
// skips range checks (amount >= 0 is a fine filter even if amounts can't be
// negative) but keeps the type.
func (c *Column) parseFilterValue(v any) (any, error) {
	if v == nil {
		return nil, fmt.Errorf("null is not a comparable value")
	}
	switch v.(type) {
	case map[string]any, []any:
		if c.Type != JSON && c.Type != TextArray && c.Type != IntArray {
			return nil, fmt.Errorf("expected a scalar %s", c.Type)
		}
	}
	return c.parse(v)
}

func (t Type) ordered() bool {
	switch t {
	case Int, Float, Decimal, Date, Timestamp, Time, Text, UUID:
		return true
	}
	return false
}

func decodeValue(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("malformed value")
	}
	return v, nil
}

// ParseOrder parses "col", "-col", "col.desc" or "col.asc", alone or as an
// array of those.
func (t *Table) ParseOrder(raw json.RawMessage) ([]Order, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var keys []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		keys = []string{one}
	} else if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, Errorf(EINVALID, `order is "column", "-column", "column.desc" or an array of those`)
	}
	if len(keys) > 8 {
		return nil, Errorf(EUNPROCESSABLE, "at most 8 order keys")
	}
	out := make([]Order, 0, len(keys))
	for _, k := range keys {
		o := Order{Column: k}
		switch {
		case strings.HasPrefix(k, "-"):
			o = Order{Column: k[1:], Desc: true}
		case strings.HasSuffix(k, ".desc"):
			o = Order{Column: strings.TrimSuffix(k, ".desc"), Desc: true}
		case strings.HasSuffix(k, ".asc"):
			o = Order{Column: strings.TrimSuffix(k, ".asc")}
		}
		if _, ok := t.Column(o.Column); !ok {
			return nil, &Error{Code: EUNPROCESSABLE, Message: "unknown order column",
				Fields: []FieldError{{Field: Truncate(o.Column, 64), Reason: "unknown column"}}}
		}
		out = append(out, o)
	}
	return out, nil
}

// CheckPage validates limit and offset, applying the default limit.
func CheckPage(limit, offset *int) (int, int, error) {
	l, o := DefaultLimit, 0
	if limit != nil {
		l = *limit
	}
	if offset != nil {
		o = *offset
	}
	if l < 1 || l > MaxLimit {
		return 0, 0, Errorf(EUNPROCESSABLE, "limit must be between 1 and %d", MaxLimit)
	}
	if o < 0 || o > MaxOffset {
		return 0, 0, Errorf(EUNPROCESSABLE, "offset must be between 0 and %d", MaxOffset)
	}
	return l, o, nil
}

func sortedRawKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
