package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTables_Count(t *testing.T) {
	tables := Tables()
	if got := len(tables); got != 39 {
		t.Fatalf("len(Tables()) = %d, want 39", got)
	}
	if got := tables[0].Name; got != "profiles" {
		t.Errorf("first table = %q, want profiles", got)
	}
	if got := tables[len(tables)-1].Name; got != "budget_summary" {
		t.Errorf("last table = %q, want budget_summary", got)
	}
}

func TestTables_UniqueNames(t *testing.T) {
	seen := map[string]bool{}
	for _, tb := range Tables() {
		if tb.Name == "" {
			t.Fatal("table with empty name")
		}
		if seen[tb.Name] {
			t.Errorf("duplicate table %q", tb.Name)
		}
		seen[tb.Name] = true
	}
}

func TestTables_ExactlyOneView(t *testing.T) {
	var views []*Table
	for _, tb := range Tables() {
		if tb.View {
			views = append(views, tb)
		}
	}
	if len(views) != 1 || views[0].Name != "budget_summary" {
		names := make([]string, len(views))
		for i, v := range views {
			names[i] = v.Name
		}
		t.Fatalf("views = %v, want [budget_summary]", names)
	}
	v := views[0]
	for dialect, body := range map[string]string{"sqlite": v.ViewSQL, "postgres": v.PostgresViewSQL} {
		sql := strings.TrimSpace(body)
		switch {
		case !strings.HasPrefix(strings.ToUpper(sql), "SELECT"):
			t.Errorf("%s view body does not start with SELECT: %.40q", dialect, sql)
		case strings.HasSuffix(sql, ";"):
			t.Errorf("%s view body has a trailing semicolon", dialect)
		case strings.Contains(strings.ToUpper(sql), "CREATE VIEW"):
			t.Errorf("%s view body contains CREATE VIEW", dialect)
		}
		for _, c := range v.Columns {
			// Every view column is produced by the SELECT under its own name.
			if !strings.Contains(sql, "AS "+c.Name) {
				t.Errorf("%s view body has no column %q", dialect, c.Name)
			}
		}
	}
	cat := Default()
	if len(v.DependsOn) == 0 {
		t.Error("view has no DependsOn")
	}
	for _, dep := range v.DependsOn {
		if tb, err := cat.Table(dep); err != nil || tb.View {
			t.Errorf("DependsOn %q is not a base table", dep)
		}
	}
	if _, ok := v.Column("id"); ok {
		t.Error("view has an id column")
	}
	if v.Role != RoleDerived || v.Mutable {
		t.Errorf("view role = %q mutable = %v, want D, false", v.Role, v.Mutable)
	}
	for _, c := range v.Columns {
		if c.NotNull || c.Default != nil {
			t.Errorf("view column %s: NotNull=%v Default=%v, want nullable with no default", c.Name, c.NotNull, c.Default)
		}
	}
	for _, op := range []Op{OpCreate, OpUpdate, OpDelete} {
		if v.Allows(op) {
			t.Errorf("view allows %s", op)
		}
	}
}

func TestTables_Structure(t *testing.T) {
	for _, tb := range Tables() {
		t.Run(tb.Name, func(t *testing.T) {
			if tb.Doc == "" || strings.Contains(tb.Doc, "\n") {
				t.Errorf("Doc must be one non-empty line, got %q", tb.Doc)
			}
			seen := map[string]bool{}
			for _, c := range tb.Columns {
				if seen[c.Name] {
					t.Errorf("duplicate column %q", c.Name)
				}
				seen[c.Name] = true
			}

			created, ok := tb.Column("created_at")
			if !ok || created.Type != Timestamp {
				t.Fatalf("missing created_at Timestamp")
			}
			if tb.View {
				return
			}
			if id := tb.Columns[0]; id.Name != "id" || id.Type != UUID || !id.NotNull {
				t.Errorf("first column = %s %v NotNull=%v, want id uuid NOT NULL", id.Name, id.Type, id.NotNull)
			}
			if !created.NotNull || created.Default != (Now{}) {
				t.Errorf("created_at must be NOT NULL DEFAULT Now")
			}

			wantMutable := tb.Role != RoleAppend
			if tb.Mutable != wantMutable {
				t.Errorf("Mutable = %v, want %v for role %q", tb.Mutable, wantMutable, tb.Role)
			}
			updated, hasUpdated := tb.Column("updated_at")
			if tb.Mutable {
				if !hasUpdated || updated.Type != Timestamp || !updated.NotNull || updated.Default != (Now{}) {
					t.Errorf("mutable table needs updated_at Timestamp NOT NULL DEFAULT Now")
				}
			}
			// Timestamps close the column list: created_at, then updated_at.
			n := len(tb.Columns)
			tail := []string{"created_at"}
			if hasUpdated {
				tail = append(tail, "updated_at")
			}
			got := tb.ColumnNames()[n-len(tail):]
			if strings.Join(got, ",") != strings.Join(tail, ",") {
				t.Errorf("columns end with %v, want %v", got, tail)
			}
		})
	}
}

func TestTables_Owner(t *testing.T) {
	for _, tb := range Tables() {
		t.Run(tb.Name, func(t *testing.T) {
			if tb.Owner == "" {
				if tb.Role != RoleReference && tb.Role != RoleServer {
					t.Errorf("role %q table has no owner", tb.Role)
				}
				if tb.Read != ReadAll {
					t.Errorf("unowned table must be ReadAll")
				}
				return
			}
			c, ok := tb.Column(tb.Owner)
			if !ok {
				t.Fatalf("owner column %q does not exist", tb.Owner)
			}
			if c.Type != UUID {
				t.Errorf("owner column %q has type %v, want uuid", tb.Owner, c.Type)
			}
			if tb.Owner == "user_id" && !tb.View && !c.NotNull && tb.Read != ReadOwnOrUnowned {
				t.Errorf("owner user_id must be NOT NULL unless unowned rows are readable")
			}
			if tb.Owner != "id" && tb.Columns[0].Name == "id" && !tb.View && tb.Columns[1].Name != tb.Owner {
				t.Errorf("owner column %q is not second", tb.Owner)
			}
		})
	}
}

func TestTables_IndexesAndChecks(t *testing.T) {
	ops := map[string]bool{"<": true, "<=": true, ">": true, ">=": true}
	for _, tb := range Tables() {
		t.Run(tb.Name, func(t *testing.T) {
			has := func(name string) bool { _, ok := tb.Column(name); return ok }
			for _, ix := range tb.Indexes {
				if len(ix.Columns) == 0 {
					t.Errorf("index with no columns")
				}
				for _, col := range ix.Columns {
					name := strings.TrimPrefix(col, "-")
					if !has(name) {
						t.Errorf("index %v names unknown column %q", ix.Columns, name)
					}
					if name == "id" {
						t.Errorf("index on id %v", ix.Columns)
					}
				}
			}
			for _, ck := range tb.Checks {
				if !has(ck.Left) || !has(ck.Right) {
					t.Errorf("check %v names an unknown column", ck)
				}
				if !ops[ck.Op] {
					t.Errorf("check %v has bad operator", ck)
				}
			}
			if tb.View && len(tb.Indexes) > 0 {
				t.Errorf("view has indexes")
			}
		})
	}
}

func TestTables_Columns(t *testing.T) {
	numeric := map[Type]bool{Int: true, Float: true, Decimal: true}
	for _, tb := range Tables() {
		for _, c := range tb.Columns {
			t.Run(tb.Name+"."+c.Name, func(t *testing.T) {
				if c.Type < Text || c.Type > IntArray {
					t.Fatalf("unknown type %v", c.Type)
				}
				if len(c.Enum) > 0 && c.Type != Text {
					t.Errorf("Enum on %v column", c.Type)
				}
				if c.Type == Decimal && c.Scale <= 0 {
					t.Errorf("Decimal without Scale")
				}
				if c.Type != Decimal && c.Scale != 0 {
					t.Errorf("Scale %d on %v column", c.Scale, c.Type)
				}
				if (c.Min != nil || c.Max != nil) && !numeric[c.Type] {
					t.Errorf("Min/Max on %v column", c.Type)
				}
				if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
					t.Errorf("Min %v > Max %v", *c.Min, *c.Max)
				}
				if c.MaxLen != 0 && c.Type != Text {
					t.Errorf("MaxLen on %v column", c.Type)
				}
				checkDefault(t, c)
			})
		}
	}
}

// checkDefault asserts that a column's default has the right Go type and is
// a value the column accepts.
func checkDefault(t *testing.T, c Column) {
	t.Helper()
	switch d := c.Default.(type) {
	case nil:
	case Now:
		if c.Type != Timestamp && c.Type != Date {
			t.Errorf("Now default on %v column", c.Type)
		}
	case Today:
		if c.Type != Date {
			t.Errorf("Today default on %v column", c.Type)
		}
	case string:
		switch c.Type {
		case JSON, TextArray, IntArray:
			if !json.Valid([]byte(d)) {
				t.Fatalf("default %q is not valid JSON", d)
			}
			var v any
			_ = json.Unmarshal([]byte(d), &v)
			if _, isArr := v.([]any); c.Type != JSON && !isArr {
				t.Errorf("array default %q is not a JSON array", d)
			}
			if _, err := c.Parse(json.RawMessage(d)); err != nil {
				t.Errorf("default %q rejected: %v", d, err)
			}
			return
		case Text, UUID, Date, Timestamp, Time:
		default:
			t.Errorf("string default on %v column", c.Type)
		}
		if _, err := c.Parse(d); err != nil {
			t.Errorf("default %q rejected: %v", d, err)
		}
	case bool:
		if c.Type != Bool {
			t.Errorf("bool default on %v column", c.Type)
		}
	case int64:
		if c.Type != Int && c.Type != Decimal {
			t.Errorf("int64 default on %v column", c.Type)
		}
		if _, err := c.Parse(d); err != nil {
			t.Errorf("default %v rejected: %v", d, err)
		}
	case float64:
		if c.Type != Float && c.Type != Decimal {
			t.Errorf("float64 default on %v column", c.Type)
		}
		if _, err := c.Parse(d); err != nil {
			t.Errorf("default %v rejected: %v", d, err)
		}
	default:
		t.Errorf("default of Go type %T", c.Default)
	}
}

func TestTables_Decisions(t *testing.T) {
	const (
		m5  = 5 * time.Minute
		m10 = 10 * time.Minute
		m15 = 15 * time.Minute
		m30 = 30 * time.Minute
		h1  = time.Hour
		h2  = 2 * time.Hour
		h24 = 24 * time.Hour
	)
	tests := []struct {
		name  string
		group string
		role  Role
		owner string
		read  ReadScope
		ttl   time.Duration
	}{
		{"profiles", "User", RoleUser, "id", ReadOwn, h1},
		{"admin_users", "User", RoleServer, "user_id", ReadOwn, m5},
		{"user_active_sessions", "User", RoleLocal, "user_id", ReadOwn, m5},
		{"pam_analytics_logs", "PAM", RoleAppend, "user_id", ReadOwn, m30},
		{"pam_conversation_memory", "PAM", RoleAppend, "user_id", ReadOwn, h2},
		{"pam_conversation_sessions", "PAM", RoleUser, "user_id", ReadOwn, h2},
		{"pam_memory", "PAM", RoleAppend, "user_id", ReadOwn, h2},
		{"pam_user_context", "PAM", RoleUser, "user_id", ReadOwn, h2},
		{"pam_learning_events", "PAM", RoleAppend, "user_id", ReadOwn, m5},
		{"pam_feedback", "PAM", RoleAppend, "user_id", ReadOwn, m5},
		{"expenses", "Finance", RoleUser, "user_id", ReadOwn, m15},
		{"budgets", "Finance", RoleUser, "user_id", ReadOwn, m15},
		{"budget_categories", "Finance", RoleUser, "user_id", ReadOwn, m15},
		{"income_entries", "Finance", RoleUser, "user_id", ReadOwn, m5},
		{"maintenance_records", "Vehicle", RoleUser, "user_id", ReadOwn, m5},
		{"fuel_log", "Vehicle", RoleUser, "user_id", ReadOwn, m5},
		{"fuel_stations", "Vehicle", RoleReference, "", ReadAll, h24},
		{"local_events", "Travel", RoleReference, "", ReadAll, h24},
		{"camping_locations", "Travel", RoleReference, "", ReadAll, h24},
		{"calendar_events", "Travel", RoleUser, "user_id", ReadOwn, m10},
		{"offroad_routes", "Travel", RoleReference, "", ReadAll, h24},
		{"manual_waypoints", "Travel", RoleUser, "user_id", ReadOwn, m5},
		{"youtube_hustles", "Business", RoleReference, "", ReadAll, h24},
		{"hustle_ideas", "Business", RoleUser, "user_id", ReadOwnOrUnowned, m5},
		{"user_hustle_attempts", "Business", RoleUser, "user_id", ReadOwn, m5},
		{"shop_products", "Shop", RoleReference, "", ReadAll, h24},
		{"shop_orders", "Shop", RoleAppend, "user_id", ReadOwn, m5},
		{"affiliate_sales", "Shop", RoleServer, "user_id", ReadOwn, m5},
		{"social_groups", "Social", RoleUser, "owner_id", ReadAll, m5},
		{"group_memberships", "Social", RoleUser, "user_id", ReadOwn, m5},
		{"social_posts", "Social", RoleUser, "user_id", ReadOwn, m5},
		{"marketplace_listings", "Social", RoleUser, "user_id", ReadOwn, m5},
		{"facebook_groups", "Social", RoleReference, "", ReadAll, h24},
		{"analytics_summary", "Analytics", RoleServer, "", ReadAll, m30},
		{"analytics_daily", "Analytics", RoleServer, "", ReadAll, m30},
		{"active_recommendations", "Analytics", RoleUser, "user_id", ReadOwn, m5},
		{"chat_sessions", "Other", RoleUser, "user_id", ReadOwn, h2},
		{"audio_cache", "Other", RoleLocal, "user_id", ReadOwn, 0},
		{"budget_summary", "Other", RoleDerived, "user_id", ReadOwn, m15},
	}
	tables := Tables()
	if len(tests) != len(tables) {
		t.Fatalf("%d expectations for %d tables", len(tests), len(tables))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := tables[i]
			if tb.Name != tt.name {
				t.Fatalf("table %d = %q, want %q", i, tb.Name, tt.name)
			}
			if tb.Group != tt.group || tb.Role != tt.role || tb.Owner != tt.owner || tb.Read != tt.read || tb.Cache.TTL != tt.ttl {
				t.Errorf("got group=%s role=%s owner=%q read=%d ttl=%v, want group=%s role=%s owner=%q read=%d ttl=%v",
					tb.Group, tb.Role, tb.Owner, tb.Read, tb.Cache.TTL,
					tt.group, tt.role, tt.owner, tt.read, tt.ttl)
			}
		})
	}
}

func TestTables_Fresh(t *testing.T) {
	a := Tables()
	a[0].Name = "changed"
	a[1].Columns[0].Name = "changed"
	a[2].Indexes[0].Columns[0] = "changed"
	b := Tables()
	if b[0].Name != "profiles" || b[1].Columns[0].Name != "id" || b[2].Indexes[0].Columns[0] != "user_id" {
		t.Fatal("Tables() shares state between calls")
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	if len(c.Names()) != 39 {
		t.Fatalf("catalog has %d tables", len(c.Names()))
	}
	for _, name := range c.Names() {
		tb, err := c.Table(name)
		if err != nil || tb.Name != name {
			t.Errorf("Table(%q) = %v, %v", name, tb, err)
		}
	}
	if _, err := c.Table("pam_recommendations"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("unknown table: got %v, want ENOTFOUND", err)
	}
}
