// Package central installs and administers PAM's central Postgres: the 39
// tables, the pam_sync schema, capture triggers, RLS and per-device roles.
//
// Init is the installer (idempotent, one transaction); AddDevice and
// RemoveDevice manage the per-device login roles. The device side of sync
// (sync/replica) relies on the names and columns of the pam_sync tables
// created here; they are part of the contract and change only with
// SchemaVersion.
//
// Central contract, in short:
//
//   - Every write to one of the 38 base tables is captured by statement-level
//     triggers into pam_sync.change_log, one entry per changed row, under the
//     row's scope: the owner's user id, or SharedScope for tables every user
//     reads and for rows without an owner. Writes made with the transaction
//     setting pam_sync.origin non-empty are not captured: the writer (a device
//     push) logs them itself.
//   - Sequence numbers are allocated per scope from pam_sync.user_clock under
//     a row lock held to commit, so one scope's commit order is its sequence
//     order and a cursor "seq > n" never skips a change.
//   - A device connects as its own login role (AddDevice), a member of the
//     group role pam_device; row-level security resolves its users through
//     pam_sync.my_users(), keyed on session_user. The Supabase web app keeps
//     working as role authenticated through auth.uid().
package central

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
)

// SharedScope is the user id under which changes of shared rows are logged:
// rows of tables every user reads (ReadAll) and rows with no owner.
const SharedScope = schema.NilUUID

// SchemaVersion is the version of the pam_sync contract that Init installs,
// recorded in pam_sync.meta under the key schema_version.
// Version 2: devices write pam_sync only through the push functions, and
// change-log entries of central writes carry the versions they
// overwrote (base).
const SchemaVersion = "2"

// DeviceGroup is the NOLOGIN group role every device login role belongs to.
const DeviceGroup = "pam_device"

// Supabase roles: the signed-in web app user and the anonymous visitor.
const (
	roleAuthenticated = "authenticated"
	roleAnon          = "anon"
)

// initLockKey keys the advisory lock that serialises concurrent Init calls
// on one database ("pamsync" in ASCII).
const initLockKey = 0x70616d73796e63

// ErrNotPrivileged is returned by Init when the installing role can neither
// bypass row-level security nor is a superuser: with FORCE ROW LEVEL
// SECURITY every policy would hide every row from it, including from the
// capture trigger that runs with its rights.
var ErrNotPrivileged = errors.New("central: installing role must be a superuser or have BYPASSRLS")

// Options choose what Init may do beyond creating PAM's own tables.
type Options struct {
	// Adopt lets Init take over tables of the catalog that exist but that
	// an earlier Init did not create (a Supabase project's own), with the
	// changes PlanInit lists. Without it, Init refuses such a database and
	// changes nothing.
	Adopt bool
}

// Init installs the central schema into the database of conn in one
// transaction: the catalog's tables and view, the auth schema and the
// Supabase roles where missing, the pam_sync schema, the capture triggers,
// row-level security, the policies and the grants. Running it again changes
// nothing. Concurrent calls on one database are serialised by an advisory
// lock; the cluster-wide roles tolerate concurrent creation from other
// databases. A database holding tables of the catalog that PAM did not
// create is refused (a *PlanError wrapping ErrAdoptionNeeded); InitWith
// with Adopt takes them over.
func Init(ctx context.Context, conn *pgx.Conn, cat *schema.Catalog) error {
	return InitWith(ctx, conn, cat, Options{})
}

// InitWith is Init with options. It plans first (PlanInit) and changes
// nothing when the plan refuses a table, or needs adoption that opts does
// not allow.
func InitWith(ctx context.Context, conn *pgx.Conn, cat *schema.Catalog, opts Options) error {
	if err := checkCatalog(cat); err != nil {
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("central init: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(initLockKey)); err != nil {
		return fmt.Errorf("central init: lock: %w", err)
	}
	var privileged bool
	if err := tx.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user`).Scan(&privileged); err != nil {
		return fmt.Errorf("central init: check installing role: %w", err)
	}
	if !privileged {
		return ErrNotPrivileged
	}
	plan, err := PlanInit(ctx, tx.Conn(), cat)
	if err != nil {
		return fmt.Errorf("central init: %w", err)
	}
	if plan.Count(ActionRefuse) > 0 {
		return &PlanError{Err: ErrRefused, Plan: plan}
	}
	if !opts.Adopt && plan.Count(ActionAlter)+plan.Count(ActionAdopt) > countAdoptedEarlier(plan) {
		return &PlanError{Err: ErrAdoptionNeeded, Plan: plan}
	}
	for _, s := range installSQL(cat, plan) {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("central init: %w\n-- statement:\n%s", err, s)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("central init: commit: %w", err)
	}
	return nil
}

// countAdoptedEarlier counts the adopted tables an earlier Init already
// took over: re-running Init on an adopted database needs no new consent.
func countAdoptedEarlier(p *Plan) int {
	n := 0
	for _, t := range p.Tables {
		if t.Action == ActionAdopt && slices.Contains(t.Notes, noteAdoptedEarlier) {
			n++
		}
	}
	return n
}

// installSQL lists every statement of Init in order, for a checked
// catalog and its plan.
func installSQL(cat *schema.Catalog, plan *Plan) []string {
	var s []string
	for _, r := range []string{roleAuthenticated, roleAnon, DeviceGroup} {
		s = append(s, ensureRoleSQL(r))
	}
	s = append(s, authSQL...)
	// Before the tables: an adopted table's plan may attach it.
	s = append(s, `CREATE SCHEMA IF NOT EXISTS pam_sync`, touchFunctionSQL)
	for _, t := range cat.Tables {
		tp, _ := plan.Table(t.Name)
		if tp.Adopted() {
			// The project's table keeps its own definition; only what the
			// plan lists changes.
			s = append(s, tp.Statements...)
			continue
		}
		s = append(s, t.DDL(schema.Postgres)...)
		if t.View {
			// Without security_invoker a view reads its tables with its
			// owner's rights, and the owner bypasses RLS: every user's
			// rows would show. CREATE OR REPLACE VIEW resets the option,
			// so it is set again on every run.
			s = append(s, fmt.Sprintf(`ALTER VIEW %s SET (security_invoker = true)`, schema.Quote(t.Name)))
		}
	}
	s = append(s, syncSchemaSQL...)
	s = append(s, pushTxSQL)
	s = append(s, registrySQL(cat, plan)...)
	s = append(s, functionsSQL()...)
	s = append(s, pushFunctionsSQL()...)
	for _, t := range cat.Tables {
		if !t.View {
			tp, _ := plan.Table(t.Name)
			s = append(s, triggerSQL(t, tp.Key)...)
		}
	}
	s = append(s, supabaseSQL(cat, plan)...)
	s = append(s, backfillSQL(cat)...)
	s = append(s, privilegesSQL(cat, plan)...)
	for _, t := range cat.Tables {
		if tp, _ := plan.Table(t.Name); t.View && tp.Adopted() {
			s = append(s, fmt.Sprintf(`INSERT INTO pam_sync.meta (key, value) VALUES (%s, 'kept') ON CONFLICT (key) DO NOTHING`, quoteLiteral(adoptedViewKey+t.Name)))
		}
	}
	s = append(s, fmt.Sprintf(`INSERT INTO pam_sync.meta (key, value) VALUES ('schema_version', %s)
ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value IS DISTINCT FROM excluded.value`, quoteLiteral(SchemaVersion)))
	return s
}

// checkCatalog refuses catalogs the generic trigger cannot serve: every base
// table needs a uuid id, and an owner column that exists.
func checkCatalog(cat *schema.Catalog) error {
	if cat == nil || len(cat.Tables) == 0 {
		return errors.New("central init: empty catalog")
	}
	for _, t := range cat.Tables {
		if t.View {
			continue
		}
		id, ok := t.Column("id")
		if !ok || id.Type != schema.UUID {
			return fmt.Errorf("central init: table %s has no uuid id column", t.Name)
		}
		if t.Owner != "" {
			if c, ok := t.Column(t.Owner); !ok || c.Type != schema.UUID {
				return fmt.Errorf("central init: table %s: owner column %q is not a uuid column", t.Name, t.Owner)
			}
		}
	}
	return nil
}

// ensureRoleSQL creates a NOLOGIN role unless it exists. Roles are
// cluster-wide, so another database's Init may create the same role
// concurrently: the loser of that race sees duplicate_object, or
// unique_violation on pg_authid once the winner commits.
func ensureRoleSQL(role string) string {
	return fmt.Sprintf(`DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s) THEN
    BEGIN
      CREATE ROLE %s NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$do$`, quoteLiteral(role), pgx.Identifier{role}.Sanitize())
}

// authSQL creates what Supabase provides when it is missing: the auth schema
// and auth.uid(). An existing auth.uid() is never replaced.
var authSQL = []string{
	`DO $do$
BEGIN
  IF to_regnamespace('auth') IS NULL THEN
    CREATE SCHEMA auth;
  END IF;
  IF to_regprocedure('auth.uid()') IS NULL THEN
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $fn$
      SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
    $fn$;
  END IF;
END
$do$`,
}

// syncSchemaSQL creates the pam_sync schema and its tables.
var syncSchemaSQL = []string{
	`CREATE SCHEMA IF NOT EXISTS pam_sync`,
	`CREATE TABLE IF NOT EXISTS pam_sync.meta (
  key text PRIMARY KEY,
  value text NOT NULL
)`,
	`CREATE TABLE IF NOT EXISTS pam_sync.device_users (
  role_name text NOT NULL,
  user_id uuid NOT NULL,
  PRIMARY KEY (role_name, user_id)
)`,
	`CREATE INDEX IF NOT EXISTS device_users_user_id_idx ON pam_sync.device_users (user_id)`,
	`CREATE TABLE IF NOT EXISTS pam_sync.devices (
  device_id uuid PRIMARY KEY,
  role_name text NOT NULL DEFAULT session_user,
  last_seq bigint NOT NULL DEFAULT 0,
  last_seen timestamptz,
  skew_ms bigint NOT NULL DEFAULT 0,
  anomalies int NOT NULL DEFAULT 0
)`,
	`CREATE INDEX IF NOT EXISTS devices_role_name_idx ON pam_sync.devices (role_name)`,
	`CREATE TABLE IF NOT EXISTS pam_sync.user_clock (
  user_id uuid PRIMARY KEY,
  seq bigint NOT NULL DEFAULT 0
)`,
	`CREATE TABLE IF NOT EXISTS pam_sync.change_log (
  user_id uuid NOT NULL,
  seq bigint NOT NULL,
  xid bigint NOT NULL DEFAULT txid_current(),
  tbl text NOT NULL,
  row_id uuid NOT NULL,
  cl bigint NOT NULL,
  cells jsonb NOT NULL DEFAULT '{}',
  origin text NOT NULL,
  origin_seq bigint,
  hlc bigint,
  node text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, seq)
)`,
	`ALTER TABLE pam_sync.change_log ADD COLUMN IF NOT EXISTS hlc bigint, ADD COLUMN IF NOT EXISTS node text`,
	`ALTER TABLE pam_sync.change_log ADD COLUMN IF NOT EXISTS base jsonb`,
	`COMMENT ON COLUMN pam_sync.change_log.base IS 'central writes: {col: {"t": hlc, "n": node}}, the version each changed cell held when it was overwritten'`,
	`COMMENT ON COLUMN pam_sync.change_log.cells IS 'with hlc set, {col: value}, every cell at version (hlc, node); else {col: {"v": value, "t": hlc, "n": node}}'`,
	// Pages end where xid changes between neighbours in seq order, which
	// the primary key serves; an index on (user_id, xid) cost every logged
	// row an insert and served no query.
	`DROP INDEX IF EXISTS pam_sync.change_log_user_id_xid_idx`,
	`CREATE TABLE IF NOT EXISTS pam_sync.row_meta (
  tbl text NOT NULL,
  row_id uuid NOT NULL,
  user_id uuid NOT NULL,
  cl bigint NOT NULL,
  cells jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tbl, row_id)
)`,
	`COMMENT ON COLUMN pam_sync.row_meta.cells IS '{col: {"t": hlc, "n": node}}: versions only, no values; "*": {"t", "n", "c": [cols]} versions many columns at once, a column''s own entry overrides it'`,
	`CREATE TABLE IF NOT EXISTS pam_sync.conflicts (
  id bigserial PRIMARY KEY,
  user_id uuid NOT NULL,
  tbl text NOT NULL,
  row_id uuid NOT NULL,
  col text NOT NULL,
  winner jsonb,
  loser jsonb,
  reason text NOT NULL,
  origin text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
)`,
	`CREATE INDEX IF NOT EXISTS conflicts_user_id_at_idx ON pam_sync.conflicts (user_id, at)`,
	`CREATE TABLE IF NOT EXISTS pam_sync.push_outcomes (
  device_id uuid NOT NULL,
  tx bigint NOT NULL,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'rejected')),
  reason text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, tx)
)`,
	`CREATE TABLE IF NOT EXISTS pam_sync.anomalies (
  id bigserial PRIMARY KEY,
  device_id uuid,
  kind text NOT NULL,
  detail jsonb,
  at timestamptz NOT NULL DEFAULT now()
)`,
	`CREATE INDEX IF NOT EXISTS anomalies_device_id_at_idx ON pam_sync.anomalies (device_id, at)`,
}

// quoteLiteral renders s as a standard-conforming SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
