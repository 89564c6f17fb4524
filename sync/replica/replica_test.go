package replica_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/replica"
)

const (
	userA = "0190a000-0000-7000-8000-0000000000a1"
	userB = "0190a000-0000-7000-8000-0000000000b2"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func mustCreate(tb testing.TB, d *device, user, table string, data schema.Row) string {
	tb.Helper()
	row, err := d.store.Create(context.Background(), user, table, data)
	if err != nil {
		tb.Fatalf("%s create %s: %v", d.name, table, err)
	}
	return row["id"].(string)
}

func expense(amount, category, date string) schema.Row {
	return schema.Row{"amount": amount, "category": category, "date": date, "description": "test " + category}
}

// TestRoundTrip: a change made on one device reaches the other device of
// the same user, both ways, updates and deletes included, and the central
// database holds the same.
func TestRoundTrip(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	a := c.newDevice(t, "rv", userA)
	b := c.newDevice(t, "phone", userA)
	id1 := mustCreate(t, a, userA, "expenses", expense("45.10", "groceries", "2026-03-01"))
	id2 := mustCreate(t, a, userA, "fuel_log", schema.Row{"date": "2026-03-02", "volume": 62.5, "price": "1.899", "total": "118.69", "odometer": 48210})
	mustCreate(t, a, userA, "calendar_events", schema.Row{"title": "Moab", "event_type": "trip", "start_date": "2026-04-01T00:00:00Z", "end_date": "2026-04-08T00:00:00Z", "reminder_minutes": []any{15, 60}})
	a.sync(t)
	res := b.sync(t)
	if res.Applied < 3 {
		t.Fatalf("b applied %d changes, want 3", res.Applied)
	}
	if d := diff(a.snapshot(t, userA), b.snapshot(t, userA), "a", "b"); d != "" {
		t.Fatalf("devices differ after sync:\n%s", d)
	}
	if _, err := b.store.Update(ctx, userA, "expenses", id1, schema.Row{"amount": "50.00", "description": "fixed"}); err != nil {
		t.Fatal(err)
	}
	if err := b.store.Delete(ctx, userA, "fuel_log", id2); err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	a.sync(t)
	got, err := a.store.Get(ctx, userA, "expenses", id1)
	if err != nil || got["amount"] != "50.00" || got["description"] != "fixed" {
		t.Fatalf("update did not reach a: %v %v", got, err)
	}
	if _, err := a.store.Get(ctx, userA, "fuel_log", id2); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Fatalf("delete did not reach a: %v", err)
	}
	for _, d := range []*device{a, b} {
		if s := diff(d.snapshot(t, userA), c.snapshot(t, userA), d.name, "central"); s != "" {
			t.Fatalf("%s differs from central:\n%s", d.name, s)
		}
	}
	// A second sync moves nothing: no echo of a device's own changes.
	if res := a.sync(t); res.Pushed != 0 || res.Applied != 0 {
		t.Fatalf("idle sync did work: %+v", res)
	}
}

// TestWebAppEditsReachDevice: a central write by the web app (as the user
// under RLS) reaches the device; the device's later edit wins by clock.
func TestWebAppEditsReachDevice(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	a := c.newDevice(t, "rv", userA)
	id := mustCreate(t, a, userA, "expenses", expense("10.00", "fuel", "2026-03-01"))
	a.sync(t)
	webExec(t, c, userA, `UPDATE expenses SET description = 'edited on the web', amount = 12.5 WHERE id = $1`, id)
	webExec(t, c, userA, `INSERT INTO income_entries (id, user_id, source, amount, date) VALUES (gen_random_uuid(), $1, 'YouTube', 300, '2026-03-05')`, userA)
	a.sync(t)
	got, _ := a.store.Get(ctx, userA, "expenses", id)
	if got["description"] != "edited on the web" || got["amount"] != "12.50" {
		t.Fatalf("web edit did not reach the device: %v", got)
	}
	if s := diff(a.snapshot(t, userA), c.snapshot(t, userA), "rv", "central"); s != "" {
		t.Fatalf("device differs from central:\n%s", s)
	}
}

// webExec runs SQL as the Supabase web app does: role authenticated with
// the user's JWT claims, under RLS.
func webExec(tb testing.TB, c *centralDB, user, sql string, args ...any) {
	tb.Helper()
	ctx := context.Background()
	tx, err := c.admin.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL ROLE authenticated`); err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('request.jwt.claims', $1, true)`, fmt.Sprintf(`{"sub":"%s","role":"authenticated"}`, user)); err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("web app SQL %q: %v", sql, err)
	}
	if err := tx.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
}

// TestPoisonTransaction: a local transaction the central database refuses
// is reported with its reason and the queue behind it flows.
func TestPoisonTransaction(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	if _, err := c.admin.Exec(ctx, `ALTER TABLE expenses ADD CONSTRAINT central_only_limit CHECK (amount < 10000)`); err != nil {
		t.Fatal(err)
	}
	a := c.newDevice(t, "rv", userA)
	before := mustCreate(t, a, userA, "expenses", expense("1.00", "a", "2026-03-01"))
	poison := mustCreate(t, a, userA, "expenses", expense("20000.00", "solar", "2026-03-02"))
	after := mustCreate(t, a, userA, "expenses", expense("3.00", "c", "2026-03-03"))
	res := a.sync(t)
	if res.Rejected != 1 || res.Pushed != 3 {
		t.Fatalf("sync = %+v, want 3 pushed with 1 rejected", res)
	}
	rej, err := a.store.Rejections(ctx, 10)
	if err != nil || len(rej) != 1 || !strings.Contains(rej[0].Reason, "central_only_limit") {
		t.Fatalf("rejections = %+v, %v", rej, err)
	}
	for _, id := range []string{before, after} {
		var n int
		c.admin.QueryRow(ctx, `SELECT count(*) FROM expenses WHERE id = $1`, id).Scan(&n)
		if n != 1 {
			t.Fatalf("expense %s behind the poison did not reach central", id)
		}
	}
	var n int
	c.admin.QueryRow(ctx, `SELECT count(*) FROM expenses WHERE id = $1`, poison).Scan(&n)
	if n != 0 {
		t.Fatal("the refused expense is central")
	}
	// The device does not keep what central refused; the ledger does.
	if _, err := a.store.Get(ctx, userA, "expenses", poison); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Fatalf("the refused expense is still on the device: %v", err)
	}
	if s := diff(a.snapshot(t, userA), c.snapshot(t, userA), "rv", "central"); s != "" {
		t.Fatalf("device differs from central after a rejection:\n%s", s)
	}
	if list, _ := a.store.Conflicts(ctx, userA, 10); len(list) != 1 || !strings.Contains(list[0].Reason, "rejected_by_central") || !strings.Contains(string(list[0].Loser), "20000") {
		t.Fatalf("ledger = %+v", list)
	}
	// The queue keeps flowing afterwards.
	next := mustCreate(t, a, userA, "expenses", expense("4.00", "d", "2026-03-04"))
	if res := a.sync(t); res.Pushed != 1 || res.Rejected != 0 {
		t.Fatalf("next sync = %+v", res)
	}
	c.admin.QueryRow(ctx, `SELECT count(*) FROM expenses WHERE id = $1`, next).Scan(&n)
	if n != 1 {
		t.Fatal("the queue did not flow after a rejection")
	}
}

// TestScopes: a device holds nothing of a user it does not serve, while a
// device of a couple holds both; reference data reaches every device.
func TestScopes(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	couple := c.newDevice(t, "couple", userA, userB)
	onlyB := c.newDevice(t, "b", userB)
	mustCreate(t, couple, userA, "expenses", expense("1.00", "a", "2026-03-01"))
	mustCreate(t, couple, userB, "expenses", expense("2.00", "b", "2026-03-01"))
	if _, err := c.admin.Exec(ctx, `INSERT INTO camping_locations (id, name, type, latitude, longitude, created_at, updated_at) VALUES (gen_random_uuid(), 'Slab City', 'boondocking', 33.26, -115.46, now(), now())`); err != nil {
		t.Fatal(err)
	}
	couple.sync(t)
	onlyB.sync(t)
	if s := onlyB.snapshot(t, userA); s.rows() != 0 {
		t.Fatalf("device of B holds %d rows of A", s.rows())
	}
	if s := diff(onlyB.snapshot(t, userB), c.snapshot(t, userB), "b", "central"); s != "" {
		t.Fatalf("B differs:\n%s", s)
	}
	res, err := onlyB.store.Find(ctx, userB, "camping_locations", schema.Query{})
	if err != nil || res.Count != 1 {
		t.Fatalf("reference data did not arrive: %+v %v", res, err)
	}
}

// TestBoundingBox: a device limited to a region keeps the reference rows
// inside it and none outside.
func TestBoundingBox(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	d := c.newDevice(t, "rv", userA)
	box, err := replica.ParseBBox("31,-120,42,-109") // the US South-West
	if err != nil {
		t.Fatal(err)
	}
	d.rep.BBox = box
	if _, err := c.admin.Exec(ctx, `INSERT INTO camping_locations (id, name, type, latitude, longitude, created_at, updated_at) VALUES
		(gen_random_uuid(), 'Slab City', 'boondocking', 33.26, -115.46, now(), now()),
		(gen_random_uuid(), 'Acadia', 'national_park', 44.35, -68.21, now(), now())`); err != nil {
		t.Fatal(err)
	}
	d.sync(t)
	res, err := d.store.Find(ctx, userA, "camping_locations", schema.Query{})
	if err != nil || res.Count != 1 || res.Rows[0]["name"] != "Slab City" {
		t.Fatalf("kept %+v, %v; want only Slab City", res, err)
	}
	if _, err := c.admin.Exec(ctx, `UPDATE camping_locations SET latitude = 45.0 WHERE name = 'Slab City'`); err != nil {
		t.Fatal(err)
	}
	d.sync(t)
	if res, _ := d.store.Find(ctx, userA, "camping_locations", schema.Query{}); res.Count != 0 {
		t.Fatalf("a row that left the box is still here: %+v", res.Rows)
	}
	if _, err := replica.ParseBBox("north america"); err == nil {
		t.Fatal("a malformed box was accepted")
	}
}

// TestRejectionSurvivesLostAck: the central database refused a transaction
// and committed the outcome, but the device died before storing it; the
// next push learns the refusal instead of losing it.
func TestRejectionSurvivesLostAck(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	if _, err := c.admin.Exec(ctx, `ALTER TABLE expenses ADD CONSTRAINT central_only_limit CHECK (amount < 10000)`); err != nil {
		t.Fatal(err)
	}
	a := c.newDevice(t, "rv", userA)
	mustCreate(t, a, userA, "expenses", expense("20000.00", "solar", "2026-03-02"))
	mustCreate(t, a, userA, "expenses", expense("3.00", "c", "2026-03-03"))
	type died struct{}
	a.rep.Hook = func(step string) {
		if step == replica.StepPushCommitted {
			panic(died{})
		}
	}
	func() {
		defer func() {
			if v := recover(); v != (died{}) {
				t.Fatalf("push did not reach the commit: %v", v)
			}
		}()
		a.rep.Push(ctx)
	}()
	a.rep.Hook = nil
	if n, _ := a.store.PendingChanges(ctx); n != 2 {
		t.Fatalf("%d pending after the lost acknowledgement, want 2", n)
	}
	a.sync(t)
	rej, err := a.store.Rejections(ctx, 10)
	if err != nil || len(rej) != 1 || !strings.Contains(rej[0].Reason, "central_only_limit") {
		t.Fatalf("rejections after recovery = %+v, %v", rej, err)
	}
}

// TestPullRowThatCannotStand: a pulled change that cannot stand on the
// device (here a partial update of a row the device lost) is reported in
// its user's ledger, and the rest of its page, written many rows to a
// statement, lands.
func TestPullRowThatCannotStand(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	a := c.newDevice(t, "rv", userA)
	lost := mustCreate(t, a, userA, "expenses", expense("10.00", "fuel", "2026-03-01"))
	kept := mustCreate(t, a, userA, "expenses", expense("20.00", "fuel", "2026-03-02"))
	a.sync(t)

	// The row and its versions vanish from the device's file behind the
	// store's back.
	db, err := sql.Open("sqlite", a.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM expenses WHERE id = ?`, `DELETE FROM _pam_rowmeta WHERE row_id = ?`} {
		if _, err := db.Exec(q, lost); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	tx, err := c.admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE expenses SET amount = 11 WHERE id = '` + lost + `'`,
		`UPDATE expenses SET amount = 21 WHERE id = '` + kept + `'`,
		`INSERT INTO expenses (id, user_id, amount, category, date, created_at, updated_at)
			SELECT gen_random_uuid(), '` + userA + `', 30 + i, 'camping', '2026-03-03', now(), now() FROM generate_series(1, 5) i`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	a.sync(t)

	if got, err := a.store.Get(ctx, userA, "expenses", kept); err != nil || got["amount"] != "21.00" {
		t.Fatalf("kept row after pull: %v %v", got, err)
	}
	res, err := a.store.Find(ctx, userA, "expenses", schema.Query{Conditions: []schema.Condition{{Column: "category", Op: schema.OpEq, Value: "camping"}}})
	if err != nil || res.Count != 5 {
		t.Fatalf("new rows after pull: %d, %v; want 5", res.Count, err)
	}
	if _, err := a.store.Get(ctx, userA, "expenses", lost); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Fatalf("lost row: %v, want not found", err)
	}
	conflicts, err := a.store.Conflicts(ctx, userA, 10)
	if err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, cf := range conflicts {
		if strings.HasPrefix(cf.Reason, "cannot_apply") {
			refused = append(refused, cf.RowID)
		}
	}
	if len(refused) != 1 || refused[0] != lost {
		t.Fatalf("cannot_apply entries for %v, want one for %s (ledger %+v)", refused, lost, conflicts)
	}
	if other, _ := a.store.Conflicts(ctx, userB, 10); len(other) != 0 {
		t.Fatalf("another user sees %d ledger entries of userA's rows", len(other))
	}
}
