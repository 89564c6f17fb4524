package central

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/merge"
)

// Trigger names on every base table.
const (
	triggerInsert = "pam_capture_insert"
	triggerUpdate = "pam_capture_update"
	triggerDelete = "pam_capture_delete"
)

// smallStatement is the most rows a statement may change and still run the
// capture statement's generic plan (made for a few rows); larger ones are
// planned for their size.
const smallStatement = 64

// Scope modes passed to the capture trigger.
const (
	scopeOwn = "own" // log under the owner column's value (SharedScope if NULL)
	scopeAll = "all" // log every row under SharedScope
)

// triggerSQL attaches the capture function to t as three statement-level
// AFTER triggers with transition tables. TG_ARGV is the owner column (empty
// when the table has none) and the scope mode.
func triggerSQL(t *schema.Table, key string) []string {
	mode := scopeOwn
	if t.Read == schema.ReadAll || t.Owner == "" {
		mode = scopeAll
	}
	args := quoteLiteral(t.Owner) + ", " + quoteLiteral(mode)
	tbl := schema.Quote(t.Name)
	fn := "pam_sync.capture"
	if key == SyncKey {
		fn = "pam_sync.capture_keyed"
	}
	return []string{
		fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)`, triggerInsert, tbl, fn, args),
		fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)`, triggerUpdate, tbl, fn, args),
		fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)`, triggerDelete, tbl, fn, args),
	}
}

// Sources of the capture statement, one per trigger event: each yields
// (row_id, rb, ra): the row before and after, as jsonb (NULL when absent).
// Every base table has a uuid key, id or (adopted tables) pam_id, and
// PL/pgSQL plans the statement per table, so x.id resolves. OFFSET 0 keeps each to_jsonb from
// being inlined into, and evaluated again by, every later reference.
// An UPDATE joins old and new rows on id; a row whose id changed shows as a
// delete of the old id and an insert of the new one.
const (
	srcInsert = `src AS (
      SELECT x.{{KEY}} AS row_id, NULL::jsonb AS rb, {{ROW}} AS ra FROM new_rows x OFFSET 0
    )`
	srcDelete = `src AS (
      SELECT x.{{KEY}} AS row_id, {{ROW}} AS rb, NULL::jsonb AS ra FROM old_rows x OFFSET 0
    )`
	srcUpdate = `src AS (
      SELECT coalesce(o.row_id, n.row_id) AS row_id, o.j AS rb, n.j AS ra
      FROM (SELECT x.{{KEY}} AS row_id, {{ROW}} AS j FROM old_rows x OFFSET 0) o
      FULL JOIN (SELECT x.{{KEY}} AS row_id, {{ROW}} AS j FROM new_rows x OFFSET 0) n ON o.row_id = n.row_id
      OFFSET 0
    )`
)

// captureStatementSQL is the one set-based statement that logs a trigger
// call's rows. {{SRC}} is one of the sources above. Stages:
//
//	k     rows that changed (an UPDATE that set every column to what it
//	      was logs nothing), their scope before and after, their row_meta
//	      causal length, the server HLC h (after every version the row
//	      holds, so a central edit orders after what it overwrites) and the
//	      base causal length
//	p     one entry per row, two for a row that moved between scopes (an
//	      owner change): a delete in the old scope, then a re-insert with
//	      every column in the new one
//	ent   each entry's scope and causal length (insert: even -> odd,
//	      delete: odd -> even, update: unchanged) and its rank within its
//	      scope in row-id order; sorted once, before the cells exist
//	alloc one sequence range per scope: a single upsert of user_clock for
//	      all scopes, in scope order; the row locks are held to commit
//	b     the cells, values only (the entry's one version goes in hlc and
//	      node): an inserted row's jsonb as it is, the changed columns of
//	      an updated one; and, for row_meta, their versions. What must be
//	      built is built as text and parsed once, which is several times
//	      faster than jsonb_build_object per cell with jsonb_object_agg.
//	      An update also records base: the version each changed cell
//	      held in row_meta when it was overwritten, so a replica that
//	      holds exactly that version knows the write saw its value (a
//	      sequential edit, not a conflict).
//	meta_ins, meta_upd  row_meta gets each row's final cl and versions
//
// and the entries are appended in sequence order.
const captureStatementSQL = `WITH {{SRC}},
    k AS (
      SELECT s.row_id, s.rb, s.ra,
             s.rb IS NULL AS ins, s.ra IS NULL AS del,
             CASE WHEN v_all THEN v_shared ELSE coalesce((s.rb ->> v_owner)::uuid, v_shared) END AS old_uid,
             CASE WHEN v_all THEN v_shared ELSE coalesce((s.ra ->> v_owner)::uuid, v_shared) END AS new_uid,
             rm.cl AS mcl, rm.cells AS mcells,
             greatest(v_min, CASE WHEN rm.cells IS NULL OR rm.cells = '{}'::jsonb THEN v_now
                  ELSE greatest(v_now, (SELECT max((je.value ->> 't')::bigint) FROM jsonb_each(rm.cells) je) + 1) END) AS h,
             coalesce(rm.cl, CASE WHEN s.rb IS NULL THEN 0 ELSE 1 END) AS base
      FROM src s
      LEFT JOIN pam_sync.row_meta rm ON rm.tbl = v_tbl AND rm.row_id = s.row_id
      WHERE s.rb IS NULL OR s.ra IS NULL OR s.rb <> s.ra
      OFFSET 0 -- not flattened: h is computed once per row
    ),
    p AS (
      SELECT k.*, NOT k.ins AND NOT k.del AND k.old_uid <> k.new_uid AS mov,
             unnest(CASE WHEN NOT k.ins AND NOT k.del AND k.old_uid <> k.new_uid
                         THEN '{0,1}'::int[] ELSE '{0}'::int[] END) AS part
      FROM k
    ),
    ent AS MATERIALIZED (
      SELECT q.*,
             row_number() OVER (PARTITION BY q.uid ORDER BY q.row_id, q.part) AS rn,
             count(*) OVER (PARTITION BY q.uid) AS cnt
      FROM (
        SELECT p.row_id, p.rb, p.ra, p.mcl, p.mcells, p.part, p.h,
               ': {"t": ' || p.h || ', "n": ' || v_node_json || '}' AS tsfx,
               CASE WHEN p.del OR (p.mov AND p.part = 0) THEN p.old_uid ELSE p.new_uid END AS uid,
               CASE WHEN p.ins THEN p.base + 1 - p.base % 2
                    WHEN p.del THEN p.base + p.base % 2
                    WHEN p.mov AND p.part = 0 THEN p.base + 2 - p.base % 2
                    WHEN p.mov THEN p.base + 3 - p.base % 2
                    ELSE p.base END AS cl,
               NOT (p.mov AND p.part = 0) AS final,
               NOT p.del AND NOT (p.mov AND p.part = 0) AS hascells,
               p.ins OR p.mov AS whole
        FROM p
      ) q
    ),
    alloc AS (
      INSERT INTO pam_sync.user_clock AS uc (user_id, seq)
      SELECT uid, count(*) FROM ent GROUP BY uid ORDER BY uid
      ON CONFLICT (user_id) DO UPDATE SET seq = uc.seq + excluded.seq
      RETURNING uc.user_id, uc.seq
    ),
    b AS MATERIALIZED (
      SELECT e.uid, e.rn, e.cnt, e.row_id, e.cl, e.final, e.mcl, e.h,
             CASE WHEN e.hascells AND e.whole THEN e.ra
                  WHEN x.cells IS NULL THEN '{}'::jsonb
                  ELSE ('{' || x.cells || '}')::jsonb END AS cells,
             CASE WHEN e.hascells AND e.whole AND e.h = v_now THEN v_allvers
                  WHEN x.vers IS NULL THEN '{}'::jsonb
                  ELSE ('{' || x.vers || '}')::jsonb END AS vers,
             CASE WHEN x.base IS NULL THEN NULL ELSE ('{' || x.base || '}')::jsonb END AS base
      FROM ent e
      LEFT JOIN LATERAL (
        SELECT string_agg(jk.k || ': ' || je.value::text, ', ') FILTER (WHERE NOT e.whole) AS cells,
               string_agg(jk.k || e.tsfx, ', ') AS vers,
               string_agg(jk.k || ': ' || jv.v::text, ', ') FILTER (WHERE NOT e.whole AND jv.v IS NOT NULL) AS base
        FROM jsonb_each(e.ra) je,
             LATERAL (SELECT CASE WHEN v_plain THEN '"' || je.key || '"' ELSE to_json(je.key)::text END AS k) jk,
             LATERAL (SELECT coalesce(e.mcells -> je.key,
                                      CASE WHEN (e.mcells -> '*' -> 'c') ? je.key THEN (e.mcells -> '*') - 'c' END) AS v) jv
        WHERE e.hascells AND NOT (e.whole AND e.h = v_now)
          AND (e.whole OR je.value IS DISTINCT FROM e.rb -> je.key)
      ) x ON true
    ),
    meta_ins AS (
      INSERT INTO pam_sync.row_meta (tbl, row_id, user_id, cl, cells)
      SELECT v_tbl, row_id, uid, cl, vers FROM b WHERE final AND mcl IS NULL
    ),
    meta_upd AS (
      UPDATE pam_sync.row_meta rm SET
        user_id = b.uid,
        cl = b.cl,
        cells = CASE WHEN b.cl % 2 = 0 THEN '{}'::jsonb
                     WHEN b.cl <> rm.cl THEN b.vers
                     ELSE rm.cells || b.vers END
      FROM b
      WHERE b.final AND b.mcl IS NOT NULL AND rm.tbl = v_tbl AND rm.row_id = b.row_id
    )
    INSERT INTO pam_sync.change_log (user_id, seq, tbl, row_id, cl, cells, origin, hlc, node, base)
    SELECT b.uid, a.seq - b.cnt + b.rn, v_tbl, b.row_id, b.cl, b.cells, v_node, b.h, v_node, b.base
    FROM b JOIN alloc a ON a.user_id = b.uid`

// captureFunctionSQL is the generic capture trigger function. It runs with
// its owner's rights (the installing role) so that any writer — the web app
// as authenticated, a device, admin SQL — is logged, without giving writers
// access to other users' clocks. search_path ends in pg_temp so a caller's
// temporary objects cannot shadow anything; TimeZone is fixed so timestamps
// in cells do not depend on the writer's session. A generic plan made for a
// one-row statement (nested loops) is quadratic for a 100,000-row one, so
// statements above smallStatement rows are planned for their size (the
// transition tables' sizes are known only at execution), while small ones
// reuse a generic plan: planning costs ~2 ms, running it on one row less.
// JIT is off: it costs more than it saves here.
const captureFunctionSQL = `CREATE OR REPLACE FUNCTION {{FUNCTION}}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pam_sync, pg_temp
SET TimeZone = 'UTC'
SET jit = off
SET work_mem = '64MB'
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
  v_owner  text    := TG_ARGV[0];
  v_all    boolean := TG_ARGV[1] = '{{ALL}}' OR TG_ARGV[0] = '';
  v_tbl    text    := TG_TABLE_NAME;
  v_shared uuid    := '{{SHARED}}';
  v_node   text    := '{{NODE}}';
  v_node_json text := to_json(v_node)::text;
  v_plain  boolean;
  v_allvers jsonb;
  v_rows   bigint;
  v_now    bigint;
  v_min    bigint;
BEGIN
  -- A device push writes its own change log entries and says so; only a
  -- push that begin_push opened in this transaction is believed.
  IF coalesce(current_setting('pam_sync.origin', true), '') <> ''
     AND EXISTS (SELECT 1 FROM pam_sync.push_tx p
                 WHERE p.xid = pg_catalog.pg_current_xact_id()
                   AND p.device_id::text = current_setting('pam_sync.origin', true)) THEN
    RETURN NULL;
  END IF;
  -- Server HLC: Unix milliseconds << 16, counter 0.
  v_now := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint << 16;
  -- A device's push of a captured table (shared, or adopted from the
  -- project) versions what landed after its own newest change, so the
  -- device takes it even with a clock ahead of ours; bounded like the
  -- versions a push may log.
  v_min := least(coalesce(nullif(current_setting('pam_sync.min_hlc', true), '')::bigint + 1, 0),
                 floor(extract(epoch FROM clock_timestamp() + interval '{{FUTURE}} days') * 1000)::bigint << 16);
  -- v_allvers: every column at version (v_now, server), shared by all the
  -- whole rows of this statement that hold no newer version (a bulk insert
  -- parses it once, not once a row). v_plain: no column name needs JSON
  -- escaping, so names are quoted by concatenation.
  SELECT jsonb_object_agg(a.attname, jsonb_build_object('t', v_now, 'n', v_node)),
         bool_and(a.attname::text ~ '^[A-Za-z0-9_ $-]*$')
    INTO v_allvers, v_plain
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
  -- Plan each large statement for its size; reuse one generic plan for
  -- the small ones (planning this statement costs more than running it on
  -- a few rows). Both settings end with the function (its SET clause).
  IF TG_OP = 'DELETE' THEN
    SELECT count(*) INTO v_rows FROM old_rows;
  ELSE
    SELECT count(*) INTO v_rows FROM new_rows;
  END IF;
  IF v_rows <= {{SMALL}} THEN
    PERFORM pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', true);
  END IF;
  IF TG_OP = 'INSERT' THEN
    {{INSERT}};
  ELSIF TG_OP = 'UPDATE' THEN
    {{UPDATE}};
  ELSIF TG_OP = 'DELETE' THEN
    {{DELETE}};
  END IF;
  RETURN NULL;
END
$fn$`

// functionsSQL creates the capture function and the RLS lookups.
func functionsSQL() []string {
	stmt := func(src string) string { return strings.Replace(captureStatementSQL, "{{SRC}}", src, 1) }
	capture := func(name, key, row string) string {
		return strings.NewReplacer("{{KEY}}", key, "{{ROW}}", row, "{{FUNCTION}}", name).Replace(
			strings.NewReplacer(
				"{{ALL}}", scopeAll,
				"{{SHARED}}", SharedScope,
				"{{NODE}}", merge.ServerNode,
				"{{SMALL}}", strconv.Itoa(smallStatement),
				"{{FUTURE}}", strconv.Itoa(maxFutureHLCDays),
				"{{INSERT}}", stmt(srcInsert),
				"{{UPDATE}}", stmt(srcUpdate),
				"{{DELETE}}", stmt(srcDelete),
			).Replace(captureFunctionSQL))
	}
	return []string{
		capture("pam_sync.capture", "id", "to_jsonb(x)"),
		// Adopted tables whose own id is not a uuid: devices know a row by
		// its sync key, sent to them as "id"; the project's id stays
		// central.
		capture("pam_sync.capture_keyed", SyncKey, fmt.Sprintf("jsonb_set(to_jsonb(x) - %s, '{id}', to_jsonb(x.%s))", quoteLiteral(SyncKey), SyncKey)),
		// my_users: the users this session acts for. A device's users come
		// from its binding, keyed on session_user (inside a definer
		// function current_user is the definer). auth.uid() serves the web
		// app; it is ignored for a device role, which could otherwise claim
		// any user by setting request.jwt.claims itself.
		//
		// PL/pgSQL, not SQL: it keeps its plan for the session, where a SQL
		// function (never inlined, being SECURITY DEFINER) plans the union
		// over pg_roles again on every call — once per statement of every
		// policy that names it.
		fmt.Sprintf(`CREATE OR REPLACE FUNCTION pam_sync.my_users() RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pam_sync, pg_temp
AS $fn$
BEGIN
  RETURN QUERY
  SELECT user_id FROM pam_sync.device_users WHERE role_name = session_user
  UNION
  SELECT auth.uid()
  WHERE auth.uid() IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                    WHERE r.rolname = session_user AND NOT r.rolsuper
                      AND pg_catalog.pg_has_role(r.oid, %s, 'MEMBER'));
END
$fn$`, quoteLiteral(DeviceGroup)),
		// my_devices: the device ids registered by this session's role;
		// a definer function so that policies on other pam_sync tables can
		// consult devices without recursing into its own policies.
		`CREATE OR REPLACE FUNCTION pam_sync.my_devices() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pam_sync, pg_temp
AS $fn$
  SELECT device_id FROM pam_sync.devices WHERE role_name = session_user
$fn$`,
	}
}
