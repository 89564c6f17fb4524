package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Money is an amount argument in the user's currency: a JSON number (45.1)
// or a decimal string ("45.10") with at most two decimals, held exactly in
// cents. Answers give money back as decimal strings with the currency.
type Money int64

// UnmarshalJSON parses a number or a decimal string exactly.
func (m *Money) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	n, err := schema.ParseDecimal(v, 2)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	*m = Money(n)
	return nil
}

// MarshalJSON writes the amount as UnmarshalJSON reads it: a decimal
// string ("45.10").
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(money(int64(m))) }

// JSONSchema describes Money for the model.
func (Money) JSONSchema() *Schema {
	return &Schema{Type: []string{"number", "string"}, Format: "money", Pattern: `^-?[0-9]+(\.[0-9]{1,2})?$`}
}

// money renders cents as a decimal string: 15025 is "150.25".
func money(cents int64) string { return schema.FormatDecimal(cents, 2) }

// round rounds x half away from zero to digits decimals.
func round(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}

// percent is part/whole×100 rounded to 2 decimals, or nil for a zero whole.
func percent(part, whole int64) *float64 {
	if whole == 0 {
		return nil
	}
	p := round(float64(part)*100/float64(whole), 2)
	return &p
}

// eq is an equality condition on a stored value.
func eq(col string, v any) schema.Condition {
	return schema.Condition{Column: col, Op: schema.OpEq, Value: v}
}

// cond is a condition with any operator on a stored value.
func cond(col string, op schema.FilterOp, v any) schema.Condition {
	return schema.Condition{Column: col, Op: op, Value: v}
}

// collect reads every row of table matching q for user.
func collect(ctx context.Context, s Store, user, table string, q schema.Query) ([]schema.Row, error) {
	var rows []schema.Row
	err := s.Each(ctx, user, table, q, func(r schema.Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

// Dates are YYYY-MM-DD strings throughout, as stored.

func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse(schema.DateLayout, s)
	return t, err == nil
}

func addDays(day string, n int) string {
	t, ok := parseDay(day)
	if !ok {
		return day
	}
	return t.AddDate(0, 0, n).Format(schema.DateLayout)
}

// daysBetween is b − a in whole days.
func daysBetween(a, b string) int {
	ta, ok1 := parseDay(a)
	tb, ok2 := parseDay(b)
	if !ok1 || !ok2 {
		return 0
	}
	return int(math.Round(tb.Sub(ta).Hours() / 24))
}

// Period is a closed range of days, both ends included.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
	Days  int    `json:"days"`
}

func period(start, end string) Period {
	return Period{Start: start, End: end, Days: daysBetween(start, end) + 1}
}

// Unit conversions. Storage is metric; answers follow Call.Units.
const (
	litresPerGallon = 3.785411784 // US gallon
	kmPerMile       = 1.609344
	// mpgTimesL100 converts between L/100km and US mpg: mpg = 235.2146 / (L/100km).
	mpgTimesL100 = 100 * litresPerGallon / kmPerMile
)

// Quantity is a figure with its unit, in the user's units.
type Quantity struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

func distance(km float64, units string) Quantity {
	if units == UnitsUS {
		return Quantity{round(km/kmPerMile, 1), "mi"}
	}
	return Quantity{round(km, 1), "km"}
}

// odometer answers an odometer reading or a mileage, in whole units.
func odometer(km float64, units string) Quantity {
	if units == UnitsUS {
		return Quantity{math.Round(km / kmPerMile), "mi"}
	}
	return Quantity{math.Round(km), "km"}
}

func volume(litres float64, units string) Quantity {
	if units == UnitsUS {
		return Quantity{round(litres/litresPerGallon, 2), "gal"}
	}
	return Quantity{round(litres, 2), "L"}
}

// economy answers a consumption in L/100km in the user's units.
func economy(l100 float64, units string) Quantity {
	if units == UnitsUS {
		return Quantity{round(mpgTimesL100/l100, 1), "mpg"}
	}
	return Quantity{round(l100, 2), "L/100km"}
}

// unitPrice answers a price per litre (in thousandths) per the user's
// volume unit, as a decimal string of scale 3.
func unitPrice(perLitreMills int64, units string) string {
	if units == UnitsUS {
		return schema.FormatDecimal(int64(math.Round(float64(perLitreMills)*litresPerGallon)), 3)
	}
	return schema.FormatDecimal(perLitreMills, 3)
}

func volumeUnit(units string) string {
	if units == UnitsUS {
		return "gal"
	}
	return "L"
}
