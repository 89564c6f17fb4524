package central_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

// TestPlanOnWebAppDatabase: on the Wheels & Wins database, plan says what
// init would do per table, and init without --adopt changes nothing.
func TestPlanOnWebAppDatabase(t *testing.T) {
	t.Parallel()
	f := supabasetest.Install(t, pgtest.NewDB(t))
	ctx := testContext(t)
	owner := pgtest.Connect(t, f.OwnerURL)
	plan, err := central.PlanInit(ctx, owner, schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plan:\n%s", plan)
	for _, tc := range []struct {
		table  string
		action central.Action
		key    string
	}{
		{"expenses", central.ActionAlter, central.SyncKey},
		{"fuel_log", central.ActionAlter, central.SyncKey},
		{"maintenance_records", central.ActionAlter, central.SyncKey},
		{"pam_analytics_logs", central.ActionAlter, central.SyncKey},
		{"profiles", central.ActionAlter, "id"},
		{"budget_summary", central.ActionAdopt, ""},
		{"camping_locations", central.ActionCreate, "id"},
	} {
		tp, ok := plan.Table(tc.table)
		if !ok || tp.Action != tc.action || tp.Key != tc.key {
			t.Errorf("%s: %s key %q, want %s key %q", tc.table, tp.Action, tp.Key, tc.action, tc.key)
		}
	}
	if tp, _ := plan.Table("expenses"); !strings.Contains(strings.Join(tp.Statements, "\n"), "ADD COLUMN pam_id uuid NOT NULL DEFAULT gen_random_uuid()") {
		t.Errorf("expenses plan does not show the sync key statement: %v", tp.Statements)
	}
	before, err := supabasetest.Snapshot(ctx, f.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	err = central.Init(ctx, owner, schema.Default())
	var pe *central.PlanError
	if !errors.Is(err, central.ErrAdoptionNeeded) || !errors.As(err, &pe) || pe.Plan == nil {
		t.Fatalf("init without --adopt on the web app's database: %v, want ErrAdoptionNeeded with the plan", err)
	}
	after, err := supabasetest.Snapshot(ctx, f.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatalf("init without --adopt changed the catalog:\n%s", lineDiff(before, after))
	}
}

// TestAdoptKeepsWebApp runs the web app's statements on two copies of the
// Wheels & Wins database, one of them adopted: every result is the same.
func TestAdoptKeepsWebApp(t *testing.T) {
	t.Parallel()
	plain := supabasetest.Install(t, pgtest.NewDB(t))
	adopted := supabasetest.Install(t, pgtest.NewDB(t))
	ctx := testContext(t)
	if err := central.InitWith(ctx, pgtest.Connect(t, adopted.OwnerURL), schema.Default(), central.Options{Adopt: true}); err != nil {
		t.Fatalf("init --adopt: %v", err)
	}
	want := supabasetest.MustRun(t, plain.AdminURL)
	got := supabasetest.MustRun(t, adopted.AdminURL)
	if d := supabasetest.Diff(want, got); d != "" {
		t.Fatalf("the web app's statements give other results after adoption:\n%s", d)
	}
	// A second init on the adopted database needs no new consent and
	// changes nothing.
	before, _ := supabasetest.Snapshot(ctx, adopted.AdminURL)
	if err := central.Init(ctx, pgtest.Connect(t, adopted.OwnerURL), schema.Default()); err != nil {
		t.Fatalf("second init on the adopted database: %v", err)
	}
	if after, _ := supabasetest.Snapshot(ctx, adopted.AdminURL); after != before {
		t.Fatalf("second init changed the adopted catalog:\n%s", lineDiff(before, after))
	}
}

// lineDiff lists the lines only in a or only in b.
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	am, bm := in(a), in(b)
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if !bm[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !am[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}
