package replica_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/replica"
)

// TestResumeEquivalence: for a random central change log and every cut
// point, pulling everything at once equals pulling a prefix, stopping,
// reopening the store and pulling the rest.
func TestResumeEquivalence(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 5))
	var ids []string
	for tx := 0; tx < 25; tx++ {
		if _, err := c.admin.Exec(ctx, `BEGIN`); err != nil {
			t.Fatal(err)
		}
		for op := 0; op < 1+rng.IntN(3); op++ {
			var err error
			switch k := rng.IntN(10); {
			case k < 4 || len(ids) == 0:
				id := fmt.Sprintf("0190a000-0000-7000-9000-%012d", len(ids)+1)
				ids = append(ids, id)
				_, err = c.admin.Exec(ctx, `INSERT INTO expenses (id, user_id, amount, category, date, created_at, updated_at) VALUES ($1, $2, $3, 'fuel', '2026-03-01', now(), now())`,
					id, userA, rng.IntN(1000))
			case k < 8:
				_, err = c.admin.Exec(ctx, `UPDATE expenses SET amount = $2, description = $3 WHERE id = $1`, ids[rng.IntN(len(ids))], rng.IntN(1000), fmt.Sprint("v", rng.IntN(100)))
			case k < 9:
				_, err = c.admin.Exec(ctx, `DELETE FROM expenses WHERE id = $1`, ids[rng.IntN(len(ids))])
			default: // re-insert a deleted row: a new incarnation
				id := ids[rng.IntN(len(ids))]
				_, err = c.admin.Exec(ctx, `INSERT INTO expenses (id, user_id, amount, category, date, created_at, updated_at) VALUES ($1, $2, 7, 'again', '2026-03-02', now(), now()) ON CONFLICT (id) DO NOTHING`, id, userA)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.admin.Exec(ctx, `COMMIT`); err != nil {
			t.Fatal(err)
		}
	}
	var logged int
	c.admin.QueryRow(ctx, `SELECT count(*) FROM pam_sync.change_log WHERE user_id = $1`, userA).Scan(&logged)
	url, _, err := central.AddDevice(ctx, c.admin, c.url, []string{userA})
	if err != nil {
		t.Fatal(err)
	}
	full := openDevice(t, "full", filepath.Join(t.TempDir(), localstore.FileName), url, nil)
	full.sync(t)
	want := full.snapshot(t, userA)
	if s := diff(want, c.snapshot(t, userA), "device", "central"); s != "" {
		t.Fatalf("full pull differs from central:\n%s", s)
	}
	for cut := 1; cut < logged; cut++ {
		path := filepath.Join(t.TempDir(), localstore.FileName)
		d := openDevice(t, "cut", path, url, nil)
		d.rep.PullPage = cut
		stop, cancel := context.WithCancel(ctx)
		d.rep.Progress = func(replica.Progress) { cancel() } // stop after the first page
		if _, _, _, err := d.rep.Pull(stop); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("cut %d: first pull: %v", cut, err)
		}
		cancel()
		d.close()
		again := openDevice(t, "resumed", path, url, nil)
		again.sync(t)
		if s := diff(again.snapshot(t, userA), want, fmt.Sprint("cut ", cut), "full"); s != "" {
			t.Fatalf("resuming after %d changes differs:\n%s", cut, s)
		}
		again.close()
	}
	t.Logf("%d change-log rows, %d cut points equal to the full pull", logged, logged-1)
}
