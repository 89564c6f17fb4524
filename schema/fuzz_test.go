package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// FuzzParseFilters: the filter parser never panics, and every refusal is an
// application error (so the API answers 4xx, never 500). Seeds live in
// testdata/fuzz/FuzzParseFilters.
func FuzzParseFilters(f *testing.F) {
	cat := schema.Default()
	f.Add(uint8(10), `{"category": "fuel"}`)
	f.Add(uint8(10), `{"date": [{"op": "gte", "value": "2026-01-01"}, {"op": "lt", "value": "2026-02-01"}]}`)
	f.Add(uint8(10), `{"amount": {"op": "in", "value": ["1.00", 2, "3.5"]}}`)
	f.Fuzz(func(t *testing.T, ti uint8, raw string) {
		tbl := cat.Tables[int(ti)%len(cat.Tables)]
		conds, err := tbl.ParseFilters(json.RawMessage(raw))
		if err != nil {
			var e *schema.Error
			if !errors.As(err, &e) {
				t.Fatalf("non-application error %T: %v", err, err)
			}
			return
		}
		if len(conds) > schema.MaxConditions {
			t.Fatalf("%d conditions passed the limit", len(conds))
		}
		for _, c := range conds {
			if _, ok := tbl.Column(c.Column); !ok {
				t.Fatalf("condition on unknown column %q", c.Column)
			}
		}
	})
}

// FuzzValidate: row validation never panics; what it accepts is in stored
// form and passes validation again unchanged.
func FuzzValidate(f *testing.F) {
	cat := schema.Default()
	f.Add(uint8(10), `{"amount": "45.10", "category": "groceries", "date": "2026-03-01"}`)
	f.Add(uint8(15), `{"volume": 62.5, "price": "1.899", "total": "118.69", "odometer": 48210, "date": "2026-03-02"}`)
	f.Add(uint8(19), `{"title": "Moab", "start_date": "2026-04-01T00:00:00Z", "end_date": "2026-04-08T00:00:00+02:00"}`)
	f.Fuzz(func(t *testing.T, ti uint8, raw string) {
		tbl := cat.Tables[int(ti)%len(cat.Tables)]
		dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
		dec.UseNumber()
		var data map[string]any
		if dec.Decode(&data) != nil {
			return
		}
		for _, op := range []schema.Op{schema.OpCreate, schema.OpUpdate} {
			row, err := tbl.Validate(op, data)
			if err != nil {
				var e *schema.Error
				if !errors.As(err, &e) {
					t.Fatalf("non-application error %T: %v", err, err)
				}
				continue
			}
			for k, v := range row {
				switch v.(type) {
				case nil, string, int64, float64:
				default:
					t.Fatalf("%s: stored value of type %T", k, v)
				}
				c, _ := tbl.Column(k)
				back, err := c.Parse(c.Output(v))
				if err != nil || back != v {
					t.Fatalf("%s: %v does not survive output and parse (%v, %v)", k, v, back, err)
				}
			}
		}
	})
}
