package replica_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

// TestOracle: random operations through three doors — devices (real SQLite
// files through the store, as the API writes), the web app (SQL as the user
// under RLS) and an administrator (SQL as a superuser) — interleaved with
// partial syncs. After a final sync every device equals what its users hold
// centrally, and holds nothing of anyone else.
func TestOracle(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		if testing.Short() && seed > 1 {
			break // one seed under -short (the race run); all three without
		}
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			runOracle(t, seed, 250, oracleEnv{c: newCentral(t), a: userA, b: userB, key: "id"})
		})
	}
}

// TestOracleAdopted runs the oracle on the Wheels & Wins database adopted
// with init --adopt: expenses keep the web app's bigint ids (devices know
// them by pam_id), the web app inserts without ids, and the users are the
// project's auth users.
func TestOracleAdopted(t *testing.T) {
	if testing.Short() {
		t.Skip("long: make test runs it without -race, after the -short race run")
	}
	f := supabasetest.Install(t, pgtest.NewDB(t))
	if err := central.InitWith(context.Background(), pgtest.Connect(t, f.OwnerURL), schema.Default(), central.Options{Adopt: true}); err != nil {
		t.Fatalf("init --adopt: %v", err)
	}
	c := &centralDB{url: f.AdminURL, admin: pgtest.Connect(t, f.AdminURL)}
	runOracle(t, 7, 250, oracleEnv{c: c, a: f.U, b: f.V, key: central.SyncKey})
}

// oracleEnv is where an oracle runs: the central database, its two users,
// and the column expenses are keyed by for devices (id, or the sync key of
// an adopted table whose own id is a bigint).
type oracleEnv struct {
	c    *centralDB
	a, b string
	key  string
}

type oracle struct {
	oracleEnv
	t       *testing.T
	rng     *rand.Rand
	devices []*device
	serves  map[*device][]string
}

func runOracle(t *testing.T, seed uint64, ops int, env oracleEnv) {
	ctx := context.Background()
	o := &oracle{oracleEnv: env, t: t, rng: rand.New(rand.NewPCG(seed, 42)), serves: map[*device][]string{}}
	userA, userB := env.a, env.b
	add := func(name string, users ...string) {
		d := o.c.newDevice(t, name, users...)
		o.devices = append(o.devices, d)
		o.serves[d] = users
	}
	add("a-rv", userA)
	add("a-phone", userA)
	add("couple", userA, userB)
	add("b-tablet", userB)
	for i := 0; i < ops; i++ {
		switch n := o.rng.IntN(100); {
		case n < 60:
			o.deviceOp(ctx)
		case n < 78:
			o.webOp(ctx)
		case n < 90:
			o.adminOp(ctx)
		default:
			d := o.devices[o.rng.IntN(len(o.devices))]
			d.sync(t)
		}
	}
	for round := 0; round < 2; round++ {
		for _, d := range o.devices {
			d.sync(t)
		}
	}
	for _, d := range o.devices {
		for _, u := range []string{userA, userB} {
			local := d.snapshot(t, u)
			if !contains(o.serves[d], u) {
				if local.rows() != 0 {
					t.Fatalf("%s holds %d rows of a user it does not serve", d.name, local.rows())
				}
				continue
			}
			want := o.c.snapshot(t, u)
			if want.rows() < 20 {
				t.Fatalf("only %d rows of %s centrally: the run exercised too little", want.rows(), u)
			}
			if s := diff(local, want, d.name, "central"); s != "" {
				t.Fatalf("%s differs from central for %s:\n%s", d.name, u, s)
			}
			t.Logf("%s: %d rows of %s equal central", d.name, local.rows(), u)
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

var oracleCategories = []string{"groceries", "fuel", "camping", "dining", "propane"}

func (o *oracle) amount() string { return fmt.Sprintf("%d.%02d", 1+o.rng.IntN(300), o.rng.IntN(100)) }
func (o *oracle) date() string {
	return fmt.Sprintf("2026-%02d-%02d", 1+o.rng.IntN(12), 1+o.rng.IntN(28))
}

// deviceOp creates, updates or deletes through a device's store.
func (o *oracle) deviceOp(ctx context.Context) {
	d := o.devices[o.rng.IntN(len(o.devices))]
	users := o.serves[d]
	user := users[o.rng.IntN(len(users))]
	table := []string{"expenses", "expenses", "income_entries", "calendar_events"}[o.rng.IntN(4)]
	ids := o.localIDs(d, user, table)
	switch op := o.rng.IntN(10); {
	case op < 5 || len(ids) == 0:
		mustCreate(o.t, d, user, table, o.newRow(table))
	case op < 9:
		id := ids[o.rng.IntN(len(ids))]
		if _, err := d.store.Update(ctx, user, table, id, o.patch(table)); err != nil {
			o.t.Fatalf("%s update: %v", d.name, err)
		}
	default:
		id := ids[o.rng.IntN(len(ids))]
		if err := d.store.Delete(ctx, user, table, id); err != nil {
			o.t.Fatalf("%s delete: %v", d.name, err)
		}
	}
}

func (o *oracle) newRow(table string) schema.Row {
	switch table {
	case "income_entries":
		return schema.Row{"source": "YouTube", "amount": o.amount(), "date": o.date(), "type": "hustle"}
	case "calendar_events":
		d := o.date()
		return schema.Row{"title": "trip " + d, "event_type": "trip", "start_date": d + "T08:00:00Z", "end_date": d + "T20:00:00Z"}
	}
	return schema.Row{"amount": o.amount(), "category": oracleCategories[o.rng.IntN(len(oracleCategories))], "date": o.date(), "description": "dev"}
}

func (o *oracle) patch(table string) schema.Row {
	switch table {
	case "income_entries":
		return schema.Row{"amount": o.amount()}
	case "calendar_events":
		return schema.Row{"title": fmt.Sprint("renamed ", o.rng.IntN(1000)), "location_name": "Moab"}
	}
	if o.rng.IntN(2) == 0 {
		return schema.Row{"amount": o.amount()}
	}
	return schema.Row{"category": oracleCategories[o.rng.IntN(len(oracleCategories))], "description": fmt.Sprint("edit ", o.rng.IntN(1000))}
}

func (o *oracle) localIDs(d *device, user, table string) []string {
	res, err := d.store.Find(context.Background(), user, table, schema.Query{Limit: schema.MaxLimit})
	if err != nil {
		o.t.Fatal(err)
	}
	ids := make([]string, len(res.Rows))
	for i, r := range res.Rows {
		ids[i] = r["id"].(string)
	}
	return ids
}

func (o *oracle) centralIDs(ctx context.Context, user string) []string {
	rows, err := o.c.admin.Query(ctx, `SELECT `+o.key+`::text FROM expenses WHERE user_id = $1 ORDER BY 1`, user)
	if err != nil {
		o.t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// webOp writes expenses as the Supabase web app: the user's JWT, RLS on.
func (o *oracle) webOp(ctx context.Context) {
	user := []string{o.a, o.b}[o.rng.IntN(2)]
	ids := o.centralIDs(ctx, user)
	switch op := o.rng.IntN(10); {
	case op < 4 || len(ids) == 0:
		// As supabase-js does: no id (a uuid or a bigserial default).
		webExec(o.t, o.c, user, `INSERT INTO expenses (user_id, amount, category, date, description) VALUES ($1, $2::numeric, 'web', $3::date, 'from the web')`,
			user, o.amount(), o.date())
	case op < 9:
		webExec(o.t, o.c, user, `UPDATE expenses SET amount = $2::numeric, description = 'web edit' WHERE `+o.key+` = $1`, ids[o.rng.IntN(len(ids))], o.amount())
	default:
		webExec(o.t, o.c, user, `DELETE FROM expenses WHERE `+o.key+` = $1`, ids[o.rng.IntN(len(ids))])
	}
}

// adminOp writes as a superuser: bulk statements across users included.
func (o *oracle) adminOp(ctx context.Context) {
	var err error
	switch o.rng.IntN(3) {
	case 0:
		_, err = o.c.admin.Exec(ctx, `UPDATE expenses SET category = 'admin-fixed' WHERE category = $1`, oracleCategories[o.rng.IntN(len(oracleCategories))])
	case 1:
		_, err = o.c.admin.Exec(ctx, `INSERT INTO expenses (user_id, amount, category, date, created_at, updated_at)
			SELECT u, 9.99, 'import', current_date, now(), now() FROM unnest($1::uuid[]) u`, []string{o.a, o.b})
	default:
		ids := o.centralIDs(ctx, []string{o.a, o.b}[o.rng.IntN(2)])
		if len(ids) > 0 {
			_, err = o.c.admin.Exec(ctx, `DELETE FROM expenses WHERE `+o.key+` = $1`, ids[o.rng.IntN(len(ids))])
		}
	}
	if err != nil {
		o.t.Fatalf("admin SQL: %v", err)
	}
}
