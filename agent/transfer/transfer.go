// Package transfer owns moving a user's data in and out of PAM as files:
// importing other apps' exports (Fuelly and LubeLogger CSV, a bank's
// expense CSV, GPX routes) and PAM's own export zip, and writing that zip
// (JSON and CSV per table, GPX per route).
//
// An import is planned before anything is written: every line is parsed
// and validated against the catalog, and one bad line fails the whole
// import, naming the line, with nothing written. Row ids are derived from
// the user, the kind and the line's content (UUIDv5), so importing the
// same file twice adds nothing. The rows go in one Store.Apply when they
// fit in a batch (localstore.MaxBulkOps), else in one Store.Load per
// table, each one transaction with its change records.
//
// Units: fuel is stored metric (litres, km, L/100km); US gallons and miles
// are converted. A GPX route or track becomes an ordered set of
// manual_waypoints whose trip_id is also the id of an offroad_routes entry
// (name, anchor, ends, distance) written with Load, device-local: that
// table is reference data the edge's write rules refuse.
//
// It talks to the store through Store, a slice of localstore.Store it
// declares itself; it is used by cmd/pamd (pamd import, pamd export and
// the daemon's control socket) and agent/api (the upload route).
package transfer

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// Store is what an import or export needs of the local store.
type Store interface {
	// Apply runs ops for user in one transaction: all or none.
	Apply(ctx context.Context, user string, ops []localstore.Operation) ([]schema.Row, error)
	// Load inserts rows (owner and id included) into table in one
	// transaction; a bad row fails the whole load.
	Load(ctx context.Context, table string, rows []schema.Row, opt localstore.LoadOptions) error
	// Each streams the rows of table that user may read.
	Each(ctx context.Context, user, table string, q schema.Query, fn func(schema.Row) error) error
	// Get reads one row; an absent row is schema.ENOTFOUND.
	Get(ctx context.Context, user, table, id string) (schema.Row, error)
}

// Kind names an import format.
type Kind string

// The import formats.
const (
	KindFuelly            Kind = "fuelly"
	KindLubeLoggerFuel    Kind = "lubelogger-fuel"
	KindLubeLoggerService Kind = "lubelogger-service"
	KindExpensesCSV       Kind = "expenses-csv"
	KindGPX               Kind = "gpx"
	KindPAMExport         Kind = "pam-export"
)

// Kinds lists the import formats, for usage text.
var Kinds = []Kind{KindFuelly, KindLubeLoggerFuel, KindLubeLoggerService, KindExpensesCSV, KindGPX, KindPAMExport}

// Units of a file whose units are not in its header.
const (
	UnitsUS     = "us"
	UnitsMetric = "metric"
)

// Unit conversions (US gallon, statute mile).
const (
	litresPerGallon = 3.785411784
	kmPerMile       = 1.609344
	// mpgTimesL100: mpg = mpgTimesL100 / (L/100km).
	mpgTimesL100 = 100 * litresPerGallon / kmPerMile
)

// Options tune an import.
type Options struct {
	// DryRun plans and validates but writes nothing.
	DryRun bool
	// Units of LubeLogger files ("us" or "metric"; default "us").
	Units string
	// DayFirst reads slashed dates as day/month/year (European banks).
	DayFirst bool
	// VehicleID, when set, is the vehicle_id of imported fill-ups and
	// maintenance records.
	VehicleID string
	// Map maps PAM's expense fields (date, amount, description, category)
	// to the column names of an expenses-csv file.
	Map map[string]string
	// Progress, when set, is called as rows are parsed and written.
	Progress func(step string, done, total int)
	// Source names the file in descriptions (a GPX route without a name).
	Source string
}

// Importer imports files into a store.
type Importer struct {
	Store   Store
	Catalog *schema.Catalog
	// Now is the clock (the store's), for defaults and "scheduled" dates.
	Now func() time.Time
}

// Problem is one bad line of a file.
type Problem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// RowsError is an import refused for its bad lines; nothing was written.
type RowsError struct {
	Problems []Problem
}

func (e *RowsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad line(s), nothing imported", len(e.Problems))
	for i, p := range e.Problems {
		if i == 20 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// maxFields bounds the problems an API answer lists.
const maxFields = 100

// Fields are the first problems as field errors ("line 5": the message),
// for an API answer.
func (e *RowsError) Fields() []schema.FieldError {
	out := make([]schema.FieldError, min(len(e.Problems), maxFields))
	for i, p := range e.Problems[:len(out)] {
		out[i] = schema.FieldError{Field: fmt.Sprintf("line %d", p.Line), Reason: p.Message}
	}
	return out
}

// Economy is the fuel economy of one vehicle over the imported fills,
// computed as the apps do: full fill to full fill, partial fills carried
// into the next full fill, a missed fill-up breaking the interval.
type Economy struct {
	Vehicle string  `json:"vehicle"`
	Fills   int     `json:"fills"`
	Counted int     `json:"counted_intervals"`
	KM      float64 `json:"distance_km"`
	Litres  float64 `json:"litres"`
	L100    float64 `json:"l_per_100km"`
	MPG     float64 `json:"mpg"`
}

// Estimate is the costed fuel estimate of an imported route.
type Estimate struct {
	Route    string  `json:"route"`
	Points   int     `json:"points"`
	KM       float64 `json:"distance_km"`
	Miles    float64 `json:"distance_miles"`
	L100     float64 `json:"l_per_100km,omitempty"` // 0: the user has no fuel economy yet
	Litres   float64 `json:"litres,omitempty"`
	Price    string  `json:"price_per_litre,omitempty"` // "" when no price is known
	Cost     string  `json:"cost,omitempty"`
	Currency string  `json:"currency,omitempty"` // the user's (profiles.currency)
	Missing  string  `json:"missing,omitempty"`  // why there is no cost
}

// Summary is what an import did (or, dry, would do).
type Summary struct {
	Kind     Kind           `json:"kind"`
	DryRun   bool           `json:"dry_run"`
	Lines    int            `json:"lines"`
	Added    map[string]int `json:"added"`
	Existing map[string]int `json:"already_present"`
	Skipped  []Problem      `json:"skipped,omitempty"` // lines deliberately not imported (bank credits)
	Economy  []Economy      `json:"economy,omitempty"`
	Routes   []Estimate     `json:"routes,omitempty"`
}

// String is the summary for a terminal.
func (s *Summary) String() string {
	var b strings.Builder
	verb := "imported"
	if s.DryRun {
		verb = "dry run: would import"
	}
	fmt.Fprintf(&b, "%s %s: %d data line(s)\n", verb, s.Kind, s.Lines)
	for _, t := range sortedKeys(s.Added, s.Existing) {
		fmt.Fprintf(&b, "  %-20s %5d new, %5d already present\n", t, s.Added[t], s.Existing[t])
	}
	for _, p := range s.Skipped {
		fmt.Fprintf(&b, "  skipped %s\n", p)
	}
	for _, e := range s.Economy {
		name := e.Vehicle
		if name == "" {
			name = "vehicle"
		}
		if e.Counted == 0 {
			fmt.Fprintf(&b, "  %s: %d fills, no full-to-full interval to compute economy\n", name, e.Fills)
			continue
		}
		fmt.Fprintf(&b, "  %s: %d fills, %.1f km on %.2f L over %d interval(s): %.2f L/100km (%.2f mpg)\n",
			name, e.Fills, e.KM, e.Litres, e.Counted, e.L100, e.MPG)
	}
	for _, r := range s.Routes {
		fmt.Fprintf(&b, "  route %q: %d points, %.1f km (%.1f mi)", r.Route, r.Points, r.KM, r.Miles)
		switch {
		case r.Cost != "":
			fmt.Fprintf(&b, ", about %.1f L at %.2f L/100km x %s/L = %s %s\n", r.Litres, r.L100, r.Price, r.Cost, r.Currency)
		case r.Missing != "":
			fmt.Fprintf(&b, "; no cost estimate: %s\n", r.Missing)
		default:
			b.WriteString("\n")
		}
	}
	return b.String()
}

func sortedKeys(ms ...map[string]int) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// item is one row to write, with the line it came from.
type item struct {
	table string
	line  int
	row   schema.Row
	// load marks rows written with Store.Load rather than Apply: shared
	// reference rows (offroad_routes) the edge's write rules refuse, and
	// restored rows that carry their own owner and timestamps.
	load bool
}

// plan is a parsed file: rows to write and problems found.
type plan struct {
	items    []item
	problems []Problem
	lines    int
	skipped  []Problem
	economy  []Economy
	routes   []routePlan
}

func (p *plan) bad(line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
}

// namespace roots the UUIDv5 ids of imported rows.
var namespace = uuid.MustParse("6f1d6c52-3a55-4d47-9d38-2a1b0c6e7f10")

// rowID is the deterministic id of an imported row: the same user, kind
// and content give the same id. seq tells apart identical lines of one
// file (two equal coffees on one day).
func rowID(user string, kind Kind, content string, seq int) string {
	return uuid.NewSHA1(namespace, fmt.Appendf(nil, "%s\x00%s\x00%s\x00%d", user, kind, content, seq)).String()
}

// ider hands out rowIDs, counting repeated content.
type ider struct {
	user string
	kind Kind
	seen map[string]int
}

func newIDer(user string, kind Kind) *ider {
	return &ider{user: user, kind: kind, seen: map[string]int{}}
}

func (d *ider) id(content string) string {
	n := d.seen[content]
	d.seen[content] = n + 1
	return rowID(d.user, d.kind, content, n)
}
