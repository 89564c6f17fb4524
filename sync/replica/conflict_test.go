package replica_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/replica"
)

// TestOnlyRealConflicts: a web edit made after the device's value reached
// central replaces it on the device without a conflict; a web edit
// concurrent with a device edit records the loser, once.
func TestOnlyRealConflicts(t *testing.T) {
	c := newCentral(t)
	d := c.newDevice(t, "rv", userA)
	ctx := context.Background()
	id := mustCreate(t, d, userA, "expenses", expense("20.00", "fuel", "2026-02-01"))
	d.sync(t)
	webEdit := func(amount string) {
		t.Helper()
		if _, err := c.admin.Exec(ctx, `UPDATE expenses SET amount = $2::numeric, description = 'edited on the web' WHERE id = $1`, id, amount); err != nil {
			t.Fatal(err)
		}
	}
	ledger := func() int {
		t.Helper()
		n, err := d.store.ConflictCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var central int
		c.admin.QueryRow(ctx, `SELECT count(*) FROM pam_sync.conflicts`).Scan(&central)
		return n + central
	}

	t.Run("SequentialWebEdit", func(t *testing.T) {
		webEdit("21.00")
		d.sync(t)
		got, err := d.store.Get(ctx, userA, "expenses", id)
		if err != nil || got["description"] != "edited on the web" {
			t.Fatalf("device row after the web edit: %v (%v)", got, err)
		}
		if n := ledger(); n != 0 {
			recs, _ := d.store.Conflicts(ctx, userA, 10)
			t.Fatalf("%d conflicts recorded for an edit that saw the device's value: %+v", n, recs)
		}
	})

	t.Run("ConcurrentEdit", func(t *testing.T) {
		if _, err := d.store.Update(ctx, userA, "expenses", id, schema.Row{"amount": "30.00"}); err != nil {
			t.Fatal(err)
		}
		webEdit("31.00") // after the device's edit, before it is pushed: concurrent
		d.sync(t)
		d.sync(t)
		if s := diff(d.snapshot(t, userA), c.snapshot(t, userA), d.name, "central"); s != "" {
			t.Fatalf("device and central disagree:\n%s", s)
		}
		if n := ledger(); n == 0 {
			t.Fatal("a concurrent overwrite recorded no conflict")
		}
	})
}

// TestOtherContract: against a central that speaks another sync contract a
// push stops before writing anything, and the local change stays pending
// (never filed as refused).
func TestOtherContract(t *testing.T) {
	c := newCentral(t)
	d := c.newDevice(t, "rv", userA)
	ctx := context.Background()
	mustCreate(t, d, userA, "expenses", expense("5.00", "fuel", "2026-02-01"))
	if _, err := c.admin.Exec(ctx, `UPDATE pam_sync.meta SET value = '1' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	_, _, err := d.rep.Push(ctx)
	if !errors.Is(err, replica.ErrContract) {
		t.Fatalf("push against contract 1: %v, want ErrContract", err)
	}
	if n, _ := d.store.PendingChanges(ctx); n != 1 {
		t.Fatalf("%d changes pending after the refused push, want 1", n)
	}
	if rej, _ := d.store.Rejections(ctx, 10); len(rej) != 0 {
		t.Fatalf("the change was filed as refused: %+v", rej)
	}
}
