package central_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/hlc"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/merge"
)

const expenseID = "0197a000-0000-7000-8000-000000000001"

var expenseColumns = func() []string {
	t, _ := schema.Default().Table("expenses")
	cols := t.ColumnNames()
	slices.Sort(cols)
	return cols
}()

func TestCaptureInsertUpdateDelete(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	start := hlc.New(time.Now().Add(-time.Second).UnixMilli(), 0)

	insertExpense(t, conn, expenseID, user1, "12.50")
	mustExec(t, conn, `UPDATE expenses SET amount = 13.75, description = 'diesel' WHERE id = $1`, expenseID)
	mustExec(t, conn, `UPDATE expenses SET amount = amount, category = category WHERE id = $1`, expenseID) // no change
	mustExec(t, conn, `DELETE FROM expenses WHERE id = $1`, expenseID)
	insertExpense(t, conn, expenseID, user1, "1.00")

	log := logOf(t, conn, user1)
	if len(log) != 4 {
		t.Fatalf("%d entries, want 4 (insert, update, delete, re-insert): %+v", len(log), log)
	}
	for i, e := range log {
		if e.Seq != int64(i+1) || e.Table != "expenses" || e.RowID != expenseID || e.Origin != merge.ServerNode {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	wantCL := []int64{1, 1, 2, 3}
	for i, e := range log {
		if e.CL != wantCL[i] {
			t.Errorf("entry %d: cl %d, want %d", i, e.CL, wantCL[i])
		}
	}
	// Insert: every column, with its value.
	if got := slices.Sorted(maps.Keys(log[0].Cells)); !slices.Equal(got, expenseColumns) {
		t.Errorf("insert cells %v, want %v", got, expenseColumns)
	}
	wantValue(t, log[0].Cells, "amount", `12.50`)
	wantValue(t, log[0].Cells, "user_id", `"`+user1+`"`)
	wantValue(t, log[0].Cells, "date", `"2025-06-01"`)
	wantValue(t, log[0].Cells, "description", `null`)
	// Update: only what changed, and updated_at, which central keeps.
	if got := slices.Sorted(maps.Keys(log[1].Cells)); !slices.Equal(got, []string{"amount", "description", "updated_at"}) {
		t.Errorf("update cells %v, want [amount description updated_at]", got)
	}
	wantValue(t, log[1].Cells, "amount", `13.75`)
	wantValue(t, log[1].Cells, "description", `"diesel"`)
	// Delete: no cells.
	if len(log[2].Cells) != 0 {
		t.Errorf("delete cells %v, want none", log[2].Cells)
	}
	if got := slices.Sorted(maps.Keys(log[3].Cells)); !slices.Equal(got, expenseColumns) {
		t.Errorf("re-insert cells %v, want every column", got)
	}
	// Versions: server node, HLC of now, strictly increasing per row.
	last := start
	for i, e := range []entry{log[0], log[1], log[3]} {
		var ts hlc.Timestamp
		for col, c := range e.Cells {
			if c.Node != merge.ServerNode {
				t.Errorf("entry %d %s: node %q", i, col, c.Node)
			}
			ts = c.HLC
		}
		if ts <= last {
			t.Errorf("entry %d: HLC %v not after %v", i, ts, last)
		}
		if d := time.Since(ts.Time()); d < -time.Minute || d > time.Minute {
			t.Errorf("entry %d: HLC %v is not now", i, ts)
		}
		last = ts
	}

	// row_meta holds the versions without values and the latest cl.
	var cl int64
	var cells map[string]map[string]json.RawMessage
	var owner string
	if err := conn.QueryRow(testContext(t), `SELECT cl, cells, user_id::text FROM pam_sync.row_meta WHERE tbl = 'expenses' AND row_id = $1`, expenseID).Scan(&cl, &cells, &owner); err != nil {
		t.Fatal(err)
	}
	if cl != 3 || owner != user1 || len(cells) != len(expenseColumns) {
		t.Fatalf("row_meta cl %d owner %s cells %v", cl, owner, cells)
	}
	for col, v := range cells {
		if _, ok := v["v"]; ok || len(v) != 2 {
			t.Fatalf("row_meta cell %s = %v: want only t and n", col, v)
		}
	}
	if n := countOf(t, conn, `SELECT seq FROM pam_sync.user_clock WHERE user_id = $1`, user1); n != 4 {
		t.Fatalf("user_clock %d, want 4", n)
	}
}

func wantValue(t *testing.T, cells map[string]merge.Cell, col, want string) {
	t.Helper()
	c, ok := cells[col]
	if !ok {
		t.Errorf("no cell %s", col)
		return
	}
	if string(c.Value) != want {
		t.Errorf("cell %s = %s, want %s", col, c.Value, want)
	}
}

// TestCaptureBulk inserts 10,000 expenses for three users with one INSERT ...
// SELECT: one entry per row, each user's sequence 1..n, in row-id order.
func TestCaptureBulk(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	mustExec(t, conn, `INSERT INTO expenses (id, user_id, amount, category, date)
		SELECT gen_random_uuid(), (ARRAY[$1, $2, $3]::uuid[])[1 + g % 3], g / 100.0, 'fuel', DATE '2025-01-01' + g % 365
		FROM generate_series(0, 9999) g`, user1, user2, user3)
	want := map[string]int{user1: 3334, user2: 3333, user3: 3333}
	for user, n := range want {
		log := logOf(t, conn, user)
		if len(log) != n {
			t.Fatalf("user %s: %d entries, want %d", user, len(log), n)
		}
		seen := map[string]bool{}
		for i, e := range log {
			if e.Seq != int64(i+1) {
				t.Fatalf("user %s: entry %d has seq %d", user, i, e.Seq)
			}
			if i > 0 && e.RowID <= log[i-1].RowID {
				t.Fatalf("user %s: seq %d row %s not after %s", user, e.Seq, e.RowID, log[i-1].RowID)
			}
			if seen[e.RowID] || e.CL != 1 || len(e.Cells) != len(expenseColumns) || e.Cells["user_id"].Value == nil {
				t.Fatalf("user %s: bad entry %+v", user, e)
			}
			seen[e.RowID] = true
		}
	}
	// Every row is someone's: the entries are exactly the table's rows.
	if n := countOf(t, conn, `SELECT count(*) FROM expenses e JOIN pam_sync.change_log l ON l.row_id = e.id AND l.user_id = e.user_id`); n != 10000 {
		t.Fatalf("%d rows matched by a log entry, want 10000", n)
	}

	// A bulk UPDATE logs the changed column of each row it changed, once
	// (with updated_at, which central keeps).
	tag := mustExec(t, conn, `UPDATE expenses SET category = 'food' WHERE user_id = $1 AND amount < 50`, user2)
	log := logOf(t, conn, user2)
	if int64(len(log)) != 3333+tag.RowsAffected() {
		t.Fatalf("after update: %d entries, want %d", len(log), 3333+tag.RowsAffected())
	}
	for _, e := range log[3333:] {
		if _, touched := e.Cells["updated_at"]; e.CL != 1 || len(e.Cells) != 2 || !touched || string(e.Cells["category"].Value) != `"food"` {
			t.Fatalf("update entry %+v", e)
		}
	}
	if n := countOf(t, conn, `SELECT count(*) FROM pam_sync.row_meta WHERE tbl = 'expenses'`); n != 10000 {
		t.Fatalf("row_meta has %d rows, want 10000", n)
	}
}

// TestCaptureScope: reference rows and rows without an owner go to the
// shared scope; profiles are owned by their own id.
func TestCaptureScope(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	const (
		campID    = "0197a000-0000-7000-8000-00000000c001"
		ideaOwned = "0197a000-0000-7000-8000-00000000d001"
		ideaSeed  = "0197a000-0000-7000-8000-00000000d002"
		groupID   = "0197a000-0000-7000-8000-00000000e001"
	)
	mustExec(t, conn, `INSERT INTO camping_locations (id, name, type, latitude, longitude) VALUES ($1, 'Lake', 'campground', 45.1, -110.2)`, campID)
	mustExec(t, conn, `INSERT INTO hustle_ideas (id, user_id, title) VALUES ($1, $2, 'mine'), ($3, NULL, 'seeded')`, ideaOwned, user1, ideaSeed)
	mustExec(t, conn, `INSERT INTO social_groups (id, owner_id, name) VALUES ($1, $2, 'RV club')`, groupID, user1)
	mustExec(t, conn, `INSERT INTO profiles (id, email) VALUES ($1, 'a@example.com')`, user2)

	shared := logOf(t, conn, central.SharedScope)
	got := map[string]string{}
	for _, e := range shared {
		got[e.RowID] = e.Table
	}
	want := map[string]string{campID: "camping_locations", ideaSeed: "hustle_ideas", groupID: "social_groups"}
	if !maps.Equal(got, want) {
		t.Fatalf("shared scope logged %v, want %v", got, want)
	}
	if l := logOf(t, conn, user1); len(l) != 1 || l[0].RowID != ideaOwned {
		t.Fatalf("user1 log %+v, want the owned idea only", l)
	}
	if l := logOf(t, conn, user2); len(l) != 1 || l[0].Table != "profiles" || l[0].RowID != user2 {
		t.Fatalf("user2 log %+v, want the profile", l)
	}
}

// TestCaptureOrigin: a push opened with begin_push logs its changes
// itself; the trigger stays out of the way, for that transaction only.
// (A writer that only sets pam_sync.origin is captured: forge_test.go.)
func TestCaptureOrigin(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	ctx := testContext(t)
	const device = "0197a000-0000-7000-8000-0000000e00a1"
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		mustExec(t, tx, `SELECT pam_sync.begin_push($1)`, device)
		insertExpense(t, tx, expenseID, user1, "5.00")
		mustExec(t, tx, `UPDATE expenses SET amount = 6 WHERE id = $1`, expenseID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countOf(t, conn, `SELECT count(*) FROM pam_sync.change_log`); n != 0 {
		t.Fatalf("%d entries logged for an origin-tagged write, want 0", n)
	}
	if n := countOf(t, conn, `SELECT count(*) FROM pam_sync.row_meta`); n != 0 {
		t.Fatalf("%d row_meta rows for an origin-tagged write, want 0", n)
	}
	mustExec(t, conn, `UPDATE expenses SET amount = 7 WHERE id = $1`, expenseID)
	log := logOf(t, conn, user1)
	if len(log) != 1 || log[0].CL != 1 || string(log[0].Cells["amount"].Value) != "7.00" {
		t.Fatalf("log after the tagged transaction %+v: want the update of a row that predates capture (cl 1)", log)
	}
}

// TestCaptureMove: changing a row's owner deletes it from the old owner's
// scope and re-creates it, whole, in the new owner's.
func TestCaptureMove(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	insertExpense(t, conn, expenseID, user1, "5.00")
	mustExec(t, conn, `UPDATE expenses SET user_id = $2 WHERE id = $1`, expenseID, user2)
	l1, l2 := logOf(t, conn, user1), logOf(t, conn, user2)
	if len(l1) != 2 || l1[1].CL != 2 || len(l1[1].Cells) != 0 {
		t.Fatalf("old owner's log %+v: want insert then delete (cl 2)", l1)
	}
	if len(l2) != 1 || l2[0].Seq != 1 || l2[0].CL != 3 || len(l2[0].Cells) != len(expenseColumns) {
		t.Fatalf("new owner's log %+v: want a whole re-insert (cl 3)", l2)
	}
	var owner string
	var cl int64
	conn.QueryRow(testContext(t), `SELECT user_id::text, cl FROM pam_sync.row_meta WHERE row_id = $1`, expenseID).Scan(&owner, &cl)
	if owner != user2 || cl != 3 {
		t.Fatalf("row_meta owner %s cl %d, want %s 3", owner, cl, user2)
	}
}

// TestCaptureOrdersAfterExisting: a central edit gets an HLC after every
// version the row holds, even one from a device whose clock runs ahead.
func TestCaptureOrdersAfterExisting(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	insertExpense(t, conn, expenseID, user1, "5.00")
	ahead := hlc.New(time.Now().Add(24*time.Hour).UnixMilli(), 7)
	mustExec(t, conn, `UPDATE pam_sync.row_meta SET cells = jsonb_set(cells, '{category}', jsonb_build_object('t', $2::bigint, 'n', 'dev-b'))
		WHERE row_id = $1`, expenseID, int64(ahead))
	mustExec(t, conn, `UPDATE expenses SET amount = 6 WHERE id = $1`, expenseID)
	log := logOf(t, conn, user1)
	if got := log[1].Cells["amount"].HLC; got != ahead+1 {
		t.Fatalf("update HLC %v, want %v (one after the newest version)", got, ahead+1)
	}
	// row_meta keeps the untouched cell's version and the new one.
	var cells map[string]merge.Clock
	conn.QueryRow(testContext(t), `SELECT cells FROM pam_sync.row_meta WHERE row_id = $1`, expenseID).Scan(&cells)
	if cells["category"] != (merge.Clock{HLC: ahead, Node: "dev-b"}) || cells["amount"] != (merge.Clock{HLC: ahead + 1, Node: merge.ServerNode}) {
		t.Fatalf("row_meta versions %v", cells)
	}
}

// TestCaptureMultiStatement: statements of one transaction get consecutive
// ranges; a rolled-back transaction leaves no gap.
func TestCaptureMultiStatement(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	ctx := testContext(t)
	pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for i := range 3 {
			insertExpense(t, tx, fmt.Sprintf("0197a000-0000-7000-8000-%012d", i), user1, "1")
		}
		return nil
	})
	tx, _ := conn.Begin(ctx)
	insertExpense(t, tx, "0197a000-0000-7000-8000-000000000099", user1, "1")
	tx.Rollback(ctx)
	insertExpense(t, conn, "0197a000-0000-7000-8000-000000000100", user1, "1")
	log := logOf(t, conn, user1)
	if len(log) != 4 {
		t.Fatalf("%d entries, want 4", len(log))
	}
	for i, e := range log {
		if e.Seq != int64(i+1) {
			t.Fatalf("seq %v at %d: gap", e.Seq, i)
		}
	}
}

// TestCaptureLargeAfterSmall: small statements run a cached generic plan,
// made while the tables were nearly empty; a large statement afterwards in
// the same session must still be planned for its size (the generic plan
// joins row_meta by nested loop over a scan: quadratic).
func TestCaptureLargeAfterSmall(t *testing.T) {
	t.Parallel()
	_, conn := MustInit(t)
	insertExpense(t, conn, expenseID, user1, "1")
	for range 12 {
		mustExec(t, conn, `UPDATE expenses SET amount = amount + 1 WHERE id = $1`, expenseID)
		mustExec(t, conn, `DELETE FROM expenses WHERE id = $1`, expenseID)
		insertExpense(t, conn, expenseID, user1, "1")
	}
	const rows = 30000
	// No wall-clock budget (a busy CI box made a 30 s one fail): only
	// testContext's hang guard bounds the statements here. Their speed is
	// BenchmarkCaptureBulkInsert's to show; this test checks that a large
	// statement after small ones logs every row.
	ctx := testContext(t)
	start := time.Now()
	for _, sql := range []string{
		`INSERT INTO expenses (id, user_id, amount, category, date) SELECT gen_random_uuid(), $1, g, 'fuel', '2025-01-01' FROM generate_series(1, ` + fmt.Sprint(rows) + `) g`,
		`UPDATE expenses SET amount = amount + 1`,
		`DELETE FROM expenses`,
	} {
		args := []any{}
		if strings.Contains(sql, "$1") {
			args = append(args, user1)
		}
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s after small statements: %v (after %v)", sql, err, time.Since(start))
		}
	}
	if n := countOf(t, conn, `SELECT count(*) FROM pam_sync.change_log WHERE user_id = $1`, user1); n != 1+36+3*rows+2 {
		t.Fatalf("%d entries, want %d", n, 1+36+3*rows+2)
	}
}
