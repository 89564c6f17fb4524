package central

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
)

// Policy names on the base tables. Every run drops all of them and creates
// the ones a table needs, so a re-run, or a table whose access rules change,
// ends with exactly the current set.
const (
	policyRW     = "pam_rw"     // FOR ALL, own rows: per-user tables
	policyRead   = "pam_read"   // FOR SELECT
	policyInsert = "pam_insert" // FOR INSERT, own rows
	policyUpdate = "pam_update" // FOR UPDATE, own rows
	policyDelete = "pam_delete" // FOR DELETE, own rows
)

var basePolicies = []string{policyRW, policyRead, policyInsert, policyUpdate, policyDelete}

// Policy names on the pam_sync tables. The insert and update policies of
// earlier versions are dropped on every run: devices write through
// functions now.
const (
	policySyncSelect = "pam_device_select"
	policySyncInsert = "pam_device_insert"
	policySyncUpdate = "pam_device_update"
)

var syncPolicies = []string{policySyncSelect, policySyncInsert, policySyncUpdate}

// syncTables are the tables of the pam_sync schema.
var syncTables = []string{"meta", "device_users", "devices", "user_clock", "change_log", "row_meta", "conflicts", "push_outcomes", "anomalies", "push_tx", "tables"}

// Writable reports whether the edge writes t back to the central database:
// per-user tables (U) and append-only per-user tables (U-append). Reference,
// server and derived tables are read-only at the edge, and local tables never
// leave the device.
func Writable(t *schema.Table) bool {
	return !t.View && t.Owner != "" && (t.Role == schema.RoleUser || t.Role == schema.RoleAppend)
}

const myUsers = "(SELECT pam_sync.my_users())"

// clientRoles are the roles whose table access the policies describe: the
// device group and the Supabase web app user.
var clientRoles = pgx.Identifier{DeviceGroup}.Sanitize() + ", " + pgx.Identifier{roleAuthenticated}.Sanitize()

// revokeFrom lists the roles whose privileges on pam_sync Init resets
// before granting.
var revokeFrom = "PUBLIC, " + pgx.Identifier{roleAnon}.Sanitize() + ", " + clientRoles

// privilegesSQL enables and forces row-level security, (re)creates the
// policies and resets the grants of the catalog's tables and of pam_sync.
func privilegesSQL(cat *schema.Catalog, plan *Plan) []string {
	var s []string
	s = append(s,
		guarded(`GRANT USAGE ON SCHEMA public TO `+clientRoles),
		guarded(`GRANT USAGE ON SCHEMA auth TO `+clientRoles),
		guarded(`GRANT EXECUTE ON FUNCTION auth.uid() TO `+clientRoles),
	)
	for _, t := range cat.Tables {
		tp, _ := plan.Table(t.Name)
		s = append(s, tablePrivilegesSQL(t, tp)...)
	}
	s = append(s, syncPrivilegesSQL()...)
	return s
}

// guarded runs a grant on an object Init may not own (on Supabase the auth
// schema belongs to supabase_auth_admin, which already grants what the
// clients need): lacking the right to grant is not an error.
func guarded(stmt string) string {
	return fmt.Sprintf(`DO $do$
BEGIN
  %s;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'pam_sync: skipped: %%', %s;
END
$do$`, stmt, quoteLiteral(stmt))
}

// tablePrivilegesSQL secures one catalog table. A table adopted from the
// project keeps its grants and its permissive policies as they are: PAM's
// grants and permissive policies name the device group only, so the web
// app's rights neither grow nor shrink. The restrictive device bound goes
// on every table.
func tablePrivilegesSQL(t *schema.Table, tp TablePlan) []string {
	tbl := schema.Quote(t.Name)
	adopted := tp.Adopted()
	if adopted && t.View {
		return nil
	}
	to := clientRoles
	if adopted {
		to = pgx.Identifier{DeviceGroup}.Sanitize()
	}
	privs := "SELECT"
	if Writable(t) {
		privs = "SELECT, INSERT, UPDATE, DELETE"
	}
	// PUBLIC loses everything; the device group loses exactly what it must
	// not hold (revoking only that keeps the ACL's order, so a re-run
	// changes nothing). anon and authenticated are only granted to: their
	// rights on a Supabase project's tables are the project's (the web app
	// relies on them), and forced row-level security bounds what they
	// reach.
	denied := "TRUNCATE, REFERENCES, TRIGGER"
	if !Writable(t) {
		denied += ", INSERT, UPDATE, DELETE"
	}
	var grants []string
	if !adopted {
		grants = append(grants, fmt.Sprintf(`REVOKE ALL ON %s FROM PUBLIC`, tbl))
	}
	grants = append(grants,
		fmt.Sprintf(`REVOKE %s ON %s FROM %s`, denied, tbl, pgx.Identifier{DeviceGroup}.Sanitize()),
		fmt.Sprintf(`GRANT %s ON %s TO %s`, privs, tbl, to))
	if adopted && tp.Key == SyncKey && Writable(t) {
		// A device's insert takes the project's own id from its sequence.
		grants = append(grants, fmt.Sprintf(`DO $do$
DECLARE
  v_seq text := pg_catalog.pg_get_serial_sequence(%s, 'id');
BEGIN
  IF v_seq IS NOT NULL THEN
    EXECUTE format('GRANT USAGE ON SEQUENCE %%s TO %%I', v_seq, %s);
  END IF;
END
$do$`, quoteLiteral(tbl), quoteLiteral(DeviceGroup)))
	}
	if t.View {
		// The view has no policies of its own: with security_invoker it
		// reads budgets and expenses under their policies.
		return grants
	}
	s := []string{
		fmt.Sprintf(`ALTER TABLE %s ENABLE ROW LEVEL SECURITY`, tbl),
		fmt.Sprintf(`ALTER TABLE %s FORCE ROW LEVEL SECURITY`, tbl),
	}
	for _, p := range basePolicies {
		s = append(s, fmt.Sprintf(`DROP POLICY IF EXISTS %s ON %s`, p, tbl))
	}
	for _, p := range tablePolicies(t, to) {
		s = append(s, p.sql(tbl))
	}
	s = append(s, boundPoliciesSQL(t, tbl, tp.Key)...)
	return append(s, grants...)
}

// policy is one CREATE POLICY; empty expressions are omitted.
type policy struct {
	name, cmd, using, check string
	to                      string
}

func (p policy) sql(tbl string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE POLICY %s ON %s AS PERMISSIVE FOR %s TO %s", p.name, tbl, p.cmd, p.to)
	if p.using != "" {
		fmt.Fprintf(&b, " USING (%s)", p.using)
	}
	if p.check != "" {
		fmt.Fprintf(&b, " WITH CHECK (%s)", p.check)
	}
	return b.String()
}

// tablePolicies derives a base table's policies from its read scope and
// sync role:
//
//	per-user (ReadOwn), writable     FOR ALL, own rows
//	per-user (ReadOwn), read-only    SELECT own rows (server and local tables)
//	own or unowned (hustle_ideas)    SELECT own or unowned; writes own rows
//	every row (ReadAll), writable    SELECT all; writes own rows (social_groups)
//	no owner, or ReadAll read-only   SELECT all
func tablePolicies(t *schema.Table, to string) []policy {
	if t.Owner == "" {
		return []policy{{name: policyRead, cmd: "SELECT", using: "true", to: to}}
	}
	owner := schema.Quote(t.Owner)
	own := owner + " IN " + myUsers
	var read string
	switch t.Read {
	case schema.ReadOwn:
		if Writable(t) {
			return []policy{{name: policyRW, cmd: "ALL", using: own, check: own, to: to}}
		}
		read = own
	case schema.ReadOwnOrUnowned:
		read = own + " OR " + owner + " IS NULL"
	default:
		read = "true"
	}
	ps := []policy{{name: policyRead, cmd: "SELECT", using: read, to: to}}
	if Writable(t) {
		ps = append(ps,
			policy{name: policyInsert, cmd: "INSERT", check: own, to: to},
			policy{name: policyUpdate, cmd: "UPDATE", using: own, check: own, to: to},
			policy{name: policyDelete, cmd: "DELETE", using: own, to: to},
		)
	}
	return ps
}

// syncPrivilegesSQL secures the pam_sync schema. Nothing is granted to
// PUBLIC. The device group reads what a pull and a push need, each row
// filtered by policy, and writes nothing directly: every write goes through
// the push functions (guard.go), which check it. device_users is invisible
// to it (a device learns its users only through my_users()).
func syncPrivilegesSQL() []string {
	dev := pgx.Identifier{DeviceGroup}.Sanitize()
	s := []string{
		`REVOKE ALL ON SCHEMA pam_sync FROM ` + revokeFrom,
		`REVOKE ALL ON ALL TABLES IN SCHEMA pam_sync FROM ` + revokeFrom,
		`REVOKE ALL ON ALL SEQUENCES IN SCHEMA pam_sync FROM ` + revokeFrom,
		`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pam_sync FROM ` + revokeFrom,
		`GRANT USAGE ON SCHEMA pam_sync TO ` + clientRoles,
		`GRANT EXECUTE ON FUNCTION pam_sync.my_users() TO ` + clientRoles,
		`GRANT EXECUTE ON FUNCTION pam_sync.my_devices() TO ` + dev,
	}
	for _, f := range pushFunctionNames {
		s = append(s, `GRANT EXECUTE ON FUNCTION pam_sync.`+f+` TO `+dev)
	}
	own := "user_id IN " + myUsers
	ownOrShared := own + " OR user_id = " + quoteLiteral(SharedScope) + "::uuid"
	readers := map[string]string{
		"meta":          "true",
		"devices":       "role_name = session_user",
		"user_clock":    own,
		"change_log":    ownOrShared,
		"row_meta":      ownOrShared,
		"conflicts":     own,
		"push_outcomes": "device_id IN (SELECT pam_sync.my_devices())",
		"tables":        "true",
	}
	for _, name := range syncTables {
		tbl := "pam_sync." + schema.Quote(name)
		s = append(s,
			fmt.Sprintf(`ALTER TABLE %s ENABLE ROW LEVEL SECURITY`, tbl),
			fmt.Sprintf(`ALTER TABLE %s FORCE ROW LEVEL SECURITY`, tbl),
		)
		for _, p := range syncPolicies {
			s = append(s, fmt.Sprintf(`DROP POLICY IF EXISTS %s ON %s`, p, tbl))
		}
		if using, ok := readers[name]; ok {
			s = append(s,
				policy{name: policySyncSelect, cmd: "SELECT", using: using, to: dev}.sql(tbl),
				fmt.Sprintf(`GRANT SELECT ON %s TO %s`, tbl, dev))
		}
	}
	return s
}
