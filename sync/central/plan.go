package central

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
)

// Action is what Init does with one catalog table.
type Action string

// Actions of a plan.
const (
	ActionCreate Action = "create"      // the table does not exist: Init creates it
	ActionKeep   Action = "keep"        // installed by an earlier Init: brought up to date
	ActionAdopt  Action = "adopt"       // the project's table, used as it is (needs --adopt)
	ActionAlter  Action = "adopt-alter" // the project's table, with the listed changes (needs --adopt)
	ActionRefuse Action = "refuse"      // cannot be served: Init changes nothing
)

// SyncKey is the column that carries a device's row identity in a table
// whose own key is not a uuid (the web app's bigserial ids): a uuid with a
// default, so the web app's inserts get one without knowing it, unique, and
// sent to devices as their "id". The project's own id stays what it is.
const SyncKey = "pam_id"

// TablePlan is the plan for one catalog table.
type TablePlan struct {
	Table      string
	Action     Action
	Key        string   // the column that is the device's row id: "id" or SyncKey
	Statements []string // what Init runs on the table before installing capture and policies
	Notes      []string // differences kept as they are
	Reason     string   // why a table is refused
}

// Adopted reports whether the table belongs to the project (adopt or
// adopt-alter), so Init leaves its grants and its permissive policies as
// the project has them.
func (p TablePlan) Adopted() bool { return p.Action == ActionAdopt || p.Action == ActionAlter }

// Plan is what Init would do to a database, table by table.
type Plan struct {
	Tables []TablePlan
}

// ErrAdoptionNeeded is returned by Init when the database holds tables of
// the catalog that an earlier Init did not create and adoption was not
// asked for; ErrRefused when some table cannot be served at all. Either
// way Init has changed nothing, and the error carries the plan.
var (
	ErrAdoptionNeeded = errors.New("central: the database has tables PAM did not create; review the plan and run init with --adopt")
	ErrRefused        = errors.New("central: the plan refuses some tables; nothing was changed")
)

// PlanError carries the plan that stopped Init.
type PlanError struct {
	Err  error
	Plan *Plan
}

func (e *PlanError) Error() string { return e.Err.Error() + "\n" + e.Plan.String() }
func (e *PlanError) Unwrap() error { return e.Err }

// Table returns the plan of one table.
func (p *Plan) Table(name string) (TablePlan, bool) {
	for _, t := range p.Tables {
		if t.Table == name {
			return t, true
		}
	}
	return TablePlan{}, false
}

// Count reports how many tables take action a.
func (p *Plan) Count(a Action) int {
	n := 0
	for _, t := range p.Tables {
		if t.Action == a {
			n++
		}
	}
	return n
}

// String renders the plan for a person: one block per table, every
// statement shown.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan: %d to create, %d installed by PAM, %d to adopt as they are, %d to adopt with changes, %d refused\n",
		p.Count(ActionCreate), p.Count(ActionKeep), p.Count(ActionAdopt), p.Count(ActionAlter), p.Count(ActionRefuse))
	for _, t := range p.Tables {
		fmt.Fprintf(&b, "%-28s %s", t.Table, t.Action)
		if t.Key != "" && t.Key != "id" {
			fmt.Fprintf(&b, " (device row id: %s)", t.Key)
		}
		if t.Reason != "" {
			fmt.Fprintf(&b, ": %s", t.Reason)
		}
		b.WriteString("\n")
		for _, s := range t.Statements {
			fmt.Fprintf(&b, "    %s;\n", s)
		}
		for _, n := range t.Notes {
			fmt.Fprintf(&b, "    -- %s\n", n)
		}
	}
	return b.String()
}

const noteAdoptedEarlier = "adopted by an earlier init"

// adoptedViewKey prefixes the pam_sync.meta keys that record a project's
// view adopted as it is.
const adoptedViewKey = "adopted_view:"

// column is an existing column as the catalog of the database has it.
type column struct {
	name, typ string
}

// PlanInit reads the database of conn and returns what Init would do with
// each table of the catalog. It changes nothing.
func PlanInit(ctx context.Context, conn *pgx.Conn, cat *schema.Catalog) (*Plan, error) {
	if err := checkCatalog(cat); err != nil {
		return nil, err
	}
	registered, err := registeredTables(ctx, conn)
	if err != nil {
		return nil, err
	}
	existing, err := publicRelations(ctx, conn)
	if err != nil {
		return nil, err
	}
	columns, err := publicColumns(ctx, conn)
	if err != nil {
		return nil, err
	}
	p := &Plan{}
	for _, t := range cat.Tables {
		p.Tables = append(p.Tables, planTable(t, registered, existing, columns[t.Name]))
	}
	return p, nil
}

// registration is how an earlier Init recorded a table.
type registration struct {
	key     string
	adopted bool
}

func planTable(t *schema.Table, registered map[string]registration, existing map[string]string, cols []column) TablePlan {
	p := TablePlan{Table: t.Name, Key: "id"}
	kind, exists := existing[t.Name]
	if reg, ok := registered[t.Name]; ok {
		p.Action, p.Key = ActionKeep, reg.key
		if reg.adopted {
			p.Action = ActionAdopt
			p.Notes = append(p.Notes, noteAdoptedEarlier)
		}
		return p
	}
	switch {
	case !exists:
		p.Action = ActionCreate
		return p
	case t.View && kind == "v" && sameColumns(t, cols):
		p.Action = ActionKeep // PAM's own view, from an earlier init
		return p
	case t.View && kind == "v":
		// The project's view keeps its own columns (the web app reads
		// them); devices compute their own budget_summary locally.
		p.Action, p.Key = ActionAdopt, ""
		p.Notes = append(p.Notes, "the project's view is kept as it is; devices compute their own locally")
		return p
	case t.View || (kind != "r" && kind != "p"):
		p.Action, p.Reason = ActionRefuse, fmt.Sprintf("exists as relation kind %q, not a table", kind)
		return p
	}
	have := map[string]string{}
	for _, c := range cols {
		have[c.name] = c.typ
	}
	tbl := schema.Quote(t.Name)
	switch typ, ok := have["id"]; {
	case !ok:
		p.Statements = append(p.Statements,
			fmt.Sprintf(`ALTER TABLE %s ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()`, tbl),
			fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (id)`, schema.Quote(t.Name+"_id_pam_key"), tbl))
		have["id"] = "uuid"
	case typ == "uuid":
	case typ == "bigint" || typ == "integer" || typ == "smallint":
		p.Key = SyncKey
		if _, clash := have[SyncKey]; clash {
			return TablePlan{Table: t.Name, Action: ActionRefuse, Reason: fmt.Sprintf("has a column %s of its own", SyncKey)}
		}
		p.Statements = append(p.Statements,
			fmt.Sprintf(`ALTER TABLE %s ADD COLUMN %s uuid NOT NULL DEFAULT gen_random_uuid()`, tbl, SyncKey),
			fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (%s)`, schema.Quote(t.Name+"_"+SyncKey+"_key"), tbl, SyncKey))
		p.Notes = append(p.Notes, fmt.Sprintf("id is %s here: the project keeps it; devices know the row by %s", typ, SyncKey))
	default:
		return TablePlan{Table: t.Name, Action: ActionRefuse, Reason: fmt.Sprintf("id is %s, neither a uuid nor an integer", typ)}
	}
	if t.Owner != "" && t.Owner != "id" {
		if typ, ok := have[t.Owner]; ok && typ != "uuid" {
			return TablePlan{Table: t.Name, Action: ActionRefuse, Reason: fmt.Sprintf("owner column %s is %s, not a uuid", t.Owner, typ)}
		}
	}
	for i := range t.Columns {
		c := &t.Columns[i]
		typ, ok := have[c.Name]
		want := c.SQLType(schema.Postgres)
		switch {
		case !ok:
			// Nullable, so the web app's inserts never fail on it; with
			// the catalog's default, so the rows already there and the
			// web app's new ones hold what devices require (updated_at).
			add := fmt.Sprintf(`ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s`, tbl, schema.Quote(c.Name), want)
			if lit, ok := c.DefaultSQL(schema.Postgres); ok {
				add += " DEFAULT " + lit
			}
			p.Statements = append(p.Statements, add)
			if c.Name == "updated_at" {
				// The web app never sets a column it does not know: central
				// keeps it, or a web edit would reach devices with the
				// row's old updated_at.
				p.Statements = append(p.Statements, touchTriggerSQL(tbl))
			}
		case c.Name == "id" && p.Key != "id":
		case !sameType(typ, want):
			p.Notes = append(p.Notes, fmt.Sprintf("%s is %s here, %s on devices: kept", c.Name, typ, want))
		}
	}
	var extra []string
	for _, c := range cols {
		if _, ok := t.Column(c.name); !ok && c.name != SyncKey {
			extra = append(extra, c.name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		p.Notes = append(p.Notes, "the project's own columns, carried through untouched: "+strings.Join(extra, ", "))
	}
	p.Action = ActionAdopt
	if len(p.Statements) > 0 {
		p.Action = ActionAlter
	}
	return p
}

// sameColumns reports whether a relation has exactly the catalog table's
// column names, in order.
func sameColumns(t *schema.Table, cols []column) bool {
	if len(cols) != len(t.Columns) {
		return false
	}
	for i, c := range cols {
		if c.name != t.Columns[i].Name {
			return false
		}
	}
	return true
}

// sameType compares a type as format_type prints it with the catalog's.
func sameType(have, want string) bool {
	if have == want {
		return true
	}
	aliases := map[string]string{"timestamp with time zone": "timestamptz", "time without time zone": "time"}
	if a, ok := aliases[have]; ok {
		return a == want
	}
	return false
}

// registeredTables lists the tables an earlier Init installed: those in
// its registry, and (a database installed before the registry existed)
// those carrying its capture trigger.
func registeredTables(ctx context.Context, conn *pgx.Conn) (map[string]registration, error) {
	out := map[string]registration{}
	trows, err := conn.Query(ctx, `SELECT c.relname::text FROM pg_catalog.pg_trigger g
		JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND g.tgname = $1`, triggerInsert)
	if err != nil {
		return nil, fmt.Errorf("plan: list capture triggers: %w", err)
	}
	names, err := pgx.CollectRows(trows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("plan: list capture triggers: %w", err)
	}
	for _, n := range names {
		out[n] = registration{key: "id"}
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('pam_sync.tables') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	if !exists {
		return out, nil
	}
	// Views an earlier init adopted are recorded in pam_sync.meta.
	vrows, err := conn.Query(ctx, `SELECT substr(key, length($1) + 1) FROM pam_sync.meta WHERE key LIKE $1 || '%'`, adoptedViewKey)
	if err != nil {
		return nil, fmt.Errorf("plan: read adopted views: %w", err)
	}
	views, err := pgx.CollectRows(vrows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("plan: read adopted views: %w", err)
	}
	for _, v := range views {
		out[v] = registration{adopted: true}
	}
	rows, err := conn.Query(ctx, `SELECT tbl, coalesce((to_jsonb(t) ->> 'key_col'), 'id'), coalesce((to_jsonb(t) ->> 'adopted')::boolean, false) FROM pam_sync.tables t`)
	if err != nil {
		return nil, fmt.Errorf("plan: read registry: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var r registration
		if err := rows.Scan(&name, &r.key, &r.adopted); err != nil {
			return nil, err
		}
		out[name] = r
	}
	return out, rows.Err()
}

func publicRelations(ctx context.Context, conn *pgx.Conn) (map[string]string, error) {
	rows, err := conn.Query(ctx, `SELECT c.relname::text, c.relkind::text FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`)
	if err != nil {
		return nil, fmt.Errorf("plan: list relations: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			return nil, err
		}
		out[name] = kind
	}
	return out, rows.Err()
}

func publicColumns(ctx context.Context, conn *pgx.Conn) (map[string][]column, error) {
	rows, err := conn.Query(ctx, `SELECT c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)
		FROM pg_catalog.pg_attribute a
		JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.relname, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("plan: list columns: %w", err)
	}
	defer rows.Close()
	out := map[string][]column{}
	for rows.Next() {
		var tbl string
		var c column
		if err := rows.Scan(&tbl, &c.name, &c.typ); err != nil {
			return nil, err
		}
		out[tbl] = append(out[tbl], c)
	}
	return out, rows.Err()
}
