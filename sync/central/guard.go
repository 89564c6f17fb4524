package central

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/merge"
)

// The device boundary. Two rules keep a device role inside its users' data
// whatever else the database holds:
//
//   - Restrictive policies on every base table bound pam_device to its
//     users' rows. Permissive policies are OR-ed, so a project's own
//     policies without a TO clause (the web app's auth.uid() = user_id)
//     would otherwise apply to device roles too, and a device can set
//     request.jwt.claims to any user. Restrictive policies are AND-ed with
//     whatever permissive ones exist: nothing another policy says widens
//     them.
//   - A device writes sync bookkeeping (pam_sync) only through the SECURITY
//     DEFINER functions below, which check what they write: the rows'
//     scopes are the device's users (or the shared scope, for a row of a
//     shared table that one of its users owns), sequence numbers are
//     allocated by central, the origin and node of every logged change are
//     the pushing device, and the capture trigger is skipped only inside a
//     push that begin_push opened. It has no INSERT, UPDATE or DELETE on
//     any pam_sync table.

// Restrictive policy names on the base tables, one per command.
const (
	policyBoundSelect = "pam_device_bound_select"
	policyBoundInsert = "pam_device_bound_insert"
	policyBoundUpdate = "pam_device_bound_update"
	policyBoundDelete = "pam_device_bound_delete"
)

var boundPolicies = []string{policyBoundSelect, policyBoundInsert, policyBoundUpdate, policyBoundDelete}

// maxFutureHLC bounds how far ahead of the server's clock a pushed change's
// HLC may be. A device clock a day fast still syncs (and is reported as an
// anomaly); a version years ahead would win every later edit, so it is
// refused.
const maxFutureHLCDays = 30

// maxSkewMS is the clock skew beyond which a push is recorded in
// pam_sync.anomalies (five minutes, as hlc.MaxDrift).
const maxSkewMS = 5 * 60 * 1000

// boundPoliciesSQL bounds the device group on one base table: reads to its
// users' rows (or every row where every user reads them), writes to its
// users' rows; tables without an owner are read-only to it.
func boundPoliciesSQL(t *schema.Table, tbl, key string) []string {
	var s []string
	for _, p := range boundPolicies {
		s = append(s, fmt.Sprintf(`DROP POLICY IF EXISTS %s ON %s`, p, tbl))
	}
	dev := pgx.Identifier{DeviceGroup}.Sanitize()
	read, own := "true", "false"
	// The shared scope's marker is never a row's id: a row with it would
	// be logged and versioned as if it were the scope itself.
	if key == "" {
		key = "id"
	}
	notShared := " AND " + schema.Quote(key) + " <> " + quoteLiteral(SharedScope) + "::uuid"
	if t.Owner != "" {
		owner := schema.Quote(t.Owner)
		own = owner + " IN " + myUsers
		switch t.Read {
		case schema.ReadOwn:
			read = own
		case schema.ReadOwnOrUnowned:
			read = own + " OR " + owner + " IS NULL"
		}
	}
	for _, p := range []policy{
		{name: policyBoundSelect, cmd: "SELECT", using: read},
		{name: policyBoundInsert, cmd: "INSERT", check: "(" + own + ")" + notShared},
		{name: policyBoundUpdate, cmd: "UPDATE", using: own, check: "(" + own + ")" + notShared},
		{name: policyBoundDelete, cmd: "DELETE", using: own},
	} {
		p.to = dev
		s = append(s, strings.Replace(p.sql(tbl), "AS PERMISSIVE", "AS RESTRICTIVE", 1))
	}
	return s
}

// registrySQL records, for the push functions, which tables a device may
// write, under which owner column, and whether their changes are logged in
// the shared scope.
func registrySQL(cat *schema.Catalog, plan *Plan) []string {
	s := []string{`CREATE TABLE IF NOT EXISTS pam_sync.tables (
  tbl text PRIMARY KEY,
  rel regclass NOT NULL,
  owner_col text,
  shared boolean NOT NULL,
  writable boolean NOT NULL,
  key_col text NOT NULL DEFAULT 'id',
  adopted boolean NOT NULL DEFAULT false
)`, `COMMENT ON COLUMN pam_sync.tables.key_col IS 'the uuid column devices know a row by: id, or pam_id where an adopted table''s own id is not a uuid'`}
	var names []string
	for _, t := range cat.Tables {
		if t.View {
			continue
		}
		names = append(names, quoteLiteral(t.Name))
		var owner = "NULL"
		if t.Owner != "" {
			owner = quoteLiteral(t.Owner)
		}
		shared := t.Read == schema.ReadAll || t.Owner == ""
		tp, _ := plan.Table(t.Name)
		key := tp.Key
		if key == "" {
			key = "id"
		}
		s = append(s, fmt.Sprintf(`INSERT INTO pam_sync.tables (tbl, rel, owner_col, shared, writable, key_col, adopted)
VALUES (%s, %s::regclass, %s, %t, %t, %s, %t)
ON CONFLICT (tbl) DO UPDATE SET rel = excluded.rel, owner_col = excluded.owner_col, shared = excluded.shared, writable = excluded.writable, key_col = excluded.key_col, adopted = excluded.adopted
WHERE (tables.rel, tables.owner_col, tables.shared, tables.writable, tables.key_col, tables.adopted) IS DISTINCT FROM (excluded.rel, excluded.owner_col, excluded.shared, excluded.writable, excluded.key_col, excluded.adopted)`,
			quoteLiteral(t.Name), quoteLiteral(schema.Quote(t.Name)), owner, shared, Writable(t), quoteLiteral(key), tp.Adopted()))
	}
	s = append(s, fmt.Sprintf(`DELETE FROM pam_sync.tables WHERE tbl NOT IN (%s)`, strings.Join(names, ", ")))
	return s
}

// pushTxSQL is the marker of a push in progress: begin_push records the
// transaction, and the capture trigger leaves logging to the writer only
// when the transaction is marked for the device named in pam_sync.origin.
// A device that sets pam_sync.origin itself is captured as any writer.
const pushTxSQL = `CREATE TABLE IF NOT EXISTS pam_sync.push_tx (
  xid xid8 PRIMARY KEY,
  device_id uuid NOT NULL
)`

// definer is the common head of the push functions: they run with the
// installing role's rights, on a fixed search path.
const definer = `SECURITY DEFINER
SET search_path = pg_catalog, pam_sync, pg_temp`

// pushFunctionsSQL creates the functions a device pushes through. Each
// raises insufficient_privilege (42501) on anything the device may not
// write, which the device's push treats as a refusal of the data.
func pushFunctionsSQL() []string {
	r := strings.NewReplacer(
		"{{DEFINER}}", definer,
		"{{SHARED}}", SharedScope,
		"{{FUTURE}}", fmt.Sprint(maxFutureHLCDays),
		"{{SKEW}}", fmt.Sprint(maxSkewMS),
	)
	out := make([]string, len(pushFunctions))
	for i, f := range pushFunctions {
		out[i] = r.Replace(f)
	}
	return out
}

var pushFunctions = []string{
	// begin_push registers the device to this session's role on its first
	// push, locks its row (pushes of one device are serial), marks the
	// transaction as its push and returns the last local sequence applied.
	`CREATE OR REPLACE FUNCTION pam_sync.begin_push(p_device uuid) RETURNS bigint
LANGUAGE plpgsql {{DEFINER}}
AS $fn$
DECLARE
  v_role text;
  v_last bigint;
BEGIN
  INSERT INTO devices (device_id, role_name) VALUES (p_device, session_user) ON CONFLICT (device_id) DO NOTHING;
  SELECT role_name, last_seq INTO v_role, v_last FROM devices WHERE device_id = p_device FOR UPDATE;
  IF v_role IS DISTINCT FROM session_user THEN
    RAISE EXCEPTION 'pam_sync: device % is registered to another role', p_device USING ERRCODE = '42501';
  END IF;
  INSERT INTO push_tx (xid, device_id) VALUES (pg_current_xact_id(), p_device)
    ON CONFLICT (xid) DO UPDATE SET device_id = excluded.device_id;
  PERFORM set_config('pam_sync.origin', p_device::text, true);
  RETURN v_last;
END
$fn$`,
	// push_users returns the users of the device pushing in this
	// transaction, or refuses when no push of p_device is open here.
	`CREATE OR REPLACE FUNCTION pam_sync.push_users(p_device uuid) RETURNS uuid[]
LANGUAGE plpgsql STABLE {{DEFINER}}
AS $fn$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM push_tx p JOIN devices d USING (device_id)
                 WHERE p.xid = pg_current_xact_id() AND p.device_id = p_device AND d.role_name = session_user) THEN
    RAISE EXCEPTION 'pam_sync: no push of device % is open in this transaction', p_device USING ERRCODE = '42501';
  END IF;
  RETURN ARRAY(SELECT my_users());
END
$fn$`,
	// lock_versions locks and returns the versions of the rows a push is
	// about to merge, those of its users and of the shared scope only.
	`CREATE OR REPLACE FUNCTION pam_sync.lock_versions(p_tbls text[], p_ids uuid[])
RETURNS TABLE (tbl text, row_id text, cl bigint, cells jsonb)
LANGUAGE plpgsql {{DEFINER}}
AS $fn$
BEGIN
  -- PL/pgSQL keeps the plan for the session; a SQL function would plan
  -- it again on every call.
  RETURN QUERY
  SELECT m.tbl, m.row_id::text, m.cl, m.cells FROM row_meta m
  JOIN unnest(p_tbls, p_ids) AS k(t, r) ON m.tbl = k.t AND m.row_id = k.r
  WHERE m.user_id IN (SELECT my_users()) OR m.user_id = '{{SHARED}}'
  ORDER BY m.tbl, m.row_id FOR UPDATE OF m;
END
$fn$`,
	// put_versions records rows' merged versions. A row must be of a table
	// devices write, in one of the device's scopes: its users', or the
	// shared scope for a shared table. Existing versions of another user's
	// row are never replaced, and a row that exists must belong to one of
	// the device's users — for a shared row whose base row is gone, the
	// versions must have been written by this transaction's own delete.
	`CREATE OR REPLACE FUNCTION pam_sync.put_versions(p_device uuid, p_tbls text[], p_ids text[], p_users text[], p_cls bigint[], p_cells text[])
RETURNS void
LANGUAGE plpgsql {{DEFINER}}
AS $fn$
DECLARE
  v_users uuid[] := push_users(p_device);
  v_n bigint := greatest(cardinality(p_tbls), cardinality(p_ids), cardinality(p_users), cardinality(p_cls), cardinality(p_cells));
  v_done bigint;
  v_bad text;
  v_t record;
BEGIN
  -- Scopes are checked once per (table, scope) pair, not once a row.
  SELECT x.t || ' in scope ' || coalesce(x.u, 'NULL') INTO v_bad
    FROM (SELECT DISTINCT y.t, y.u FROM unnest(p_tbls, p_users) AS y(t, u)) x
    LEFT JOIN tables pt ON pt.tbl = x.t
   WHERE pt.tbl IS NULL OR NOT pt.writable
      OR (CASE WHEN pt.shared THEN x.u::uuid = '{{SHARED}}' ELSE x.u::uuid = ANY (v_users) END) IS NOT TRUE
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'pam_sync: versions of % are outside this device''s scopes', v_bad USING ERRCODE = '42501';
  END IF;
  FOR v_t IN SELECT pt.tbl, pt.rel, pt.owner_col, pt.shared, pt.key_col FROM tables pt WHERE pt.tbl = ANY (p_tbls) LOOP
    EXECUTE format('SELECT x.r FROM unnest($1, $2::uuid[]) AS x(t, r) LEFT JOIN %s b ON b.%I = x.r
                     WHERE x.t = $3 AND CASE WHEN b.%I IS NOT NULL THEN b.%I IS NULL OR b.%I <> ALL ($4)
                                             ELSE $5 AND EXISTS (SELECT 1 FROM pam_sync.row_meta m WHERE m.tbl = x.t AND m.row_id = x.r
                                                                   AND m.xmin <> pg_current_xact_id()::xid) END
                     LIMIT 1', v_t.rel, v_t.key_col, v_t.key_col, v_t.owner_col, v_t.owner_col)
      INTO v_bad USING p_tbls, p_ids, v_t.tbl, v_users, v_t.shared;
    IF v_bad IS NOT NULL THEN
      RAISE EXCEPTION 'pam_sync: %/% is not a row of this device''s users', v_t.tbl, v_bad USING ERRCODE = '42501';
    END IF;
  END LOOP;
  -- Existing versions are replaced only in the device's scopes: a row of
  -- another user's is skipped, and then refused (the count falls short).
  INSERT INTO row_meta AS m (tbl, row_id, user_id, cl, cells)
  SELECT t, r::uuid, u::uuid, c, j::jsonb FROM unnest(p_tbls, p_ids, p_users, p_cls, p_cells) AS x(t, r, u, c, j)
  ON CONFLICT (tbl, row_id) DO UPDATE SET cl = excluded.cl, cells = excluded.cells, user_id = excluded.user_id
  WHERE m.user_id = '{{SHARED}}' OR m.user_id = ANY (v_users);
  GET DIAGNOSTICS v_done = ROW_COUNT;
  IF v_done <> v_n THEN
    SELECT m.tbl || '/' || m.row_id INTO v_bad
      FROM row_meta m JOIN unnest(p_tbls, p_ids::uuid[]) AS x(t, r) ON m.tbl = x.t AND m.row_id = x.r
     WHERE m.user_id <> '{{SHARED}}' AND m.user_id <> ALL (v_users)
     LIMIT 1;
    RAISE EXCEPTION 'pam_sync: % belongs to another user', coalesce(v_bad, 'a row') USING ERRCODE = '42501';
  END IF;
END
$fn$`,
	// log_changes appends a push's entries to its users' change logs.
	// Central allocates the sequence numbers (one range per scope, taken
	// in scope order under the clock's row lock, held to commit); origin
	// and node are the pushing device; no version may be far ahead of the
	// server's clock. Entries sent grouped by scope (a device of one user
	// always does) are numbered by their position, scope by scope: no
	// sort, no window, no join; others are ranked within their scope.
	`CREATE OR REPLACE FUNCTION pam_sync.log_changes(p_device uuid, p_users text[], p_tbls text[], p_ids text[], p_cls bigint[], p_cells text[], p_origin_seqs bigint[], p_hlcs bigint[])
RETURNS void
LANGUAGE plpgsql {{DEFINER}}
AS $fn$
DECLARE
  v_users uuid[] := push_users(p_device);
  v_limit bigint := floor(extract(epoch FROM clock_timestamp() + interval '{{FUTURE}} days') * 1000)::bigint << 16;
  v_scopes uuid[];
  v_counts bigint[];
  v_firsts bigint[];
  v_grouped boolean;
  v_bad text;
  v_end bigint;
  v_dev text := p_device::text;
BEGIN
  -- Each scope once: its entries, and whether they are contiguous. A
  -- scope spelt two ways is two groups, taken in the order sent.
  SELECT array_agg(s.u::uuid ORDER BY s.u::uuid, s.lo), array_agg(s.n ORDER BY s.u::uuid, s.lo), array_agg(s.lo ORDER BY s.u::uuid, s.lo),
         coalesce(bool_and(s.hi - s.lo + 1 = s.n), true),
         min(coalesce(s.u, 'NULL')) FILTER (WHERE (s.u::uuid = ANY (v_users)) IS NOT TRUE)
    INTO v_scopes, v_counts, v_firsts, v_grouped, v_bad
    FROM (SELECT x.u, count(*) AS n, min(x.ord) AS lo, max(x.ord) AS hi
            FROM unnest(p_users) WITH ORDINALITY AS x(u, ord) GROUP BY x.u) s;
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'pam_sync: user % is not bound to this device', v_bad USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(p_hlcs) AS x(h) WHERE x.h > v_limit OR x.h < 0) THEN
    RAISE EXCEPTION 'pam_sync: a change is versioned more than {{FUTURE}} days ahead of the server''s clock' USING ERRCODE = '22008';
  END IF;
  IF cardinality(p_tbls) <> cardinality(p_users) OR cardinality(p_ids) <> cardinality(p_users) OR cardinality(p_cls) <> cardinality(p_users)
     OR cardinality(p_cells) <> cardinality(p_users) OR cardinality(p_origin_seqs) <> cardinality(p_users) OR cardinality(p_hlcs) <> cardinality(p_users) THEN
    RAISE EXCEPTION 'pam_sync: log_changes takes arrays of one length' USING ERRCODE = '22023';
  END IF;
  IF v_grouped THEN
    FOR i IN 1 .. coalesce(cardinality(v_scopes), 0) LOOP
      INSERT INTO user_clock AS uc (user_id, seq) VALUES (v_scopes[i], v_counts[i])
      ON CONFLICT (user_id) DO UPDATE SET seq = uc.seq + excluded.seq
      RETURNING uc.seq INTO v_end;
      INSERT INTO change_log (user_id, seq, tbl, row_id, cl, cells, origin, origin_seq, hlc, node)
      SELECT v_scopes[i], v_end - v_counts[i] + 1 - v_firsts[i] + x.ord, x.t, x.r::uuid, x.c, x.j::jsonb, v_dev, x.o, x.h, v_dev
        FROM unnest(p_tbls, p_ids, p_cls, p_cells, p_origin_seqs, p_hlcs) WITH ORDINALITY AS x(t, r, c, j, o, h, ord)
       WHERE x.ord BETWEEN v_firsts[i] AND v_firsts[i] + v_counts[i] - 1;
    END LOOP;
    RETURN;
  END IF;
  WITH x AS MATERIALIZED (
    SELECT x.u::uuid AS u, x.t, x.r::uuid AS r, x.c, x.j, x.o, x.h,
           row_number() OVER (PARTITION BY x.u::uuid ORDER BY x.ord) AS rn,
           count(*) OVER (PARTITION BY x.u::uuid) AS cnt
      FROM unnest(p_users, p_tbls, p_ids, p_cls, p_cells, p_origin_seqs, p_hlcs) WITH ORDINALITY AS x(u, t, r, c, j, o, h, ord)
  ),
  alloc AS (
    INSERT INTO user_clock AS uc (user_id, seq)
    SELECT u, count(*) FROM x GROUP BY u ORDER BY u
    ON CONFLICT (user_id) DO UPDATE SET seq = uc.seq + excluded.seq
    RETURNING uc.user_id, uc.seq
  )
  INSERT INTO change_log (user_id, seq, tbl, row_id, cl, cells, origin, origin_seq, hlc, node)
  SELECT x.u, a.seq - x.cnt + x.rn, x.t, x.r, x.c, x.j::jsonb, p_device::text, x.o, x.h, p_device::text
    FROM x JOIN alloc a ON a.user_id = x.u;
END
$fn$`,
	// add_conflicts records what a push's merge overwrote or refused, in
	// the device's scopes.
	`CREATE OR REPLACE FUNCTION pam_sync.add_conflicts(p_device uuid, p_users text[], p_tbls text[], p_ids text[], p_cols text[], p_winners text[], p_losers text[], p_reasons text[])
RETURNS void
LANGUAGE plpgsql {{DEFINER}}
AS $fn$
DECLARE
  v_users uuid[] := push_users(p_device);
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(p_users) AS x(u) WHERE x.u::uuid <> '{{SHARED}}' AND x.u::uuid <> ALL (v_users)) THEN
    RAISE EXCEPTION 'pam_sync: a conflict names a user not bound to this device' USING ERRCODE = '42501';
  END IF;
  INSERT INTO conflicts (user_id, tbl, row_id, col, winner, loser, reason, origin)
  SELECT u::uuid, t, r::uuid, c, w::jsonb, l::jsonb, re, p_device::text
    FROM unnest(p_users, p_tbls, p_ids, p_cols, p_winners, p_losers, p_reasons) AS x(u, t, r, c, w, l, re);
END
$fn$`,
	// end_push records the outcome of each local transaction of the batch,
	// advances the device, measures its clock against the server's (an
	// anomaly past five minutes) and closes the push. It returns the skew
	// in milliseconds.
	`CREATE OR REPLACE FUNCTION pam_sync.end_push(p_device uuid, p_txs bigint[], p_firsts bigint[], p_lasts bigint[], p_statuses text[], p_reasons text[], p_last_seq bigint, p_hlc bigint, p_hlc_text text)
RETURNS bigint
LANGUAGE plpgsql {{DEFINER}}
AS $fn$
DECLARE
  v_users uuid[] := push_users(p_device);
  v_skew bigint;
BEGIN
  INSERT INTO push_outcomes (device_id, tx, first_seq, last_seq, status, reason)
  SELECT p_device, * FROM unnest(p_txs, p_firsts, p_lasts, p_statuses, p_reasons)
  ON CONFLICT (device_id, tx) DO NOTHING;
  UPDATE devices SET last_seq = greatest(last_seq, p_last_seq), last_seen = now(),
         skew_ms = (p_hlc >> 16) - (extract(epoch FROM clock_timestamp()) * 1000)::bigint
   WHERE device_id = p_device
  RETURNING skew_ms INTO v_skew;
  IF abs(v_skew) > {{SKEW}} THEN
    INSERT INTO anomalies (device_id, kind, detail)
    VALUES (p_device, 'clock_skew', jsonb_build_object('skew_ms', v_skew, 'hlc', p_hlc_text));
    UPDATE devices SET anomalies = anomalies + 1 WHERE device_id = p_device;
  END IF;
  DELETE FROM push_tx WHERE xid = pg_current_xact_id();
  RETURN v_skew;
END
$fn$`,
}

// pushFunctionNames lists the functions granted to the device group.
var pushFunctionNames = []string{
	"begin_push(uuid)",
	"push_users(uuid)",
	"lock_versions(text[], uuid[])",
	"put_versions(uuid, text[], text[], text[], bigint[], text[])",
	"log_changes(uuid, text[], text[], text[], bigint[], text[], bigint[], bigint[])",
	"add_conflicts(uuid, text[], text[], text[], text[], text[], text[], text[])",
	"end_push(uuid, bigint[], bigint[], bigint[], text[], text[], bigint, bigint, text)",
}

// backfillFunctionSQL logs the rows of one table that predate capture (no
// row_meta: they were there before Init, or written with the triggers
// off) as inserts in their scopes' change logs, every column at one server
// version. The initial snapshot is thus part of the log itself: a device
// pulling from its cursor gets it exactly once, resumably, in order with
// everything after it, and a device bound to a user later gets the user's
// rows from the start of the log. A second run logs nothing.
const backfillFunctionSQL = `CREATE OR REPLACE FUNCTION pam_sync.backfill(p_tbl text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pam_sync, pg_temp
SET TimeZone = 'UTC'
AS $fn$
DECLARE
  v_t record;
  v_now bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint << 16;
  v_vers jsonb;
  v_scope text;
  v_row text;
  v_n bigint;
BEGIN
  SELECT * INTO v_t FROM tables WHERE tbl = p_tbl;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'pam_sync: backfill: unknown table %', p_tbl;
  END IF;
  SELECT jsonb_object_agg(a.attname, jsonb_build_object('t', v_now, 'n', '{{NODE}}'))
    INTO v_vers
    FROM pg_attribute a WHERE a.attrelid = v_t.rel AND a.attnum > 0 AND NOT a.attisdropped;
  -- Devices know a row by its key, sent as "id".
  v_row := CASE WHEN v_t.key_col = 'id' THEN 'to_jsonb(x)'
                ELSE format('jsonb_set(to_jsonb(x) - %L, ''{id}'', to_jsonb(x.%I))', v_t.key_col, v_t.key_col) END;
  IF v_t.shared OR v_t.owner_col IS NULL THEN
    v_scope := format('%L::uuid', '{{SHARED}}');
  ELSE
    v_scope := format('coalesce(x.%I, %L::uuid)', v_t.owner_col, '{{SHARED}}');
  END IF;
  EXECUTE format($q$
    WITH src AS MATERIALIZED (
      SELECT x.%I AS row_id, %s AS ra, %s AS uid FROM %s x
       WHERE NOT EXISTS (SELECT 1 FROM pam_sync.row_meta m WHERE m.tbl = $1 AND m.row_id = x.%I)
    ),
    ent AS MATERIALIZED (
      SELECT s.*, row_number() OVER (PARTITION BY s.uid ORDER BY s.row_id) AS rn,
             count(*) OVER (PARTITION BY s.uid) AS cnt
        FROM src s
    ),
    alloc AS (
      INSERT INTO pam_sync.user_clock AS uc (user_id, seq)
      SELECT uid, count(*) FROM ent GROUP BY uid ORDER BY uid
      ON CONFLICT (user_id) DO UPDATE SET seq = uc.seq + excluded.seq
      RETURNING uc.user_id, uc.seq
    ),
    meta AS (
      INSERT INTO pam_sync.row_meta (tbl, row_id, user_id, cl, cells)
      SELECT $1, row_id, uid, 1, $2 FROM ent
    )
    INSERT INTO pam_sync.change_log (user_id, seq, tbl, row_id, cl, cells, origin, hlc, node)
    SELECT e.uid, a.seq - e.cnt + e.rn, $1, e.row_id, 1, e.ra, '{{NODE}}', $3, '{{NODE}}'
      FROM ent e JOIN alloc a ON a.user_id = e.uid
  $q$, v_t.key_col, v_row, v_scope, v_t.rel, v_t.key_col) USING p_tbl, v_vers, v_now;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END
$fn$`

// backfillSQL creates the backfill function and runs it on every base
// table.
func backfillSQL(cat *schema.Catalog) []string {
	s := []string{strings.NewReplacer("{{NODE}}", merge.ServerNode, "{{SHARED}}", SharedScope).Replace(backfillFunctionSQL)}
	for _, t := range cat.Tables {
		if !t.View {
			s = append(s, fmt.Sprintf(`SELECT pam_sync.backfill(%s)`, quoteLiteral(t.Name)))
		}
	}
	return s
}
