// Package schematest makes valid values and rows of any table, for tests
// that walk the whole schema (CRUD over HTTP, a push of every table).
package schematest

import (
	"fmt"
	"strconv"

	"github.com/pam-rv/pamd/schema/rowid"

	"github.com/pam-rv/pamd/schema"
)

// Value is a value of c that passes its checks; variants differ.
func Value(c *schema.Column, variant int) any {
	if len(c.Enum) > 0 {
		return c.Enum[variant%len(c.Enum)]
	}
	switch c.Type {
	case schema.Text:
		return fmt.Sprintf("%s value %d", c.Name, variant)
	case schema.UUID:
		return rowid.New()
	case schema.Int:
		return int64(mid(c, float64(3+variant)))
	case schema.Float:
		return mid(c, 1.5+float64(variant))
	case schema.Decimal:
		return strconv.FormatFloat(mid(c, float64(2+variant)), 'f', c.Scale, 64)
	case schema.Bool:
		return variant%2 == 0
	case schema.Date:
		return fmt.Sprintf("2026-03-%02d", 1+variant)
	case schema.Timestamp:
		return fmt.Sprintf("2026-03-%02dT10:00:00Z", 1+variant)
	case schema.Time:
		return fmt.Sprintf("10:%02d:00", variant)
	case schema.JSON:
		return map[string]any{"k": variant}
	case schema.TextArray:
		return []any{"a", fmt.Sprint(variant)}
	case schema.IntArray:
		return []any{1, variant}
	}
	panic("unknown type " + c.Type.String())
}

// Awkward is a valid value of c that is hard to carry: quotes, escapes,
// separators and non-ASCII in text, nesting in JSON, fractions of a second.
func Awkward(c *schema.Column) any {
	if len(c.Enum) > 0 {
		return c.Enum[len(c.Enum)-1]
	}
	switch c.Type {
	case schema.Text:
		return fmt.Sprintf(`%s: "quoted", back\slash, naïve ☃, {braces}`, c.Name)
	case schema.Timestamp:
		return "2026-03-04T10:11:12.5Z"
	case schema.JSON:
		return map[string]any{"k": []any{1, "two", map[string]any{"x": nil}}}
	case schema.TextArray:
		return []any{"a", "b c", "d,e", `f"g`, "{h}"}
	case schema.IntArray:
		return []any{1, 2, 3}
	}
	return Value(c, 1)
}

// Row is a full valid row of t's client-settable columns.
func Row(t *schema.Table, variant int) schema.Row {
	return row(t, func(c *schema.Column) any { return Value(c, variant) })
}

// AwkwardRow is Row with Awkward values.
func AwkwardRow(t *schema.Table) schema.Row {
	return row(t, Awkward)
}

func row(t *schema.Table, value func(*schema.Column) any) schema.Row {
	out := schema.Row{}
	for i := range t.Columns {
		c := &t.Columns[i]
		if !t.IsSystem(c.Name) {
			out[c.Name] = value(c)
		}
	}
	return out
}

// mid is def away from c's bounds, or between them.
func mid(c *schema.Column, def float64) float64 {
	switch {
	case c.Min != nil && c.Max != nil:
		return (*c.Min + *c.Max) / 2
	case c.Min != nil:
		return *c.Min + def
	case c.Max != nil:
		return *c.Max - def
	}
	return def
}
