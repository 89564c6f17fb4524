package schema

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// maxFieldErrors caps the errors reported for one input, so a hostile body
// with thousands of bad keys gets a short answer.
const maxFieldErrors = 20

// Validate parses the client-supplied columns of a create or update and
// returns them in stored form. It rejects unknown columns, columns the store
// sets (updated_at; id and created_at on update), values of the wrong type
// or failing a check, and, on create, missing required columns. The owner
// column is parsed but not judged: comparing it to the caller is the
// store's business.
func (t *Table) Validate(op Op, data Row) (Row, error) {
	var errs []FieldError
	add := func(field, reason string) {
		if len(errs) < maxFieldErrors {
			errs = append(errs, FieldError{Field: Truncate(field, 64), Reason: reason})
		}
	}
	out := make(Row, len(data))
	for _, name := range sortedKeys(data) {
		col, ok := t.Column(name)
		switch {
		case !ok:
			add(name, "unknown column")
			continue
		case name == "updated_at":
			add(name, "set by the store")
			continue
		case op == OpUpdate && (name == "id" || name == "created_at"):
			add(name, "cannot be changed")
			continue
		}
		v, err := col.Parse(data[name])
		if err != nil {
			add(name, err.Error())
			continue
		}
		if v == nil && col.NotNull && name != t.Owner {
			if op == OpCreate && col.Default != nil {
				continue // null asks for the default
			}
			add(name, "must not be null")
			continue
		}
		out[name] = v
	}
	if op == OpCreate {
		for _, c := range t.Columns {
			if c.NotNull && c.Default == nil && !t.IsSystem(c.Name) {
				if _, ok := data[c.Name]; !ok {
					add(c.Name, "required")
				}
			}
		}
	}
	if len(errs) == 0 {
		for _, e := range t.CheckRow(out) {
			add(e.Field, e.Reason)
		}
	}
	if len(errs) > 0 {
		return nil, &Error{Code: EUNPROCESSABLE, Message: fmt.Sprintf("%s: %d invalid field(s)", t.Name, len(errs)), Fields: errs}
	}
	return out, nil
}

// CheckRow evaluates the table's cross-column checks on stored values. A
// check holds when either side is absent or NULL.
func (t *Table) CheckRow(row Row) []FieldError {
	var errs []FieldError
	for _, ck := range t.Checks {
		l, r := row[ck.Left], row[ck.Right]
		if l == nil || r == nil {
			continue
		}
		if !compareStored(l, r, ck.Op) {
			errs = append(errs, FieldError{Field: ck.Left, Reason: fmt.Sprintf("must be %s %s", ck.Op, ck.Right)})
		}
	}
	return errs
}

func compareStored(l, r any, op string) bool {
	var c int
	switch a := l.(type) {
	case string:
		b, _ := r.(string)
		c = cmpOrdered(a, b)
	case int64:
		b, _ := r.(int64)
		c = cmpOrdered(a, b)
	case float64:
		b, _ := r.(float64)
		c = cmpOrdered(a, b)
	default:
		return true
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return true
}

func cmpOrdered[T string | int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ApplyDefaults fills every absent column that has a default, in stored
// form, using now for Now and Today.
func (t *Table) ApplyDefaults(row Row, now time.Time) {
	for i := range t.Columns {
		c := &t.Columns[i]
		if _, ok := row[c.Name]; ok || c.Default == nil {
			continue
		}
		row[c.Name] = c.StoredDefault(now)
	}
}

// StoredDefault returns the column's default in stored form.
func (c *Column) StoredDefault(now time.Time) any {
	switch d := c.Default.(type) {
	case Now:
		if c.Type == Date {
			return FormatDate(now)
		}
		return FormatTimestamp(now)
	case Today:
		return FormatDate(now)
	case string:
		if c.Type == JSON || c.Type == TextArray || c.Type == IntArray {
			return d
		}
		if c.Type == Decimal {
			n, _ := ParseDecimal(d, c.Scale)
			return n
		}
		return d
	case bool:
		if d {
			return int64(1)
		}
		return int64(0)
	case int:
		return c.storedNumber(float64(d), int64(d))
	case int64:
		return c.storedNumber(float64(d), d)
	case float64:
		return c.storedNumber(d, int64(d))
	}
	return nil
}

func (c *Column) storedNumber(f float64, n int64) any {
	switch c.Type {
	case Float:
		return f
	case Decimal:
		v, _ := ParseDecimal(json.Number(fmt.Sprint(f)), c.Scale)
		return v
	}
	return n
}

func sortedKeys(m Row) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// NilUUID is the all-zero UUID. Sync logs shared rows under it, so it is
// never a row's id.
const NilUUID = "00000000-0000-0000-0000-000000000000"

// MaxFuture is how far past the writer's clock a created_at may lie: a
// clock a little ahead is tolerated, a row from the year 9999 is not (it
// would sort first forever and outlive every retention rule).
const MaxFuture = 24 * time.Hour

// CheckCreate refuses what no create may carry, whatever the table: the nil
// UUID as id, and a created_at more than MaxFuture after now. row holds
// stored values.
func (t *Table) CheckCreate(row Row, now time.Time) error {
	var errs []FieldError
	if id, _ := row["id"].(string); id == NilUUID {
		errs = append(errs, FieldError{Field: "id", Reason: "the nil UUID is reserved"})
	}
	if s, _ := row["created_at"].(string); s != "" {
		if at, err := time.Parse(TimestampLayout, s); err == nil && at.After(now.Add(MaxFuture)) {
			errs = append(errs, FieldError{Field: "created_at", Reason: "more than a day in the future"})
		}
	}
	if len(errs) > 0 {
		return &Error{Code: EUNPROCESSABLE, Message: fmt.Sprintf("%s: %d invalid field(s)", t.Name, len(errs)), Fields: errs}
	}
	return nil
}
