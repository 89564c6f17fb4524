// Package schema is PAM's vocabulary: the 39 table definitions as data, the
// value types they hold, the filter language of the data API, row validation
// and the application error codes. SQLite DDL, Postgres DDL and the JSON
// Schemas of the tools are all derived from these definitions, so no table is
// ever described twice by hand.
//
// schema depends on the standard library only; every other package of PAM
// may import it.
package schema

import (
	"fmt"
	"slices"
	"time"
)

// Type is the logical type of a column. Each maps to one SQLite storage class
// and one Postgres type (see sqlite.go and postgres.go).
type Type uint8

const (
	Text      Type = iota + 1
	UUID           // canonical lower-case 8-4-4-4-12 text
	Int            // 64-bit signed integer
	Float          // IEEE double: coordinates, ratings, volumes
	Decimal        // exact fixed point with Column.Scale digits; money is Decimal(2)
	Bool           //
	Date           // YYYY-MM-DD
	Timestamp      // instant, RFC 3339 in UTC with microseconds
	Time           // time of day HH:MM:SS
	JSON           // any JSON document (object or array)
	TextArray      // JSON array of strings locally, text[] centrally
	IntArray       // JSON array of integers locally, int[] centrally
)

var typeNames = map[Type]string{
	Text: "text", UUID: "uuid", Int: "integer", Float: "float", Decimal: "decimal",
	Bool: "boolean", Date: "date", Timestamp: "timestamp", Time: "time",
	JSON: "json", TextArray: "text[]", IntArray: "integer[]",
}

func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("Type(%d)", t)
}

// Role is a table's sync role (schema.md decision 7).
type Role string

const (
	RoleUser      Role = "U"        // per-user, both directions
	RoleAppend    Role = "U-append" // per-user, device writes, never updated
	RoleReference Role = "R"        // shared reference data, pulled, read-only at the edge
	RoleServer    Role = "S"        // written centrally only; the device pulls its own rows
	RoleDerived   Role = "D"        // derived locally, never pushed
	RoleLocal     Role = "local"    // never leaves the device
)

// ReadScope says which rows of a table a caller may read.
type ReadScope uint8

const (
	// ReadOwn: only rows whose owner column is the caller.
	ReadOwn ReadScope = iota
	// ReadOwnOrUnowned: the caller's rows plus rows with no owner (a
	// catalogue seeded centrally, as hustle_ideas).
	ReadOwnOrUnowned
	// ReadAll: every row (reference data, public directories).
	ReadAll
)

// Default values that are computed when a row is created.
type (
	// Now defaults a Timestamp (or Date) column to the creation instant.
	Now struct{}
	// Today defaults a Date column to the creation date (UTC).
	Today struct{}
)

// Column describes one column. Default holds a Go value of the column's
// type (string, int64, float64, bool, a JSON literal as json.RawMessage-like
// string for JSON columns) or Now / Today.
type Column struct {
	Name    string
	Type    Type
	Scale   int // digits after the point, Decimal only
	NotNull bool
	Default any
	Enum    []string // allowed values of a Text column
	Min     *float64 // inclusive lower bound of a numeric column
	Max     *float64 // inclusive upper bound of a numeric column
	MaxLen  int      // maximum length in characters of a Text column; 0 is the global limit
	Ref     string   // the table whose id this column references (informational; not enforced locally)
	Doc     string
}

// Index is a secondary index; Unique makes it a constraint.
type Index struct {
	Columns []string // a leading "-" means descending
	Unique  bool
}

// ColumnCheck compares two columns of the same row, e.g. end_date >= start_date.
// Op is one of <, <=, >, >=. The check holds when either side is NULL.
type ColumnCheck struct {
	Left, Op, Right string
}

// CachePolicy says how long reads of a table may be served from cache.
// Writes through the store invalidate regardless of TTL.
type CachePolicy struct {
	TTL time.Duration // 0 disables caching for the table
}

// Table is one of the 39 tables.
type Table struct {
	Name    string
	Group   string // seed-planning.md grouping (User, PAM, Finance, ...)
	Doc     string
	Columns []Column
	// Owner is the column naming the owning user: "user_id" on most tables,
	// "id" on profiles, "owner_id" on social_groups, "" on reference tables.
	Owner   string
	Role    Role
	Read    ReadScope
	Indexes []Index
	Checks  []ColumnCheck
	Cache   CachePolicy
	// Mutable tables get updated_at maintained by the store.
	Mutable bool
	// View marks a derived, read-only view (budget_summary). Its SQLite
	// body is ViewSQL; it has no id and accepts no writes.
	View            bool
	ViewSQL         string   // SQLite body of the view
	PostgresViewSQL string   // Postgres body of the view
	DependsOn       []string // tables the view reads: a write to them changes it
}

// Column returns the named column.
func (t *Table) Column(name string) (*Column, bool) {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i], true
		}
	}
	return nil, false
}

// ColumnNames lists the columns in definition order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Op is a kind of mutation.
type Op string

const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Allows reports whether a caller at the edge may perform op on the table.
// Reference and server tables are written only by sync; append-only tables
// are never updated; views are never written.
func (t *Table) Allows(op Op) bool {
	if t.View {
		return false
	}
	switch t.Role {
	case RoleUser, RoleLocal:
		return true
	case RoleAppend:
		return op != OpUpdate
	default:
		return false
	}
}

// IsSystem reports whether the store, not the caller, sets the column.
func (t *Table) IsSystem(col string) bool {
	switch col {
	case "id", "created_at", "updated_at":
		return true
	}
	return col == t.Owner
}

// Catalog is the set of tables, in definition order.
type Catalog struct {
	Tables []*Table
	byName map[string]*Table
}

// NewCatalog indexes tables by name.
func NewCatalog(tables []*Table) *Catalog {
	c := &Catalog{Tables: tables, byName: make(map[string]*Table, len(tables))}
	for _, t := range tables {
		c.byName[t.Name] = t
	}
	return c
}

// Table returns the named table, or an ENOTFOUND error.
func (c *Catalog) Table(name string) (*Table, error) {
	if t, ok := c.byName[name]; ok {
		return t, nil
	}
	return nil, Errorf(ENOTFOUND, "unknown table %q", Truncate(name, 64))
}

// Names lists the table names in definition order.
func (c *Catalog) Names() []string {
	names := make([]string, len(c.Tables))
	for i, t := range c.Tables {
		names[i] = t.Name
	}
	return names
}

// Sorted returns the table names sorted alphabetically.
func (c *Catalog) Sorted() []string {
	n := c.Names()
	slices.Sort(n)
	return n
}

// Truncate cuts s to n bytes and marks the cut with "…".
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func ptr(f float64) *float64 { return &f }
