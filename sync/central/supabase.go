package central

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
)

// What a Supabase project expects of the tables Init creates, so that the
// web app (supabase-js, PostgREST) and the project's own machinery work on
// them as on its own tables:
//
//   - an id default: supabase-js inserts without an id;
//   - updated_at kept by central for writes that are not device pushes (a
//     push carries the device's own updated_at, which must land as is or
//     the device and central would disagree); on an adopted table too when
//     Init adds the column (the plan lists the trigger);
//   - explicit grants for service_role where it exists (projects created
//     without the old default grants would answer "permission denied");
//   - deleting a user from auth.users deletes that user's rows, captured
//     like any delete, so the devices forget them too.
//
// Adopted tables are left as the project has them: their defaults, their
// triggers and their grants are the web app's.
//
// anon keeps whatever the project gave it: Init revokes from PUBLIC only,
// and forced row-level security (no policy names anon) hides PAM's rows
// from it.

// roleService is Supabase's backend role (BYPASSRLS).
const roleService = "service_role"

// supabaseSQL lists the statements above for the catalog's base tables.
func supabaseSQL(cat *schema.Catalog, plan *Plan) []string {
	s := []string{forgetUserFunctionSQL}
	for _, t := range cat.Tables {
		if tp, _ := plan.Table(t.Name); t.View || tp.Adopted() {
			continue // the project's tables have what the project gave them
		}
		tbl := schema.Quote(t.Name)
		if t.Owner != "id" {
			// profiles' id is the user's id; every other id is the row's.
			s = append(s, fmt.Sprintf(`DO $do$
BEGIN
  IF (SELECT column_default FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = %s AND column_name = 'id') IS NULL THEN
    ALTER TABLE %s ALTER COLUMN id SET DEFAULT gen_random_uuid();
  END IF;
END
$do$`, quoteLiteral(t.Name), tbl))
		}
		if _, ok := t.Column("updated_at"); ok {
			s = append(s, touchTriggerSQL(tbl))
		}
		s = append(s, fmt.Sprintf(`DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s) THEN
    GRANT ALL ON %s TO %s;
  END IF;
END
$do$`, quoteLiteral(roleService), tbl, pgx.Identifier{roleService}.Sanitize()))
	}
	s = append(s, `DO $do$
BEGIN
  IF to_regclass('auth.users') IS NOT NULL THEN
    BEGIN
      CREATE OR REPLACE TRIGGER pam_forget_user AFTER DELETE ON auth.users FOR EACH ROW EXECUTE FUNCTION pam_sync.forget_user();
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pam_sync: cannot attach pam_forget_user to auth.users (not its owner): deleting an auth user will not delete the rows of PAM tables without a foreign key to it';
    END;
  END IF;
END
$do$`)
	return s
}

// touchTriggerSQL keeps the updated_at of the quoted table tbl.
func touchTriggerSQL(tbl string) string {
	return fmt.Sprintf(`CREATE OR REPLACE TRIGGER pam_touch_updated_at BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION pam_sync.touch_updated_at()`, tbl)
}

// touchFunctionSQL keeps updated_at for central writers. A writer that sets
// updated_at itself keeps its value; a device push (pam_sync.origin set)
// always keeps the device's; an update that changes nothing stays a no-op
// (and is not logged).
const touchFunctionSQL = `CREATE OR REPLACE FUNCTION pam_sync.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF coalesce(current_setting('pam_sync.origin', true), '') = ''
     AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
     AND NEW IS DISTINCT FROM OLD THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$fn$`

// forgetUserFunctionSQL deletes a deleted auth user's rows from every PAM
// table with an owner column. It runs with the installing role's rights:
// the rows of every table, whatever the deleting role may see.
const forgetUserFunctionSQL = `CREATE OR REPLACE FUNCTION pam_sync.forget_user() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pam_sync, pg_temp
AS $fn$
DECLARE
  v_t record;
BEGIN
  FOR v_t IN SELECT rel, owner_col FROM pam_sync.tables WHERE owner_col IS NOT NULL ORDER BY tbl LOOP
    EXECUTE format('DELETE FROM %s WHERE %I = $1', v_t.rel, v_t.owner_col) USING OLD.id;
  END LOOP;
  DELETE FROM pam_sync.device_users WHERE user_id = OLD.id;
  RETURN NULL;
END
$fn$`

// AddToRealtime adds the catalog's base tables to the supabase_realtime
// publication, where it exists and they are not in it yet, so that the web
// app's realtime subscriptions see PAM's tables. It reports how many it
// added; a database without the publication is not an error (0).
func AddToRealtime(ctx context.Context, conn *pgx.Conn, cat *schema.Catalog) (int, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = 'supabase_realtime')`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("realtime: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var missing []string
	for _, t := range cat.Tables {
		if t.View {
			continue
		}
		var in bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables
			WHERE pubname = 'supabase_realtime' AND schemaname = 'public' AND tablename = $1)`, t.Name).Scan(&in); err != nil {
			return 0, fmt.Errorf("realtime: %w", err)
		}
		if !in {
			missing = append(missing, "public."+schema.Quote(t.Name))
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	if _, err := conn.Exec(ctx, `ALTER PUBLICATION supabase_realtime ADD TABLE `+strings.Join(missing, ", ")); err != nil {
		return 0, fmt.Errorf("realtime: add tables: %w", err)
	}
	return len(missing), nil
}
