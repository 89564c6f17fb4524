package replica_test

import (
	"fmt"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// TestEveryTableRoundTrip pushes a row of every table a device sends, with
// a value in every column (text and integer arrays, JSON, times, decimals
// at their scale), and pulls it into a second device: both equal central.
func TestEveryTableRoundTrip(t *testing.T) {
	c := newCentral(t)
	a := c.newDevice(t, "rv", userA)
	b := c.newDevice(t, "phone", userA)
	for _, tbl := range syncedTables() {
		if !tbl.Allows(schema.OpCreate) {
			continue
		}
		row := schema.Row{}
		for i := range tbl.Columns {
			col := &tbl.Columns[i]
			if !tbl.IsSystem(col.Name) {
				row[col.Name] = sampleValue(col)
			}
		}
		mustCreate(t, a, userA, tbl.Name, row)
	}
	if res := a.sync(t); res.Rejected != 0 {
		t.Fatalf("central refused %d transactions: %+v", res.Rejected, res)
	}
	b.sync(t)
	want := c.snapshot(t, userA)
	if want.rows() == 0 {
		t.Fatal("nothing reached central")
	}
	for _, d := range []*device{a, b} {
		if s := diff(d.snapshot(t, userA), want, d.name, "central"); s != "" {
			t.Fatalf("%s differs from central:\n%s", d.name, s)
		}
	}
}

// sampleValue is a valid value of c, away from its bounds.
func sampleValue(c *schema.Column) any {
	if len(c.Enum) > 0 {
		return c.Enum[len(c.Enum)-1]
	}
	mid := func(def float64) float64 {
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
	switch c.Type {
	case schema.Text:
		return fmt.Sprintf("%s: \"quoted\", naïve, {braces}", c.Name)
	case schema.UUID:
		return "0190a000-0000-7000-8000-00000000abcd"
	case schema.Int:
		return int64(mid(7))
	case schema.Float:
		return mid(2.5)
	case schema.Decimal:
		return schema.FormatDecimal(int64(mid(3)*1000)/1000*pow10(c.Scale), c.Scale)
	case schema.Bool:
		return true
	case schema.Date:
		return "2026-03-04"
	case schema.Timestamp:
		return "2026-03-04T10:11:12.5Z"
	case schema.Time:
		return "10:11:12"
	case schema.JSON:
		return map[string]any{"k": []any{1, "two", map[string]any{"x": nil}}}
	case schema.TextArray:
		return []any{"a", "b c", "d,e", `f"g`}
	case schema.IntArray:
		return []any{1, 2, 3}
	}
	panic("unknown type " + c.Type.String())
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
