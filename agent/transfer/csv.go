package transfer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// record is one data line of a CSV file with its header.
type record struct {
	line   int
	fields []string
	cols   map[string]int
}

// get is the trimmed cell of the first of names present in the header.
func (r record) get(names ...string) string {
	for _, n := range names {
		if i, ok := r.cols[n]; ok && i < len(r.fields) {
			return clean(r.fields[i])
		}
	}
	return ""
}

// has says whether the header holds one of names.
func (r record) has(names ...string) bool {
	for _, n := range names {
		if _, ok := r.cols[n]; ok {
			return true
		}
	}
	return false
}

// content is the line's cells, for a deterministic id.
func (r record) content() string { return strings.Join(r.fields, "\x1f") }

// readCSV splits data into its header (lower-cased names) and records,
// each with the line it starts on. required lists header names that must
// be present (each entry: alternatives separated by "|").
func readCSV(data []byte, required ...string) (map[string]int, []record, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet exports
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("empty file")
		}
		return nil, nil, fmt.Errorf("line 1: %w", err)
	}
	cols := make(map[string]int, len(head))
	for i, h := range head {
		h = strings.ToLower(clean(h))
		if _, dup := cols[h]; !dup {
			cols[h] = i
		}
	}
	var missing []string
	for _, req := range required {
		ok := false
		for _, alt := range strings.Split(req, "|") {
			if _, ok = cols[alt]; ok {
				break
			}
		}
		if !ok {
			missing = append(missing, req)
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("line 1: header lacks column(s) %s", strings.Join(missing, ", "))
	}
	var recs []record
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err // csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		if len(fields) == 1 && clean(fields[0]) == "" {
			continue // a blank line
		}
		recs = append(recs, record{line: line, fields: fields, cols: cols})
	}
	return cols, recs, nil
}

// parseNumber reads a number as spreadsheets and banks write it: "$1,234.50",
// "(12.00)" for a negative, "-12", "12.5 gal".
func parseNumber(s string) (float64, error) {
	s = clean(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r == '.', r == '-', r == '+', r == 'e', r == 'E':
			return r
		}
		return -1 // currency signs, thousands separators, units
	}, s)
	if s == "" {
		return 0, fmt.Errorf("not a number")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number")
	}
	if neg {
		f = -f
	}
	return f, nil
}

// dateLayouts are the date forms the apps export, US month first.
var dateLayouts = []string{
	"2006-01-02", "2006-01-02 15:04:05", "2006-01-02 15:04", time.RFC3339, "2006-01-02T15:04:05",
	"1/2/2006", "1/2/2006 15:04:05", "1/2/2006 3:04:05 PM", "1/2/2006 15:04", "1/2/2006 3:04 PM",
	"2006/01/02", "2006/1/2", "Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "02-Jan-2006", "1/2/06",
}

// dayFirstLayouts replace the month-first ones for --day-first files
// (25/03/2024, 25.03.2024).
var dayFirstLayouts = func() []string {
	out := make([]string, 0, len(dateLayouts)+2)
	for _, l := range dateLayouts {
		if strings.HasPrefix(l, "1/2/") {
			l = "2/1/" + strings.TrimPrefix(l, "1/2/")
		}
		out = append(out, l)
	}
	return append(out, "2.1.2006", "02.01.2006")
}()

// parseDate reads a date in one of the layouts as YYYY-MM-DD. A slashed
// date is month first unless dayFirst: one file never mixes the two.
func parseDate(s string, dayFirst bool) (string, error) {
	s = clean(s)
	layouts := dateLayouts
	if dayFirst {
		layouts = dayFirstLayouts
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	if dayFirst {
		return "", fmt.Errorf("not a date (day first): %q", s)
	}
	return "", fmt.Errorf("not a date (month first; --day-first for 25/03/2024): %q", s)
}

// parseBool reads the apps' flags: 1/0, true/false, yes/no; "" is false.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(clean(s)) {
	case "", "0", "false", "no", "n", "f":
		return false, nil
	case "1", "true", "yes", "y", "t":
		return true, nil
	}
	return false, fmt.Errorf("not a yes/no value: %q", s)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// cents is an amount in cents.
func cents(x float64) int64 { return int64(math.Round(x * 100)) }
