package supabasetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Statement is one request of the web app as it reaches the database: run in
// its own transaction as Role, with the claims of User (UserU, UserV, or ""
// for none: then the claims carry only the role, as PostgREST sends them for
// anon and service_role).
type Statement struct {
	Name string
	// Role is anon, authenticated or service_role (reached through
	// authenticator, as PostgREST does) or supabase_auth_admin (GoTrue's own
	// login).
	Role string
	User string
	// Table, when set, is the web app table (or view) the result rows come
	// from: only the columns the web app has there (webColumns) are kept, so
	// columns added by an adoption do not change the result.
	Table string
	// SQL is one statement; it returns rows when it is a SELECT or has
	// RETURNING, otherwise the result is the number of rows it affected.
	SQL string
	// Args are the values of $1, $2, ...; a Ref is resolved to the id of one
	// row, as text (the web app sends filters as text: PostgREST's "id=eq.5").
	Args []any
	// Commit keeps the statement's effects for the following statements;
	// otherwise it is rolled back.
	Commit bool
}

// Ref names one existing row by a condition on its table; Run replaces it by
// that row's id as text, read by the administrator just before the statement.
type Ref struct {
	Table string
	Where string
}

// Result is what a statement gave, comparable with ==: the error's SQLSTATE
// (empty on success), the rows as sorted JSON lines (keys sorted; generated
// values - ids, timestamps - replaced by their JSON type: "<number>",
// "<string>", "<null>"), and the row count.
type Result struct {
	Name     string
	SQLState string
	Rows     string
	Count    int64
}

func (r Result) String() string {
	if r.SQLState != "" {
		return fmt.Sprintf("%s: ERROR %s", r.Name, r.SQLState)
	}
	if r.Rows == "" {
		return fmt.Sprintf("%s: %d rows", r.Name, r.Count)
	}
	return fmt.Sprintf("%s: %d rows\n%s", r.Name, r.Count, r.Rows)
}

// generated are the columns whose values the database makes up (serials,
// gen_random_uuid(), now()): results keep only their JSON type.
var generated = map[string]bool{
	"id": true, "budget_id": true, "created_at": true, "updated_at": true, "timestamp": true,
}

// webColumns are the columns the web app has per table (types.ts Row keys,
// plus expenses.receipt_url from 20250722150000-add-receipt-url-to-expenses.sql).
var webColumns = map[string][]string{
	"expenses":            {"amount", "category", "created_at", "date", "description", "expense_date", "id", "receipt_url", "user_id"},
	"fuel_log":            {"consumption", "created_at", "date", "filled_to_top", "id", "location", "notes", "odometer", "price", "receipt_metadata", "receipt_photo_url", "receipt_url", "region", "total", "user_id", "volume"},
	"maintenance_records": {"cost", "created_at", "date", "id", "mileage", "next_due_date", "next_due_mileage", "notes", "receipt_photo_url", "status", "task", "user_id"},
	"budgets":             {"alert_threshold", "budgeted_amount", "category", "created_at", "end_date", "id", "monthly_limit", "name", "start_date", "user_id"},
	"budget_summary":      {"budget_id", "name", "total_budget", "total_remaining", "total_spent", "user_id"},
	"income_entries":      {"amount", "created_at", "date", "description", "id", "source", "type", "user_id"},
	"calendar_events":     {"all_day", "color", "created_at", "description", "end_date", "event_type", "id", "is_private", "location_name", "reminder_minutes", "start_date", "title", "updated_at", "user_id"},
	"social_posts":        {"comment_count", "comments_count", "content", "created_at", "downvotes", "group_id", "id", "image_url", "location", "status", "upvotes", "user_id", "video_url"},
	"pam_analytics_logs":  {"api_calls_count", "confidence", "confidence_level", "created_at", "day_of_week", "error_message", "error_type", "event_data", "event_type", "has_error", "hour_of_day", "id", "intent", "is_weekend", "log_id", "log_level", "message", "message_preview", "metadata", "raw_context", "response_time_ms", "session_id", "success", "timestamp", "trace_id", "user_id", "validation_passed", "voice_enabled", "workflow_name"},
	"profiles":            {"accessibility", "accessibility_needs", "budget_range", "camp_types", "cancellation_token", "content_preferences", "created_at", "current_latitude", "current_longitude", "destination_latitude", "destination_longitude", "email", "emergency_contact", "fuel_type", "full_name", "gender_custom", "gender_identity", "id", "interests", "language", "last_active", "max_driving", "medical_info", "nickname", "partner_email", "partner_name", "partner_profile_image_url", "pets", "preferences", "profile_image_url", "pronouns", "pronouns_custom", "region", "role", "second_vehicle", "status", "subscription_cancelled", "towing", "travel_radius_miles", "travel_style", "trial_end_date", "trial_notification_sent", "updated_at", "vehicle_make_model", "vehicle_type"},
}

// insert builds a PostgREST-shaped insert: the JSON body goes through
// json_populate_recordset of the table's row type, so each value takes the
// column's type, and columns the body lacks (ids) take their defaults.
func insert(table string, rows ...map[string]any) (string, []any) {
	cols := idents(keys(rows[0]))
	body, _ := json.Marshal(rows) // maps of plain values always marshal
	q := fmt.Sprintf("INSERT INTO public.%[1]s (%[2]s) SELECT %[2]s FROM json_populate_recordset(NULL::public.%[1]s, $1::json) RETURNING *",
		table, strings.Join(cols, ", "))
	return q, []any{string(body)}
}

// update builds a PostgREST-shaped update of the body's columns on the rows
// matching filters (column = value, in order), returning them.
func update(table string, set map[string]any, filters ...filter) (string, []any) {
	cols := idents(keys(set))
	body, _ := json.Marshal(set)
	assign := make([]string, len(cols))
	for i, c := range cols {
		assign[i] = fmt.Sprintf("%s = p.%s", c, c)
	}
	where, args := filters2sql("t", 2, filters)
	q := fmt.Sprintf("UPDATE public.%[1]s AS t SET %[2]s FROM json_populate_record(NULL::public.%[1]s, $1::json) AS p WHERE %[3]s RETURNING t.*",
		table, strings.Join(assign, ", "), where)
	return q, append([]any{string(body)}, args...)
}

// del builds a PostgREST-shaped delete without a returned body (the app's
// .delete().eq(...) without .select()).
func del(table string, filters ...filter) (string, []any) {
	where, args := filters2sql("t", 1, filters)
	return fmt.Sprintf("DELETE FROM public.%s AS t WHERE %s", table, where), args
}

type filter struct {
	col string
	val any
}

func eq(col string, val any) filter { return filter{col, val} }

func filters2sql(alias string, first int, fs []filter) (string, []any) {
	parts := make([]string, len(fs))
	args := make([]any, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%s.%s = $%d", alias, pgx.Identifier{f.col}.Sanitize(), first+i)
		args[i] = f.val
	}
	return strings.Join(parts, " AND "), args
}

func idents(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = pgx.Identifier{c}.Sanitize()
	}
	return out
}

func keys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// WebAppStatements returns the web app's statements, in the order Run must
// run them (the last ones commit an account deletion). Each mirrors a call
// of the app (file named in the Name's comment in the source): inserts
// without ids on bigserial and on uuid-default tables, updates and deletes
// by id, reads of the user's own rows, budget_summary with its own columns,
// anon reads of approved social posts, service_role writes, and account
// deletion through auth.users with its cascades.
func WebAppStatements() []Statement {
	var out []Statement
	add := func(name, role, user, table string, commit bool, q string, args []any) {
		out = append(out, Statement{Name: name, Role: role, User: user, Table: table, SQL: q, Args: args, Commit: commit})
	}
	authU := func(name, table string, q string, args []any) {
		add(name, Authenticated, UserU, table, false, q, args)
	}
	ref := func(table, where string) Ref { return Ref{Table: table, Where: where} }
	var q string
	var a []any

	// expenses: src/hooks/useExpenseActions.ts (insert ... .select().single(),
	// delete .eq("id", parseInt(id)).eq("user_id", user.id)), src/services/expensesService.ts.
	q, a = insert("expenses", map[string]any{"user_id": UserU, "amount": 12.5, "category": "food", "date": "2026-11-20", "description": "u bakery"})
	authU("expenses/insert without id", "expenses", q, a)
	q, a = update("expenses", map[string]any{"amount": 21.5, "description": "u groceries and gas"}, eq("id", ref("expenses", "description = 'u groceries'")))
	authU("expenses/update by id", "expenses", q, a)
	q, a = del("expenses", eq("id", ref("expenses", "description = 'u campground Armidale'")), eq("user_id", UserU))
	authU("expenses/delete by id", "", q, a)
	q, a = del("expenses", eq("id", ref("expenses", "description = 'v campground Armidale'")))
	authU("expenses/delete another user's row by id", "", q, a)
	authU("expenses/read own", "expenses",
		"SELECT id, amount, category, date, description, receipt_url FROM public.expenses WHERE user_id = $1 ORDER BY date DESC", []any{UserU})
	authU("expenses/read without filter", "expenses",
		"SELECT id, amount, category, date, user_id FROM public.expenses", nil)

	// fuel_log: src/components/wheels/FuelLog.tsx (insert(entry).select(),
	// update(...).eq('id', editingEntry.id).select(), delete().eq('id', ...)).
	q, a = insert("fuel_log", map[string]any{"user_id": UserU, "date": "2026-11-16", "location": "u Inverell", "odometer": 121480, "volume": 49.3, "price": 2.01, "total": 99.09, "consumption": 9.84, "filled_to_top": true, "region": "NSW"})
	authU("fuel_log/insert without id", "fuel_log", q, a)
	q, a = update("fuel_log", map[string]any{"date": "2026-11-09", "location": "u Glen Innes", "odometer": 121015, "volume": 58.2, "price": 2.05, "total": 119.31, "consumption": 10.3, "filled_to_top": true}, eq("id", ref("fuel_log", "location = 'u Glen Innes'")))
	authU("fuel_log/update by id", "fuel_log", q, a)
	q, a = del("fuel_log", eq("id", ref("fuel_log", "location = 'u Tamworth'")))
	authU("fuel_log/delete by id", "", q, a)
	authU("fuel_log/read own", "fuel_log",
		"SELECT * FROM public.fuel_log WHERE user_id = $1 ORDER BY date DESC", []any{UserU})

	// maintenance_records: src/components/wheels/VehicleMaintenance.tsx.
	q, a = insert("maintenance_records", map[string]any{"user_id": UserU, "task": "u brake check", "date": "2026-12-20", "mileage": 122000})
	authU("maintenance_records/insert without id", "maintenance_records", q, a)
	q, a = insert("maintenance_records", map[string]any{"task": "u wiper blades", "date": "2026-12-21", "mileage": 122010})
	authU("maintenance_records/insert without id nor user_id", "maintenance_records", q, a)
	authU("maintenance_records/read own", "maintenance_records",
		"SELECT id, task, date, mileage FROM public.maintenance_records WHERE user_id = $1 ORDER BY date", []any{UserU})
	q, a = del("maintenance_records", eq("id", ref("maintenance_records", "task = 'u tyre rotation'")))
	authU("maintenance_records/delete by id", "", q, a)

	// budgets: src/components/wins/expenses/CategoryManagementModal.tsx.
	q, a = insert("budgets", map[string]any{"user_id": UserU, "category": "repairs", "budgeted_amount": 0, "start_date": "2026-11-01", "end_date": "2026-11-30"})
	authU("budgets/insert without id", "budgets", q, a)
	authU("budgets/read categories", "budgets",
		"SELECT category FROM public.budgets WHERE user_id = $1", []any{UserU})
	q, a = del("budgets", eq("user_id", UserU), eq("category", "food"))
	authU("budgets/delete by category", "", q, a)
	q, a = update("budgets", map[string]any{"budgeted_amount": 650}, eq("id", ref("budgets", "name = 'u November'")))
	authU("budgets/update by id", "budgets", q, a)

	// budget_summary: src/hooks/useBudgetSummary.ts reads the view by its own columns.
	authU("budget_summary/read own", "budget_summary",
		"SELECT budget_id, name, total_budget, total_spent, total_remaining, user_id FROM public.budget_summary", nil)
	add("budget_summary/anon reads nothing", Anon, "", "budget_summary", false,
		"SELECT budget_id, name, total_budget, total_spent, total_remaining FROM public.budget_summary", nil)

	// income_entries: src/components/wins/income/useIncomeData.ts.
	q, a = insert("income_entries", map[string]any{"user_id": UserU, "amount": 80, "source": "u busking", "date": "2026-11-21", "type": "side", "description": "weekend"})
	authU("income_entries/insert without id", "income_entries", q, a)
	q, a = update("income_entries", map[string]any{"amount": 320}, eq("id", ref("income_entries", "source = 'u markets'")))
	authU("income_entries/update by id", "income_entries", q, a)
	q, a = del("income_entries", eq("id", ref("income_entries", "source = 'u markets'")))
	authU("income_entries/delete by id", "", q, a)
	authU("income_entries/read own", "income_entries",
		"SELECT * FROM public.income_entries WHERE user_id = $1 ORDER BY date DESC", []any{UserU})

	// calendar_events: src/components/you/EventHandlers.ts, src/hooks/useCalendarEvents.ts.
	q, a = insert("calendar_events", map[string]any{"user_id": UserU, "title": "u dump point", "start_date": "2026-12-02T08:00:00Z", "end_date": "2026-12-02T09:00:00Z", "all_day": false})
	authU("calendar_events/insert without id", "calendar_events", q, a)
	q, a = update("calendar_events", map[string]any{"start_date": "2026-12-01T01:00:00Z", "end_date": "2026-12-01T03:00:00Z"}, eq("id", ref("calendar_events", "title = 'u service booking'")), eq("user_id", UserU))
	authU("calendar_events/move by id", "calendar_events", q, a)
	q, a = del("calendar_events", eq("id", ref("calendar_events", "title = 'u rally'")))
	authU("calendar_events/delete by id", "", q, a)
	authU("calendar_events/read own", "calendar_events",
		"SELECT * FROM public.calendar_events WHERE user_id = $1 ORDER BY start_date", []any{UserU})

	// profiles: keyed by id = the user's id.
	authU("profiles/read own", "profiles", "SELECT * FROM public.profiles WHERE id = $1", []any{UserU})
	q, a = update("profiles", map[string]any{"nickname": "u2", "travel_radius_miles": 300}, eq("id", UserU))
	authU("profiles/update own", "profiles", q, a)
	authU("profiles/read another user's", "profiles", "SELECT email FROM public.profiles WHERE id = $1", []any{UserV})
	q, a = update("profiles", map[string]any{"nickname": "hijack"}, eq("id", UserV))
	authU("profiles/update another user's", "profiles", q, a)

	// social_posts: src/hooks/useSocialPosts.ts, src/components/social/useSocialData.ts.
	add("social_posts/anon reads approved", Anon, "", "social_posts", false,
		"SELECT id, content, status, user_id FROM public.social_posts WHERE status = 'approved' ORDER BY created_at DESC", nil)
	add("social_posts/anon reads all it may", Anon, "", "social_posts", false,
		"SELECT content, status FROM public.social_posts", nil)
	authU("social_posts/read feed", "social_posts", "SELECT content, status, user_id FROM public.social_posts", nil)
	q, a = insert("social_posts", map[string]any{"user_id": UserU, "content": "u new post", "location": "feed"})
	authU("social_posts/insert without id", "social_posts", q, a)
	q, a = insert("social_posts", map[string]any{"user_id": UserV, "content": "u posing as v"})
	authU("social_posts/insert as another user", "social_posts", q, a)
	q, a = insert("social_posts", map[string]any{"user_id": UserU, "content": "anon post"})
	add("social_posts/anon insert", Anon, "", "social_posts", false, q, a)

	// pam_analytics_logs: written by the app and the backend.
	q, a = insert("pam_analytics_logs", map[string]any{"user_id": UserU, "session_id": "u-session-2", "event_type": "message", "intent": "fuel_query", "response_time_ms": 510})
	authU("pam_analytics_logs/insert without id", "pam_analytics_logs", q, a)
	authU("pam_analytics_logs/read own", "pam_analytics_logs",
		"SELECT session_id, intent, response_time_ms, success FROM public.pam_analytics_logs", nil)

	// service_role: the backend and src/lib/supabase-admin.ts.
	q, a = insert("expenses", map[string]any{"user_id": UserV, "amount": 5, "category": "fees", "date": "2026-11-22", "description": "v card fee"})
	add("service_role/insert expense for a user", ServiceRole, "", "expenses", false, q, a)
	q, a = insert("pam_analytics_logs", map[string]any{"user_id": UserV, "session_id": "backend", "event_type": "tool_call", "success": false, "error_message": "timeout"})
	add("service_role/insert analytics", ServiceRole, "", "pam_analytics_logs", false, q, a)
	add("service_role/read all expenses", ServiceRole, "", "", false,
		"SELECT user_id, count(*) AS n, sum(amount) AS total FROM public.expenses GROUP BY user_id", nil)
	q, a = del("fuel_log", eq("user_id", UserV))
	add("service_role/delete a user's fuel log", ServiceRole, "", "", false, q, a)
	q, a = update("social_posts", map[string]any{"status": "hidden"}, eq("id", ref("social_posts", "content = 'v approved: free camp at Copeton Dam'")))
	add("service_role/moderate a post", ServiceRole, "", "social_posts", false, q, a)

	// Realtime: the app's subscriptions (postgres_changes on calendar_events
	// and expenses) need both published, calendar_events with its full
	// replica identity (20250711212722-6d313af7-....sql).
	add("realtime/web app tables published", ServiceRole, "", "", false, `SELECT t.tablename, c.relreplident::text AS replica_identity
FROM pg_publication_tables t
JOIN pg_class c ON c.oid = (quote_ident(t.schemaname) || '.' || quote_ident(t.tablename))::regclass
WHERE t.pubname = 'supabase_realtime' AND t.schemaname = 'public' AND t.tablename IN ('calendar_events', 'expenses')`, nil)

	// Account deletion: GoTrue (supabase.auth.admin.deleteUser) deletes from
	// auth.users as supabase_auth_admin; the FKs cascade.
	add("auth/delete user v", AuthAdmin, "", "", true, "DELETE FROM auth.users WHERE id = $1", []any{UserV})
	add("auth/after deletion: rows left per user", ServiceRole, "", "", false, `SELECT u.user_id,
  (SELECT count(*) FROM public.profiles WHERE id = u.user_id) AS profiles,
  (SELECT count(*) FROM public.expenses WHERE user_id = u.user_id) AS expenses,
  (SELECT count(*) FROM public.fuel_log WHERE user_id = u.user_id) AS fuel_log,
  (SELECT count(*) FROM public.maintenance_records WHERE user_id = u.user_id) AS maintenance_records,
  (SELECT count(*) FROM public.budgets WHERE user_id = u.user_id) AS budgets,
  (SELECT count(*) FROM public.budget_categories WHERE user_id = u.user_id) AS budget_categories,
  (SELECT count(*) FROM public.income_entries WHERE user_id = u.user_id) AS income_entries,
  (SELECT count(*) FROM public.calendar_events WHERE user_id = u.user_id) AS calendar_events,
  (SELECT count(*) FROM public.social_posts WHERE user_id = u.user_id) AS social_posts,
  (SELECT count(*) FROM public.pam_analytics_logs WHERE user_id = u.user_id) AS pam_analytics_logs
FROM (VALUES ($1::uuid), ($2::uuid)) AS u(user_id)`, []any{UserU, UserV})
	add("auth/after deletion: v cannot read", Authenticated, UserV, "expenses",
		false, "SELECT amount FROM public.expenses", nil)
	return out
}

// Run executes stmts in order on the database of adminURL, each in its own
// transaction, as the web app's requests reach it: anon, authenticated and
// service_role through a connection of authenticator (SET LOCAL ROLE, then
// request.jwt.claims set locally), supabase_auth_admin through its own login,
// any other role from the administrator's connection. It uses the simple
// protocol (values travel as literals, as through the transaction pooler).
// A statement's failure is its Result (SQLSTATE); the error reports only a
// failure of the harness itself (connection, unresolvable Ref).
func Run(ctx context.Context, adminURL string, stmts []Statement) ([]Result, error) {
	conns := map[string]*pgx.Conn{}
	defer func() {
		for _, c := range conns {
			c.Close(context.WithoutCancel(ctx))
		}
	}()
	connect := func(login string) (*pgx.Conn, error) {
		if c, ok := conns[login]; ok {
			return c, nil
		}
		u := adminURL
		if login != "" {
			u = WithUser(adminURL, login)
		}
		cfg, err := pgx.ParseConfig(u)
		if err != nil {
			return nil, fmt.Errorf("parse URL: %w", err)
		}
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connect as %q: %w", login, err)
		}
		conns[login] = c
		return c, nil
	}
	admin, err := connect("")
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(stmts))
	for _, s := range stmts {
		args, err := resolve(ctx, admin, s.Args)
		if err != nil {
			return out, fmt.Errorf("%s: %w", s.Name, err)
		}
		login := ""
		switch s.Role {
		case Anon, Authenticated, ServiceRole:
			login = Authenticator
		case AuthAdmin:
			login = AuthAdmin
		}
		conn, err := connect(login)
		if err != nil {
			return out, fmt.Errorf("%s: %w", s.Name, err)
		}
		r, err := runOne(ctx, conn, s, args)
		if err != nil {
			return out, fmt.Errorf("%s: %w", s.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// MustRun is Run failing the test on a harness error.
func MustRun(tb testing.TB, adminURL string) []Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := Run(ctx, adminURL, WebAppStatements())
	if err != nil {
		tb.Fatalf("supabasetest: run: %v", err)
	}
	return res
}

// Diff describes where two runs of the same statements differ (empty when
// they agree), one block per differing statement.
func Diff(before, after []Result) string {
	var b strings.Builder
	n := max(len(before), len(after))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(before):
			fmt.Fprintf(&b, "only after: %s\n", after[i])
		case i >= len(after):
			fmt.Fprintf(&b, "only before: %s\n", before[i])
		case before[i] != after[i]:
			fmt.Fprintf(&b, "--- before\n%s\n+++ after\n%s\n", before[i], after[i])
		}
	}
	return b.String()
}

// resolve replaces each Ref by the id of its row, as text.
func resolve(ctx context.Context, admin *pgx.Conn, args []any) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		ref, ok := a.(Ref)
		if !ok {
			out[i] = a
			continue
		}
		rows, err := admin.Query(ctx, fmt.Sprintf("SELECT id::text FROM public.%s WHERE %s",
			pgx.Identifier{ref.Table}.Sanitize(), ref.Where))
		if err != nil {
			return nil, fmt.Errorf("resolve %s where %s: %w", ref.Table, ref.Where, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("resolve %s where %s: %w", ref.Table, ref.Where, err)
		}
		if len(ids) != 1 {
			return nil, fmt.Errorf("resolve %s where %s: %d rows, want 1", ref.Table, ref.Where, len(ids))
		}
		out[i] = ids[0]
	}
	return out, nil
}

func runOne(ctx context.Context, conn *pgx.Conn, s Statement, args []any) (Result, error) {
	res := Result{Name: s.Name}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := actAs(ctx, tx, s.Role, s.User); err != nil {
		return res, err
	}
	var stmtErr error
	if returnsRows(s.SQL) {
		var lines []string
		lines, stmtErr = queryJSON(ctx, tx, s, args)
		if stmtErr == nil {
			res.Count = int64(len(lines))
			res.Rows = strings.Join(lines, "\n")
		}
	} else {
		var tag pgconn.CommandTag
		tag, stmtErr = tx.Exec(ctx, s.SQL, args...)
		res.Count = tag.RowsAffected()
	}
	if stmtErr != nil {
		var pgErr *pgconn.PgError
		if !errors.As(stmtErr, &pgErr) {
			return res, stmtErr
		}
		res.SQLState, res.Rows, res.Count = pgErr.Code, "", 0
		return res, nil
	}
	if s.Commit {
		if err := tx.Commit(ctx); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) {
				res.SQLState, res.Rows, res.Count = pgErr.Code, "", 0
				return res, nil
			}
			return res, fmt.Errorf("commit: %w", err)
		}
	}
	return res, nil
}

// returnsRows tells whether sql yields rows (a query, or DML with RETURNING).
func returnsRows(sql string) bool {
	u := strings.ToUpper(strings.TrimSpace(sql))
	return strings.HasPrefix(u, "SELECT") || strings.HasPrefix(u, "WITH") || strings.Contains(u, " RETURNING ")
}

// queryJSON runs the statement inside a CTE and returns its rows as
// normalised, sorted JSON lines.
func queryJSON(ctx context.Context, tx pgx.Tx, s Statement, args []any) ([]string, error) {
	rows, err := tx.Query(ctx, "WITH r AS ("+s.SQL+") SELECT to_jsonb(r)::text FROM r", args...)
	if err != nil {
		return nil, err
	}
	raw, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	lines := make([]string, len(raw))
	for i, r := range raw {
		line, err := normalise(r, s.Table)
		if err != nil {
			return nil, err
		}
		lines[i] = line
	}
	sort.Strings(lines)
	return lines, nil
}

// normalise keeps the web app's columns of table (all when table is not
// known) and replaces generated values by their JSON type.
func normalise(row, table string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(row))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", fmt.Errorf("decode row: %w", err)
	}
	if cols, ok := webColumns[table]; ok {
		keep := make(map[string]bool, len(cols))
		for _, c := range cols {
			keep[c] = true
		}
		for k := range m {
			if !keep[k] {
				delete(m, k)
			}
		}
	}
	for k, v := range m {
		if generated[k] {
			m[k] = "<" + jsonType(v) + ">"
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil { // map keys come out sorted
		return "", fmt.Errorf("encode row: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case json.Number:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	default:
		return "object"
	}
}
