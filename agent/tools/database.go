package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// TableName is a table argument; its schema enumerates the catalog's tables.
type TableName string

func (r *Registry) tableNameSchema() *Schema {
	return &Schema{Type: "string", Enum: r.catalog.Sorted()}
}

// UUID is an id argument.
type UUID string

// JSONSchema describes a UUID.
func (UUID) JSONSchema() *Schema { return &Schema{Type: "string", Format: "uuid"} }

// rowsArg is one row (an object) or a list of rows.
type rowsArg []map[string]any

// UnmarshalJSON accepts an object or an array of objects.
func (r *rowsArg) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		var list []map[string]any
		if err := dec.Decode(&list); err != nil {
			return err
		}
		*r = list
		return nil
	}
	var one map[string]any
	if err := dec.Decode(&one); err != nil {
		return err
	}
	*r = rowsArg{one}
	return nil
}

// JSONSchema describes one row or a list of rows.
func (rowsArg) JSONSchema() *Schema {
	one, max := 1, schema.MaxBulkOps
	return &Schema{AnyOf: []*Schema{
		{Type: "object"},
		{Type: "array", Items: &Schema{Type: "object"}, MinItems: &one, MaxItems: &max},
	}}
}

type createArgs struct {
	Table TableName      `json:"table_name" schema:"required"`
	Data  map[string]any `json:"data" schema:"required,maxProperties=100" desc:"the row: column: value pairs. Decimals as strings (\"45.10\"), dates YYYY-MM-DD. id, created_at, updated_at and the owner column are set by the store."`
}

// ReadArgs are pam_read_records' arguments.
type ReadArgs struct {
	Table   TableName       `json:"table_name" schema:"required"`
	Filters json.RawMessage `json:"filters,omitempty" schema:"type=object" desc:"column: value for equality (null for IS NULL), or column: {\"op\": \"eq|neq|lt|lte|gt|gte|like|in|is_null\", \"value\": ...}, or column: [conditions] to AND several."`
	Order   []string        `json:"order,omitempty" schema:"maxItems=8" desc:"sort keys: \"date\" ascending, \"-date\" descending"`
	Limit   int             `json:"limit,omitempty" schema:"min=1,max=1000,default=100"`
	Offset  int             `json:"offset,omitempty" schema:"min=0,max=1000000"`
}

type updateArgs struct {
	Table   TableName       `json:"table_name" schema:"required"`
	IDs     []UUID          `json:"ids,omitempty" schema:"minItems=1,maxItems=1000" desc:"ids of the rows to update; or give filters"`
	Filters json.RawMessage `json:"filters,omitempty" schema:"type=object" desc:"equality filters, column: value (null for IS NULL); every matching row of the user is updated. Give ids or filters."`
	Data    map[string]any  `json:"data" schema:"required,maxProperties=100" desc:"the columns to set, column: value"`
}

func (a *updateArgs) check(Call) []schema.FieldError { return checkTarget(a.IDs, a.Filters) }

type deleteArgs struct {
	Table   TableName       `json:"table_name" schema:"required"`
	IDs     []UUID          `json:"ids,omitempty" schema:"minItems=1,maxItems=1000" desc:"ids of the rows to delete; or give filters"`
	Filters json.RawMessage `json:"filters,omitempty" schema:"type=object" desc:"equality filters, column: value (null for IS NULL); every matching row of the user is deleted. Give ids or filters."`
	Confirm bool            `json:"confirm,omitempty" desc:"must be true: set it only after the user agreed to the deletion"`
}

func (a *deleteArgs) check(Call) []schema.FieldError { return checkTarget(a.IDs, a.Filters) }

func checkTarget(ids []UUID, filters json.RawMessage) []schema.FieldError {
	hasFilters := !emptyObject(filters)
	switch {
	case len(ids) > 0 && hasFilters:
		return []schema.FieldError{{Field: "ids", Reason: "give ids or filters, not both"}}
	case len(ids) == 0 && !hasFilters:
		return []schema.FieldError{{Field: "filters", Reason: "give ids or non-empty filters: a call never affects every row"}}
	}
	return nil
}

func emptyObject(raw json.RawMessage) bool {
	t := string(bytes.TrimSpace(raw))
	return t == "" || t == "null" || t == "{}" || strings.Trim(t, "{} \t\r\n") == ""
}

type upsertArgs struct {
	Table TableName `json:"table_name" schema:"required"`
	Data  rowsArg   `json:"data" schema:"required" desc:"a row or a list of rows (at most 1000). A row whose id exists is updated with its other columns; any other row is created."`
}

type countArgs struct {
	Table   TableName       `json:"table_name" schema:"required"`
	Filters json.RawMessage `json:"filters,omitempty" schema:"type=object" desc:"column: value for equality (null for IS NULL), or column: {\"op\": \"eq|neq|lt|lte|gt|gte|like|in|is_null\", \"value\": ...}."`
}

type bulkOp struct {
	Operation string         `json:"operation" schema:"required,enum=create|read|update|delete|upsert"`
	Table     TableName      `json:"table" schema:"required"`
	ID        UUID           `json:"id,omitempty" desc:"the row, for read, update and delete; optional for upsert"`
	Data      map[string]any `json:"data,omitempty" schema:"maxProperties=100" desc:"column: value pairs, for create, update and upsert"`
}

type bulkArgs struct {
	Operations []bulkOp `json:"operations" schema:"required,minItems=1,maxItems=100" desc:"the operations, run in order in one transaction: all of them or none"`
	Confirm    bool     `json:"confirm,omitempty" desc:"must be true when an operation is a delete: set it only after the user agreed"`
}

func (a *bulkArgs) check(Call) []schema.FieldError {
	var errs []schema.FieldError
	for i, op := range a.Operations {
		p := fmt.Sprintf("operations[%d]", i)
		needID := op.Operation == "read" || op.Operation == "update" || op.Operation == "delete"
		needData := op.Operation == "create" || op.Operation == "update" || op.Operation == "upsert"
		if needID && op.ID == "" {
			errs = append(errs, schema.FieldError{Field: p + ".id", Reason: "required for " + op.Operation})
		}
		if needData && len(op.Data) == 0 {
			errs = append(errs, schema.FieldError{Field: p + ".data", Reason: "required for " + op.Operation})
		}
		if !needData && len(op.Data) > 0 {
			errs = append(errs, schema.FieldError{Field: p + ".data", Reason: "not used by " + op.Operation})
		}
		if op.Operation == "create" && op.ID != "" {
			errs = append(errs, schema.FieldError{Field: p + ".id", Reason: "create mints the id; use upsert to give one"})
		}
	}
	return errs
}

func (a *bulkArgs) needsConfirm() bool {
	return slices.ContainsFunc(a.Operations, func(op bulkOp) bool { return op.Operation == "delete" })
}

type noArgs struct{}

// registerDatabase adds the 9 Database Management tools.
func registerDatabase(r *Registry) {
	d := r.db
	register(r, "pam_create_record", CategoryDatabase,
		"Create one row in any of the user's tables and return it. The owner and id are set by the store; shared reference tables are read-only.",
		true, false, d.create)
	register(r, "pam_read_records", CategoryDatabase,
		"Read the user's rows of a table with optional filters (equality or operators), sort, limit (at most 1000) and offset; answers the rows and the total matching count.",
		false, false, d.read)
	register(r, "pam_update_records", CategoryDatabase,
		"Update the user's rows of a table, chosen by a list of ids or by equality filters, setting the given columns; all rows or none. Answers the updated rows.",
		true, false, d.update)
	register(r, "pam_delete_records", CategoryDatabase,
		"Delete the user's rows of a table chosen by ids or equality filters; all or none. Destructive: runs only with confirm: true after the user agreed.",
		true, true, d.delete)
	register(r, "pam_upsert_records", CategoryDatabase,
		"Create or update one row or a list of rows: a row whose id exists among the user's rows is updated, any other is created; all or none.",
		true, false, d.upsert)
	register(r, "pam_count_records", CategoryDatabase,
		"Count the user's rows of a table matching optional filters.",
		false, false, d.count)
	register(r, "pam_bulk_database_operation", CategoryDatabase,
		"Run up to 100 create/read/update/delete/upsert operations on the user's tables in one transaction: all succeed or none is applied. Needs confirm: true when it holds a delete.",
		true, true, d.bulk)
	register(r, "pam_get_database_stats", CategoryDatabase,
		"Row counts of every table as the user sees them (their own rows, plus shared reference data), their total, and the changes not yet synced.",
		false, false, d.stats)
	register(r, "pam_check_database_health", CategoryDatabase,
		"Check the local database: SQLite integrity check, every expected table present, file and WAL size. A check from the last 10 minutes is reused unless fresh is true.",
		false, false, d.health)
}

type dbTools struct {
	r *Registry
	s Store

	healthMu   sync.Mutex      // guards lastHealth
	lastHealth *databaseHealth // the latest full check, reused for HealthReuse
}

// HealthReuse is how long a full integrity check answers later questions:
// it reads the whole database (about half a second at 50 years of data), so
// an assistant asking "is everything ok" twice should not pay twice.
const HealthReuse = 10 * time.Minute

func (d *dbTools) table(name TableName) (*schema.Table, error) {
	return d.r.catalog.Table(string(name))
}

// ownData copies client data without the owner column, which the store
// sets from the caller; a dropped key is listed in ignored.
func ownData(t *schema.Table, data map[string]any, path string, ignored *[]string) schema.Row {
	row := make(schema.Row, len(data))
	for k, v := range data {
		if t.Owner != "" && k == t.Owner {
			*ignored = append(*ignored, path+"."+k)
			continue
		}
		row[k] = v
	}
	return row
}

// parseFilters parses filters in the store's filter language. A filter on
// the owner column of a per-user table is dropped (scoping is the store's)
// and listed in ignored.
func parseFilters(t *schema.Table, raw json.RawMessage, ignored *[]string) ([]schema.Condition, error) {
	if emptyObject(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "filters must be an object",
			Fields: []schema.FieldError{{Field: "filters", Reason: "expected object"}}}
	}
	if t.Owner != "" && t.Read != schema.ReadAll {
		if _, ok := m[t.Owner]; ok {
			delete(m, t.Owner)
			*ignored = append(*ignored, "filters."+t.Owner)
		}
	}
	b, _ := json.Marshal(m)
	conds, err := t.ParseFilters(b)
	return conds, prefixFields(err, "filters")
}

// prefixFields puts the argument's name before the fields of err.
func prefixFields(err error, prefix string) error {
	var e *schema.Error
	if err == nil || !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &schema.Error{Code: e.Code, Message: e.Message, Fields: make([]schema.FieldError, len(e.Fields))}
	for i, f := range e.Fields {
		out.Fields[i] = schema.FieldError{Field: prefix + "." + f.Field, Reason: f.Reason}
	}
	return out
}

// writable refuses early a write the table never allows at the edge.
func writable(t *schema.Table, op schema.Op) error {
	if t.Allows(op) {
		return nil
	}
	why := "is shared reference data, read-only on this device"
	switch {
	case t.View:
		why = "is a read-only view derived from other tables"
	case t.Role == schema.RoleServer:
		why = "is written centrally only, read-only on this device"
	case t.Role == schema.RoleAppend:
		why = "is append-only: rows are never updated"
	}
	return schema.Errorf(schema.ENOTALLOWED, "cannot %s rows of %s: it %s", op, t.Name, why)
}

// TableRows is a read's answer.
type TableRows struct {
	Table    string          `json:"table"`
	Rows     []schema.Row    `json:"rows"`
	Returned int             `json:"returned"`
	Count    int             `json:"count"` // rows matching, regardless of limit and offset
	Limit    int             `json:"limit"`
	Offset   int             `json:"offset"`
	Filters  json.RawMessage `json:"filters,omitempty"`
	Ignored  []string        `json:"ignored,omitempty"`
}

// written is a write's answer.
type written struct {
	Table   string       `json:"table"`
	Created int          `json:"created,omitempty"`
	Updated int          `json:"updated,omitempty"`
	Deleted int          `json:"deleted,omitempty"`
	IDs     []string     `json:"ids"`
	Rows    []schema.Row `json:"rows,omitempty"`
	Ignored []string     `json:"ignored,omitempty"`
}

func (d *dbTools) create(ctx context.Context, c Call, a createArgs) (any, error) {
	t, err := d.table(a.Table)
	if err != nil {
		return nil, err
	}
	if err := writable(t, schema.OpCreate); err != nil {
		return nil, err
	}
	var ignored []string
	row, err := d.s.Create(ctx, c.User, t.Name, ownData(t, a.Data, "data", &ignored))
	if err != nil {
		return nil, prefixFields(err, "data")
	}
	return written{Table: t.Name, Created: 1, IDs: []string{row.Text("id")}, Rows: []schema.Row{row}, Ignored: ignored}, nil
}

func (d *dbTools) read(ctx context.Context, c Call, a ReadArgs) (*TableRows, error) {
	t, err := d.table(a.Table)
	if err != nil {
		return nil, err
	}
	var ignored []string
	q := schema.Query{Limit: a.Limit, Offset: a.Offset}
	if q.Limit == 0 {
		q.Limit = schema.DefaultLimit
	}
	if q.Conditions, err = parseFilters(t, a.Filters, &ignored); err != nil {
		return nil, err
	}
	if len(a.Order) > 0 {
		b, _ := json.Marshal(a.Order)
		if q.Order, err = t.ParseOrder(b); err != nil {
			return nil, prefixFields(err, "order")
		}
	}
	res, err := d.s.Find(ctx, c.User, t.Name, q)
	if err != nil {
		return nil, err
	}
	return &TableRows{Table: t.Name, Rows: res.Rows, Returned: len(res.Rows), Count: res.Count,
		Limit: q.Limit, Offset: q.Offset, Filters: nonEmpty(a.Filters), Ignored: ignored}, nil
}

func nonEmpty(raw json.RawMessage) json.RawMessage {
	if emptyObject(raw) {
		return nil
	}
	return raw
}

// target resolves the rows an update or delete is about: the ids given, or
// the user's rows matching equality filters (at most MaxBulkOps).
func (d *dbTools) target(ctx context.Context, c Call, t *schema.Table, ids []UUID, filters json.RawMessage, ignored *[]string) ([]string, error) {
	if len(ids) > 0 {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			canon, _ := schema.ParseUUID(string(id))
			if !slices.Contains(out, canon) {
				out = append(out, canon)
			}
		}
		return out, nil
	}
	conds, err := parseFilters(t, filters, ignored)
	if err != nil {
		return nil, err
	}
	for _, cd := range conds {
		if cd.Op != schema.OpEq && cd.Op != schema.OpIsNull {
			return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "update and delete match rows by equality only",
				Fields: []schema.FieldError{{Field: "filters." + cd.Column, Reason: "use column: value (equality); read first with pam_read_records for ranges, then pass ids"}}}
		}
	}
	if len(conds) == 0 {
		return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "no filter left to choose rows by",
			Fields: []schema.FieldError{{Field: "filters", Reason: "the owner column is implied; filter on another column or give ids"}}}
	}
	res, err := d.s.Find(ctx, c.User, t.Name, schema.Query{Conditions: conds, Limit: schema.MaxBulkOps})
	if err != nil {
		return nil, err
	}
	if res.Count > schema.MaxBulkOps {
		return nil, schema.Errorf(schema.ETOOLARGE, "%d rows of %s match; at most %d per call: narrow the filters", res.Count, t.Name, schema.MaxBulkOps)
	}
	out := make([]string, len(res.Rows))
	for i, row := range res.Rows {
		out[i] = row.Text("id")
	}
	return out, nil
}

func (d *dbTools) update(ctx context.Context, c Call, a updateArgs) (any, error) {
	t, err := d.table(a.Table)
	if err != nil {
		return nil, err
	}
	if err := writable(t, schema.OpUpdate); err != nil {
		return nil, err
	}
	var ignored []string
	ids, err := d.target(ctx, c, t, a.IDs, a.Filters, &ignored)
	if err != nil {
		return nil, err
	}
	data := ownData(t, a.Data, "data", &ignored)
	if len(data) == 0 {
		return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "nothing to update",
			Fields: []schema.FieldError{{Field: "data", Reason: "name at least one column besides the owner"}}}
	}
	out := written{Table: t.Name, IDs: ids, Rows: []schema.Row{}, Ignored: ignored}
	if len(ids) == 0 {
		return out, nil
	}
	ops := make([]schema.Operation, len(ids))
	for i, id := range ids {
		ops[i] = schema.Operation{Op: schema.OpUpdate, Table: t.Name, ID: id, Data: data}
	}
	rows, err := d.s.Apply(ctx, c.User, ops)
	if err != nil {
		return nil, prefixFields(err, "data")
	}
	out.Updated, out.Rows = len(rows), rows
	return out, nil
}

func (d *dbTools) delete(ctx context.Context, c Call, a deleteArgs) (any, error) {
	t, err := d.table(a.Table)
	if err != nil {
		return nil, err
	}
	if err := writable(t, schema.OpDelete); err != nil {
		return nil, err
	}
	var ignored []string
	ids, err := d.target(ctx, c, t, a.IDs, a.Filters, &ignored)
	if err != nil {
		return nil, err
	}
	out := written{Table: t.Name, IDs: ids, Ignored: ignored}
	if len(ids) == 0 {
		return out, nil
	}
	ops := make([]schema.Operation, len(ids))
	for i, id := range ids {
		ops[i] = schema.Operation{Op: schema.OpDelete, Table: t.Name, ID: id}
	}
	if _, err := d.s.Apply(ctx, c.User, ops); err != nil {
		return nil, err
	}
	out.Deleted = len(ids)
	return out, nil
}

// upsertOp turns one row into a create or, when its id names an existing
// row of the user, an update of its other columns.
func (d *dbTools) upsertOp(ctx context.Context, c Call, t *schema.Table, data map[string]any, path string, ignored *[]string) (schema.Operation, error) {
	row := ownData(t, data, path, ignored)
	if t.Owner == "id" { // profiles: the row is the user's own
		row["id"] = c.User
	}
	id := row.Text("id")
	if id == "" {
		return schema.Operation{Op: schema.OpCreate, Table: t.Name, Data: row}, nil
	}
	_, err := d.s.Get(ctx, c.User, t.Name, id)
	switch schema.ErrorCode(err) {
	case schema.ENOTFOUND:
		return schema.Operation{Op: schema.OpCreate, Table: t.Name, Data: row}, nil
	case "":
		delete(row, "id")
		delete(row, "created_at")
		return schema.Operation{Op: schema.OpUpdate, Table: t.Name, ID: id, Data: row}, nil
	}
	return schema.Operation{}, prefixFields(err, path)
}

func (d *dbTools) upsert(ctx context.Context, c Call, a upsertArgs) (any, error) {
	t, err := d.table(a.Table)
	if err != nil {
		return nil, err
	}
	var ignored []string
	ops := make([]schema.Operation, len(a.Data))
	for i, data := range a.Data {
		path := "data"
		if len(a.Data) > 1 {
			path = fmt.Sprintf("data[%d]", i)
		}
		if ops[i], err = d.upsertOp(ctx, c, t, data, path, &ignored); err != nil {
			return nil, err
		}
		if err := writable(t, ops[i].Op); err != nil {
			return nil, err
		}
	}
	rows, err := d.s.Apply(ctx, c.User, ops)
	if err != nil {
		return nil, err
	}
	out := written{Table: t.Name, Rows: rows, IDs: make([]string, len(rows)), Ignored: ignored}
	for i, row := range rows {
		out.IDs[i] = row.Text("id")
		if ops[i].Op == schema.OpCreate {
			out.Created++
		} else {
			out.Updated++
		}
	}
	return out, nil
}

// count is pam_count_records' answer.
type count struct {
	Table   string          `json:"table"`
	Count   int             `json:"count"`
	Filters json.RawMessage `json:"filters,omitempty"`
	Ignored []string        `json:"ignored,omitempty"`
}

func (d *dbTools) count(ctx context.Context, c Call, a countArgs) (any, error) {
	t, err := d.table(a.Table)
	if err != nil {
		return nil, err
	}
	var ignored []string
	conds, err := parseFilters(t, a.Filters, &ignored)
	if err != nil {
		return nil, err
	}
	res, err := d.s.Find(ctx, c.User, t.Name, schema.Query{Conditions: conds, Limit: 1})
	if err != nil {
		return nil, err
	}
	return count{Table: t.Name, Count: res.Count, Filters: nonEmpty(a.Filters), Ignored: ignored}, nil
}

// bulkResult is one operation's outcome in pam_bulk_database_operation.
type bulkResult struct {
	Operation string     `json:"operation"` // create or update for an upsert, as applied
	Table     string     `json:"table"`
	ID        string     `json:"id"`
	Row       schema.Row `json:"row,omitempty"`
}

func (d *dbTools) bulk(ctx context.Context, c Call, a bulkArgs) (any, error) {
	var ignored []string
	ops := make([]schema.Operation, len(a.Operations))
	for i, o := range a.Operations {
		path := fmt.Sprintf("operations[%d]", i)
		t, err := d.table(o.Table)
		if err != nil {
			return nil, prefixFields(err, path)
		}
		id, _ := schema.ParseUUID(string(o.ID))
		switch o.Operation {
		case "read":
			ops[i] = schema.Operation{Op: schema.OpRead, Table: t.Name, ID: id}
		case "delete":
			ops[i] = schema.Operation{Op: schema.OpDelete, Table: t.Name, ID: id}
		case "create":
			ops[i] = schema.Operation{Op: schema.OpCreate, Table: t.Name, Data: ownData(t, o.Data, path+".data", &ignored)}
		case "update":
			ops[i] = schema.Operation{Op: schema.OpUpdate, Table: t.Name, ID: id, Data: ownData(t, o.Data, path+".data", &ignored)}
		case "upsert":
			data := o.Data
			if id != "" {
				data = make(map[string]any, len(o.Data)+1)
				for k, v := range o.Data {
					data[k] = v
				}
				data["id"] = id
			}
			if ops[i], err = d.upsertOp(ctx, c, t, data, path+".data", &ignored); err != nil {
				return nil, err
			}
		}
		if ops[i].Op != schema.OpRead {
			if err := writable(t, ops[i].Op); err != nil {
				return nil, prefixFields(err, path)
			}
		}
	}
	rows, err := d.s.Apply(ctx, c.User, ops)
	if err != nil {
		return nil, err
	}
	results := make([]bulkResult, len(ops))
	for i, op := range ops {
		results[i] = bulkResult{Operation: string(op.Op), Table: op.Table, ID: op.ID, Row: rows[i]}
		if rows[i] != nil {
			results[i].ID = rows[i].Text("id")
		}
	}
	return struct {
		Applied int          `json:"applied"`
		Results []bulkResult `json:"results"`
		Ignored []string     `json:"ignored,omitempty"`
	}{len(results), results, ignored}, nil
}

// databaseStats is pam_get_database_stats' answer.
type databaseStats struct {
	Scope          string         `json:"scope"`
	Tables         map[string]int `json:"tables"`
	TotalRows      int            `json:"total_rows"`
	PendingChanges int            `json:"pending_changes"`
	CacheHitRate   float64        `json:"cache_hit_rate"`
}

func (d *dbTools) stats(ctx context.Context, c Call, _ noArgs) (any, error) {
	st, err := d.s.Stats(ctx, c.User)
	if err != nil {
		return nil, err
	}
	return databaseStats{
		Scope:  "the caller's rows of per-user tables; every row of shared tables",
		Tables: st.Tables, TotalRows: st.TotalRows, PendingChanges: st.PendingChanges,
		CacheHitRate: round(st.Cache.HitRate, 4),
	}, nil
}

// databaseHealth is pam_check_database_health's answer.
type databaseHealth struct {
	Status         string   `json:"status"` // healthy or unhealthy
	Integrity      string   `json:"integrity"`
	TablesPresent  int      `json:"tables_present"`
	TablesExpected int      `json:"tables_expected"`
	Missing        []string `json:"missing,omitempty"`
	SizeBytes      int64    `json:"size_bytes"`
	WALBytes       int64    `json:"wal_bytes"`
	CheckMS        float64  `json:"check_ms"`
	CheckedAt      string   `json:"checked_at"`
	Reused         bool     `json:"reused,omitempty"` // answered from a check of the last HealthReuse
}

type healthArgs struct {
	Fresh bool `json:"fresh,omitempty" desc:"run the full integrity check now instead of reusing one from the last 10 minutes"`
}

func (d *dbTools) health(ctx context.Context, c Call, a healthArgs) (any, error) {
	d.healthMu.Lock()
	defer d.healthMu.Unlock()
	if last := d.lastHealth; last != nil && !a.Fresh {
		if at, err := time.Parse(time.RFC3339Nano, last.CheckedAt); err == nil && c.Now.Sub(at) < HealthReuse && c.Now.Sub(at) >= 0 {
			out := *last
			out.Reused = true
			return out, nil
		}
	}
	start := time.Now()
	h, err := d.s.Health(ctx)
	if err != nil {
		return nil, err
	}
	status := "healthy"
	if !h.OK() {
		status = "unhealthy"
	}
	out := databaseHealth{Status: status, Integrity: h.Integrity, TablesPresent: h.TablesPresent,
		TablesExpected: h.TablesExpected, Missing: h.Missing, SizeBytes: h.SizeBytes, WALBytes: h.WALBytes,
		CheckMS: ms(time.Since(start)), CheckedAt: c.Now.UTC().Format(time.RFC3339Nano)}
	d.lastHealth = &out
	return out, nil
}
