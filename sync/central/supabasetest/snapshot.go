package supabasetest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// snapshotQueries read the catalog of the schemas public and auth (and any
// other schema but the system ones, so a schema an installer adds shows up),
// one text line per fact. Names of generated objects (constraint and index
// names derive from table and column names) are stable across databases;
// OIDs never appear.
var snapshotQueries = []struct{ kind, sql string }{
	{"schema", `SELECT n.nspname || ' owner=' || pg_get_userbyid(n.nspowner) || ' acl=' || coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(n.nspacl) x ORDER BY 1), ','), '')
FROM pg_namespace n WHERE ` + userSchemas("n.nspname")},
	{"relation", `SELECT n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' owner=' || pg_get_userbyid(c.relowner)
  || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity || ' replident=' || c.relreplident::text
  || ' acl=' || coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(c.relacl) x ORDER BY 1), ','), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'S', 'p', 'f') AND ` + userSchemas("n.nspname")},
	{"column", `SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
  || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
  || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
  || CASE WHEN a.attidentity <> '' THEN ' identity=' || a.attidentity::text ELSE '' END
  || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END
  || ' pos=' || a.attnum
  || coalesce(' acl=' || nullif(array_to_string(ARRAY(SELECT x::text FROM unnest(a.attacl) x ORDER BY 1), ','), ''), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND ` + userSchemas("n.nspname")},
	{"constraint", `SELECT n.nspname || '.' || c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid, true)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ` + userSchemas("n.nspname")},
	{"index", `SELECT pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ` + userSchemas("n.nspname")},
	{"view", `SELECT n.nspname || '.' || c.relname || ' ' || regexp_replace(pg_get_viewdef(c.oid, true), '\s+', ' ', 'g')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ` + userSchemas("n.nspname")},
	{"policy", `SELECT schemaname || '.' || tablename || ' ' || quote_ident(policyname) || ' ' || permissive || ' ' || cmd
  || ' to=' || array_to_string(ARRAY(SELECT r::text FROM unnest(roles) r ORDER BY 1), ',')
  || coalesce(' using=' || qual, '') || coalesce(' check=' || with_check, '')
FROM pg_policies WHERE ` + userSchemas("schemaname")},
	{"trigger", `SELECT pg_get_triggerdef(t.oid, true) || ' enabled=' || t.tgenabled::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND ` + userSchemas("n.nspname")},
	{"function", `SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') returns '
  || pg_get_function_result(p.oid) || ' owner=' || pg_get_userbyid(p.proowner) || ' secdef=' || p.prosecdef
  || coalesce(' config=' || array_to_string(p.proconfig, ','), '')
  || ' acl=' || coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(p.proacl) x ORDER BY 1), ','), '')
  || ' body=' || md5(p.prosrc)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ` + userSchemas("n.nspname")},
	{"default_acl", `SELECT pg_get_userbyid(d.defaclrole) || ' ' || coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text
  || ' ' || array_to_string(ARRAY(SELECT x::text FROM unnest(d.defaclacl) x ORDER BY 1), ',')
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`},
	{"publication", `SELECT p.pubname || ' owner=' || pg_get_userbyid(p.pubowner) || ' all=' || p.puballtables
  || ' ' || coalesce((SELECT string_agg(t.schemaname || '.' || t.tablename, ',' ORDER BY t.schemaname, t.tablename)
                      FROM pg_publication_tables t WHERE t.pubname = p.pubname), '')
FROM pg_publication p`},
	{"event_trigger", `SELECT evtname || ' ' || evtevent || ' ' || evtenabled::text FROM pg_event_trigger`},
	{"extension", `SELECT extname || ' ' || extversion FROM pg_extension`},
	{"database", `SELECT 'acl=' || coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(datacl) x ORDER BY 1), ','), '')
FROM pg_database WHERE datname = current_database()`},
	{"role_setting", `SELECT coalesce(pg_get_userbyid(s.setrole), '*') || ' ' || array_to_string(s.setconfig, ',')
FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()`},
}

// userSchemas is the condition on a schema name column that leaves out the
// system schemas.
func userSchemas(col string) string {
	return fmt.Sprintf("%[1]s NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND %[1]s NOT LIKE 'pg\\_temp\\_%%' AND %[1]s NOT LIKE 'pg\\_toast\\_temp\\_%%'", col)
}

// Snapshot returns the catalog of the database of adminURL as sorted text:
// schemas, tables and views with owner, RLS flags and grants, columns with
// types, nullability and defaults, constraints, indexes, view definitions,
// policies (with their roles), triggers, functions (with a digest of the
// body and their grants), default privileges, publications with their
// tables, event triggers, extensions, database grants and per-database role
// settings. Equal snapshots mean an operation changed nothing there.
// Cluster-wide role attributes are not part of it.
func Snapshot(ctx context.Context, adminURL string) (string, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("snapshot: connect: %w", err)
	}
	defer conn.Close(ctx)
	var b strings.Builder
	for _, q := range snapshotQueries {
		rows, err := conn.Query(ctx, q.sql)
		if err != nil {
			return "", fmt.Errorf("snapshot %s: %w", q.kind, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return "", fmt.Errorf("snapshot %s: %w", q.kind, err)
		}
		sort.Strings(lines)
		for _, l := range lines {
			b.WriteString(q.kind)
			b.WriteString(" ")
			b.WriteString(l)
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}
