package replica_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/schematest"
	"github.com/pam-rv/pamd/sync/central"
)

// TestTransactionPooler syncs two devices through a real PgBouncer in
// transaction mode, the way Supabase's Supavisor pools on port 6543: a
// server connection serves one transaction of one client, then another
// client's, so nothing may rely on session state or named prepared
// statements. The pooler listens on 6543 so the device's URL carries no
// setting: central.ForPooler picks the exec mode from the port.
func TestTransactionPooler(t *testing.T) {
	c := newCentral(t)
	a := c.newDevice(t, "rv", userA)
	b := c.newDevice(t, "phone", userA)
	pooled := startPgBouncer(t, a.url, b.url)
	for _, d := range []*device{a, b} {
		u, err := url.Parse(d.url)
		if err != nil {
			t.Fatal(err)
		}
		u.Host = pooled
		cfg, err := pgxpool.ParseConfig(u.String())
		if err != nil {
			t.Fatal(err)
		}
		central.ForPooler(cfg.ConnConfig, u.String())
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		d.rep.DB = pool
	}
	for _, tbl := range syncedTables() {
		if tbl.Allows(schema.OpCreate) {
			mustCreate(t, a, userA, tbl.Name, schematest.AwkwardRow(tbl))
		}
	}
	if res := a.sync(t); res.Rejected != 0 {
		t.Fatalf("central refused %d transactions through the pooler", res.Rejected)
	}
	id := mustCreate(t, b, userA, "expenses", expense("12.34", "fuel", "2026-05-01"))
	b.sync(t)
	webExec(t, c, userA, `UPDATE expenses SET amount = 99.99 WHERE id = $1`, id)
	a.sync(t)
	b.sync(t)
	want := c.snapshot(t, userA)
	for _, d := range []*device{a, b} {
		if s := diff(d.snapshot(t, userA), want, d.name, "central"); s != "" {
			t.Fatalf("%s differs from central after syncing through the pooler:\n%s", d.name, s)
		}
	}
}

// startPgBouncer runs PgBouncer in transaction mode in front of the test
// server, trusting the roles of the given URLs (it refuses to run as root,
// so it runs as postgres), and returns its address. It hands server
// connections out round robin, so consecutive transactions of one client
// land on different server sessions, as they do on a busy pooler.
func startPgBouncer(t *testing.T, urls ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgbouncer is not installed (CI=true, so this fails): %v", err)
		}
		t.Skipf("pgbouncer is not installed: %v", err)
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no postgres user to run pgbouncer as (CI=true, so this fails): %v", err)
		}
		t.Skipf("no postgres user to run pgbouncer as: %v", err)
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	dir, err := os.MkdirTemp("", "pgbouncer")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chown(dir, uid, gid)
	port := 6543
	if l, err := net.Listen("tcp", "127.0.0.1:6543"); err != nil {
		port = freeTCPPort(t) // 6543 busy: the URL must then choose the mode itself
		t.Logf("port 6543 is busy; pgbouncer listens on %d", port)
	} else {
		l.Close()
	}
	var users string
	for _, u := range append(urls, c0(t)) {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		users += fmt.Sprintf("%q \"\"\n", p.User.Username())
	}
	ini := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=5432
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
max_client_conn = 200
default_pool_size = 4
min_pool_size = 4
server_round_robin = 1
ignore_startup_parameters = extra_float_digits
logfile = %s
pidfile = %s
`, port, filepath.Join(dir, "users.txt"), filepath.Join(dir, "pgbouncer.log"), filepath.Join(dir, "pgbouncer.pid"))
	for name, body := range map[string]string{"users.txt": users, "pgbouncer.ini": ini} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chown(f, uid, gid)
	}
	// runuser forks pgbouncer: kill the whole process group.
	cmd := exec.Command("runuser", "-u", "postgres", "--", bin, filepath.Join(dir, "pgbouncer.ini"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pgbouncer: %v", err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; ; i++ {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return addr
		}
		if i == 100 {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer did not listen on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// c0 is a placeholder user so the auth file is never empty.
func c0(*testing.T) string { return "postgres://postgres@127.0.0.1/x" }

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
