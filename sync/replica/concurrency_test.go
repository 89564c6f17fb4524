package replica_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

// TestConcurrentDevices: 20 devices of 5 users write, push and pull at the
// same time. No cursor skips a change: every device ends with every change
// of its user, equal to central.
func TestConcurrentDevices(t *testing.T) {
	users := make([]string, 5)
	for i := range users {
		users[i] = fmt.Sprintf("0190a000-0000-7000-8000-0000000010%02d", i)
	}
	concurrentDevices(t, newCentral(t), users)
}

// TestConcurrentDevicesAdopted is the same run on the Wheels & Wins
// database adopted with init --adopt (expenses keyed by pam_id, the
// project's users in auth.users, rows there before any device).
func TestConcurrentDevicesAdopted(t *testing.T) {
	if testing.Short() {
		t.Skip("long: make test runs it without -race, after the -short race run")
	}
	f := supabasetest.Install(t, pgtest.NewDB(t))
	ctx := context.Background()
	if err := central.InitWith(ctx, pgtest.Connect(t, f.OwnerURL), schema.Default(), central.Options{Adopt: true}); err != nil {
		t.Fatalf("init --adopt: %v", err)
	}
	c := &centralDB{url: f.AdminURL, admin: pgtest.Connect(t, f.AdminURL)}
	users := []string{f.U, f.V}
	for i := 2; i < 5; i++ {
		u := fmt.Sprintf("0190a000-0000-7000-8000-0000000011%02d", i)
		if _, err := c.admin.Exec(ctx, `INSERT INTO auth.users (id, email) VALUES ($1, $2)`, u, u+"@example.org"); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	concurrentDevices(t, c, users)
}

func concurrentDevices(t *testing.T, c *centralDB, users []string) {
	ctx := context.Background()
	before := map[string]int{}
	for _, u := range users {
		before[u] = len(c.snapshot(t, u)["expenses"])
	}
	var devices []*device
	for i := 0; i < 20; i++ {
		devices = append(devices, c.newDevice(t, fmt.Sprintf("dev%02d", i), users[i%5]))
	}
	const rounds, writes = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, len(devices)+1)
	for i, d := range devices {
		wg.Add(1)
		go func(i int, d *device) {
			defer wg.Done()
			user := users[i%5]
			for r := 0; r < rounds; r++ {
				for w := 0; w < writes; w++ {
					if _, err := d.store.Create(ctx, user, "expenses", expense(fmt.Sprintf("%d.%02d", i+1, w), "fuel", fmt.Sprintf("2026-03-%02d", 1+w))); err != nil {
						errs <- err
						return
					}
				}
				if _, err := d.rep.Sync(ctx); err != nil {
					errs <- fmt.Errorf("%s: %w", d.name, err)
					return
				}
			}
		}(i, d)
	}
	// The web app writes too, at the same time.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 40; i++ {
			webExec(t, c, users[i%5], `INSERT INTO expenses (user_id, amount, category, date) VALUES ($1, 1, 'web', current_date)`, users[i%5])
			time.Sleep(time.Millisecond)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, d := range devices {
		d.sync(t)
	}
	for i, d := range devices {
		user := users[i%5]
		want := c.snapshot(t, user)
		if n := len(want["expenses"]); n != before[user]+4*rounds*writes+8 {
			t.Fatalf("central holds %d expenses of %s, want %d", n, user, before[user]+4*rounds*writes+8)
		}
		if s := diff(d.snapshot(t, user), want, d.name, "central"); s != "" {
			t.Fatalf("%s misses changes:\n%s", d.name, s)
		}
	}
}

// TestClockSkew: devices whose clocks are a day fast, a day slow or at 1970
// keep syncing; the order between them is deterministic (the same on every
// replica) and the anomaly is recorded centrally.
func TestClockSkew(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	clocks := map[string]time.Duration{"fast": 24 * time.Hour, "slow": -24 * time.Hour, "epoch": -time.Since(time.Unix(0, 0))}
	var devices []*device
	for _, name := range []string{"fast", "slow", "epoch"} {
		url, _, err := central.AddDevice(ctx, c.admin, c.url, []string{userA})
		if err != nil {
			t.Fatal(err)
		}
		offset := clocks[name]
		devices = append(devices, openDevice(t, name, filepath.Join(t.TempDir(), localstore.FileName), url,
			func() time.Time { return time.Now().Add(offset) }))
	}
	id := mustCreate(t, devices[1], userA, "expenses", expense("10.00", "fuel", "2026-03-01"))
	devices[1].sync(t)
	for _, d := range devices {
		d.sync(t)
	}
	// All three edit the same cell concurrently, then sync.
	for i, d := range devices {
		if _, err := d.store.Update(ctx, userA, "expenses", id, schema.Row{"description": d.name, "amount": fmt.Sprintf("%d.00", 20+i)}); err != nil {
			t.Fatal(err)
		}
	}
	for round := 0; round < 2; round++ {
		for _, d := range devices {
			d.sync(t)
		}
	}
	want := c.snapshot(t, userA)
	for _, d := range devices {
		if s := diff(d.snapshot(t, userA), want, d.name, "central"); s != "" {
			t.Fatalf("%s diverged:\n%s", d.name, s)
		}
	}
	// The epoch device's first write was timestamped 1970, yet its clock
	// observed the others' on pull, so its later edit still orders after
	// what it saw: every replica agrees on one winner.
	got, _ := devices[0].store.Get(ctx, userA, "expenses", id)
	t.Logf("winner after skewed concurrent edits: %v (amount %v)", got["description"], got["amount"])
	var anomalies int
	if err := c.admin.QueryRow(ctx, `SELECT count(*) FROM pam_sync.anomalies WHERE kind = 'clock_skew'`).Scan(&anomalies); err != nil {
		t.Fatal(err)
	}
	if anomalies == 0 {
		t.Fatal("no clock anomaly recorded for devices a day off")
	}
	if conflicts, _ := devices[2].store.ConflictCount(ctx); conflicts == 0 {
		t.Fatal("concurrent edits left no conflict record on the device")
	}
}
