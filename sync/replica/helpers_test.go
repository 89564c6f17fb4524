package replica_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/replica"
)

// centralDB is a fresh central database with the PAM schema installed.
type centralDB struct {
	url   string
	admin *pgx.Conn
}

func newCentral(tb testing.TB) *centralDB {
	tb.Helper()
	url := pgtest.NewDB(tb)
	conn := pgtest.Connect(tb, url)
	if err := central.Init(context.Background(), conn, schema.Default()); err != nil {
		tb.Fatalf("central init: %v", err)
	}
	return &centralDB{url: url, admin: conn}
}

// device is a real local store syncing with the central database as its
// own Postgres role.
type device struct {
	name  string
	store *localstore.Store
	rep   *replica.Replica
	pool  *pgxpool.Pool
	url   string // the device role's URL
	path  string
}

func (c *centralDB) newDevice(tb testing.TB, name string, users ...string) *device {
	tb.Helper()
	url, _, err := central.AddDevice(context.Background(), c.admin, c.url, users)
	if err != nil {
		tb.Fatalf("add device: %v", err)
	}
	return openDevice(tb, name, filepath.Join(tb.TempDir(), localstore.FileName), url, nil)
}

// newDeviceMode is newDevice with pgx's default_query_exec_mode set on the
// device's URL ("" keeps pgx's default).
func (c *centralDB) newDeviceMode(tb testing.TB, name, mode string, users ...string) *device {
	tb.Helper()
	url, _, err := central.AddDevice(context.Background(), c.admin, c.url, users)
	if err != nil {
		tb.Fatalf("add device: %v", err)
	}
	if mode != "" {
		url += "?default_query_exec_mode=" + mode
	}
	return openDevice(tb, name, filepath.Join(tb.TempDir(), localstore.FileName), url, nil)
}

func openDevice(tb testing.TB, name, path, url string, now func() time.Time) *device {
	tb.Helper()
	ctx := context.Background()
	s := localstore.New(path, schema.Default())
	if now != nil {
		s.Now = now
	}
	s.CacheBytes = 0
	if err := s.Open(ctx); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	d := &device{name: name, store: s, pool: pool, url: url, path: path}
	d.rep = replica.New(s, pool)
	d.rep.Logger = discard()
	tb.Cleanup(d.close)
	return d
}

func (d *device) close() {
	d.pool.Close()
	d.store.Close()
}

func (d *device) sync(tb testing.TB) replica.Result {
	tb.Helper()
	res, err := d.rep.Sync(context.Background())
	if err != nil {
		tb.Fatalf("%s sync: %v", d.name, err)
	}
	return res
}

// snapshot is a user's data as canonical text: table -> id -> column ->
// canonical JSON value, over the tables that sync.
type snapshot map[string]map[string]map[string]string

// syncedTables are the tables compared between replicas: those that
// travel both ways for a user.
func syncedTables() []*schema.Table {
	var out []*schema.Table
	for _, t := range schema.Default().Tables {
		if (t.Role == schema.RoleUser || t.Role == schema.RoleAppend) && !t.View {
			out = append(out, t)
		}
	}
	return out
}

func canonicalValue(tb testing.TB, c *schema.Column, v any) string {
	tb.Helper()
	if v == nil {
		return "null"
	}
	if raw, ok := v.(json.RawMessage); ok && c.Type == schema.JSON {
		v = raw
	} else if raw, ok := v.([]byte); ok {
		var x any
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		dec.Decode(&x)
		v = x
	}
	stored, err := c.Parse(normalizeJSON(v, c))
	if err != nil {
		tb.Fatalf("column %s: %v (%T %v)", c.Name, err, v, v)
	}
	out, _ := json.Marshal(c.Output(stored))
	return string(out)
}

// normalizeJSON turns a value scanned from Postgres into what the API
// parser accepts.
func normalizeJSON(v any, c *schema.Column) any {
	switch x := v.(type) {
	case json.RawMessage:
		var y any
		dec := json.NewDecoder(strings.NewReader(string(x)))
		dec.UseNumber()
		dec.Decode(&y)
		if c.Type == schema.JSON {
			return x
		}
		return y
	case float64:
		return json.Number(fmt.Sprint(x))
	}
	return v
}

// localSnapshot reads user's rows from a device through the store API.
func (d *device) snapshot(tb testing.TB, user string) snapshot {
	tb.Helper()
	snap := snapshot{}
	for _, t := range syncedTables() {
		rows := map[string]map[string]string{}
		for offset := 0; ; offset += schema.MaxLimit {
			res, err := d.store.Find(context.Background(), user, t.Name, schema.Query{Limit: schema.MaxLimit, Offset: offset})
			if err != nil {
				tb.Fatalf("%s read %s: %v", d.name, t.Name, err)
			}
			for _, r := range res.Rows {
				if t.Owner != "" && r[t.Owner] != user {
					continue // shared rows of others (social_groups)
				}
				row := map[string]string{}
				for i := range t.Columns {
					c := &t.Columns[i]
					row[c.Name] = canonicalValue(tb, c, r[c.Name])
				}
				rows[r["id"].(string)] = row
			}
			if len(res.Rows) < schema.MaxLimit {
				break
			}
		}
		snap[t.Name] = rows
	}
	return snap
}

// centralSnapshot reads user's rows centrally as the admin.
func (c *centralDB) snapshot(tb testing.TB, user string) snapshot {
	tb.Helper()
	ctx := context.Background()
	snap := snapshot{}
	for _, t := range syncedTables() {
		rows := map[string]map[string]string{}
		// An adopted table keyed by pam_id shows it to devices as id.
		q := fmt.Sprintf(`SELECT CASE WHEN to_jsonb(t) ? 'pam_id' THEN jsonb_set(to_jsonb(t) - 'pam_id', '{id}', to_jsonb(t) -> 'pam_id') ELSE to_jsonb(t) END
			FROM %s t WHERE %s = $1`, schema.Quote(t.Name), schema.Quote(t.Owner))
		res, err := c.admin.Query(ctx, q, user)
		if err != nil {
			tb.Fatalf("central read %s: %v", t.Name, err)
		}
		for res.Next() {
			var vals map[string]json.RawMessage
			if err := res.Scan(&vals); err != nil {
				tb.Fatal(err)
			}
			row := map[string]string{}
			for i := range t.Columns {
				col := &t.Columns[i]
				raw := vals[col.Name]
				var v any = nil
				if len(raw) > 0 && string(raw) != "null" {
					v = raw
				}
				row[col.Name] = canonicalValue(tb, col, v)
			}
			var id string
			json.Unmarshal(vals["id"], &id)
			rows[id] = row
		}
		res.Close()
		snap[t.Name] = rows
	}
	return snap
}

// diff describes how two snapshots differ ("" when equal).
func diff(a, b snapshot, an, bn string) string {
	var out []string
	tables := map[string]bool{}
	for t := range a {
		tables[t] = true
	}
	for t := range b {
		tables[t] = true
	}
	names := make([]string, 0, len(tables))
	for t := range tables {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		ra, rb := a[t], b[t]
		for id, row := range ra {
			other, ok := rb[id]
			if !ok {
				out = append(out, fmt.Sprintf("%s/%s only in %s", t, id, an))
				continue
			}
			for col, v := range row {
				if other[col] != v {
					out = append(out, fmt.Sprintf("%s/%s.%s: %s=%s %s=%s", t, id, col, an, v, bn, other[col]))
				}
			}
		}
		for id := range rb {
			if _, ok := ra[id]; !ok {
				out = append(out, fmt.Sprintf("%s/%s only in %s", t, id, bn))
			}
		}
	}
	slices.Sort(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("... and %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

func (s snapshot) rows() int {
	n := 0
	for _, t := range s {
		n += len(t)
	}
	return n
}
