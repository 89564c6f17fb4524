package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	ollama "github.com/ollama/ollama/api"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema/hlc"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/replica"
)

// A finding of pamd doctor.
type finding struct {
	level  string // "ok", "warn" or "FAIL"
	check  string
	detail string
	fix    string // how to make it ok; empty when it is
}

// doctor collects findings; each check adds one or more.
type doctor struct {
	cfg      Config
	now      time.Time
	findings []finding
}

func (d *doctor) ok(check, format string, args ...any) {
	d.findings = append(d.findings, finding{"ok", check, fmt.Sprintf(format, args...), ""})
}
func (d *doctor) warn(check, fix, format string, args ...any) {
	d.findings = append(d.findings, finding{"warn", check, fmt.Sprintf(format, args...), fix})
}
func (d *doctor) fail(check, fix, format string, args ...any) {
	d.findings = append(d.findings, finding{"FAIL", check, fmt.Sprintf(format, args...), fix})
}

// runDoctor checks what the daemon needs, with the daemon's own settings
// (flags and environment), and says how to fix each failure. It changes
// nothing and works while the daemon serves. Exit status 1 when a check
// fails.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("doctor", stderr)
	cfg.bindServe(fs, env(getenv))
	d := &doctor{now: time.Now()}
	if err := cfg.parse(fs, args, stdout); err != nil {
		if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) || errors.Is(err, errReported) {
			return usageError(stderr, err)
		}
		d.fail("config", "correct the setting named (flags, or /etc/default/pamd)", "%v", err)
	} else {
		d.ok("config", "settings parse; data directory %s, listening on %s", cfg.DataDir, cfg.Listen)
	}
	d.cfg = cfg
	d.auth()
	d.dataDir()
	d.database(ctx)
	d.backups()
	d.central(ctx)
	d.ollama(ctx)
	return d.report(stdout)
}

func (d *doctor) report(w io.Writer) error {
	failed := 0
	for _, f := range d.findings {
		fmt.Fprintf(w, "%-4s  %-9s %s\n", f.level, f.check, f.detail)
		if f.fix != "" {
			fmt.Fprintf(w, "      %-9s fix: %s\n", "", f.fix)
		}
		if f.level == "FAIL" {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "%d check(s) failed.\n", failed)
		return fmt.Errorf("doctor: %d check(s) failed", failed)
	}
	fmt.Fprintln(w, "No failures.")
	return nil
}

func (d *doctor) auth() {
	if d.cfg.JWTSecret == "" && d.cfg.JWKSURL == "" {
		d.warn("auth", "set PAM_JWKS_URL (https://<ref>.supabase.co/auth/v1/.well-known/jwks.json) or PAM_JWT_SECRET_FILE",
			"no JWT verification configured: only device tokens (pamd token, pairing) are accepted")
		return
	}
	d.ok("auth", "JWTs verified (%s)", strings.Join(slices.DeleteFunc([]string{
		map[bool]string{true: "JWKS"}[d.cfg.JWKSURL != ""], map[bool]string{true: "HS256 secret"}[d.cfg.JWTSecret != ""]},
		func(s string) bool { return s == "" }), ", "))
}

func (d *doctor) dataDir() {
	dir := d.cfg.DataDir
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		d.warn("data dir", "start pamd once (it creates "+dir+"), or create it owned by the pamd user", "%s does not exist yet", dir)
		return
	case err != nil:
		d.fail("data dir", "check the path and its parents' permissions", "%v", err)
		return
	case !st.IsDir():
		d.fail("data dir", "point --data-dir at a directory", "%s is not a directory", dir)
		return
	}
	probe, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		d.fail("data dir", fmt.Sprintf("chown the directory to the user pamd runs as (sudo chown -R pamd: %s)", dir), "%s is not writable: %v", dir, err)
	} else {
		probe.Close()
		os.Remove(probe.Name())
		d.ok("data dir", "%s is writable", dir)
	}
	if st.Mode().Perm()&0o002 != 0 {
		d.fail("data dir", "chmod o-w "+dir, "%s is writable by everyone", dir)
	}
	if fi, err := os.Stat(filepath.Join(dir, localstore.FileName)); err == nil && fi.Mode().Perm()&0o007 != 0 {
		d.warn("data dir", "chmod 600 "+filepath.Join(dir, localstore.FileName), "the database is readable by other users (mode %v); it holds private data", fi.Mode().Perm())
	}
	var fsst syscall.Statfs_t
	if syscall.Statfs(dir, &fsst) == nil {
		free := int64(fsst.Bavail) * int64(fsst.Bsize)
		switch {
		case free < 100<<20:
			d.fail("disk", "free space on that file system (old backups are in "+backupDir(dir)+")", "%s free where the database lives", formatSize(free))
		case free < 1<<30:
			d.warn("disk", "free space on that file system", "only %s free where the database lives", formatSize(free))
		default:
			d.ok("disk", "%s free", formatSize(free))
		}
	}
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// database checks the file read-only (the daemon may be serving): its
// integrity, and that the clock has not gone back behind its changes.
func (d *doctor) database(ctx context.Context) {
	path := filepath.Join(d.cfg.DataDir, localstore.FileName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		d.warn("database", "pamd serve --demo fills a demo set; pamd token --user <uuid> creates the owner", "no database yet at %s", path)
		return
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		d.fail("database", "check the file's permissions", "open %s: %v", path, err)
		return
	}
	defer db.Close()
	restore := fmt.Sprintf("stop pamd, then pamd restore --data-dir %s <newest file in %s>, or move pam.db aside and re-sync from central",
		d.cfg.DataDir, backupDir(d.cfg.DataDir))
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check(5)`).Scan(&verdict); err != nil {
		d.fail("database", restore, "cannot check %s: %v", path, err)
		return
	}
	if verdict != "ok" {
		d.fail("database", restore, "%s is damaged: %s", path, truncateText(verdict, 200))
		return
	}
	var pending int
	var high sql.NullInt64
	db.QueryRowContext(ctx, `SELECT count(*), max(hlc) FROM _pam_changes`).Scan(&pending, &high)
	d.ok("database", "integrity ok; change log holds %d", pending)
	d.clock(hlc.Timestamp(high.Int64))
}

// clock checks the system clock against what it must at least be: a
// board whose RTC lost power boots in the past, and every change it then
// writes loses to older ones.
func (d *doctor) clock(high hlc.Timestamp) {
	fix := "enable time sync (timedatectl set-ntp true) or set the date; check the RTC battery"
	switch {
	case d.now.Year() < 2025:
		d.fail("clock", fix, "the system clock says %s", d.now.UTC().Format(time.RFC3339))
	case high != 0 && high.Time().After(d.now.Add(time.Minute)):
		d.fail("clock", fix, "the system clock (%s) is behind the newest change in the database (%s)",
			d.now.UTC().Format(time.RFC3339), high.Time().Format(time.RFC3339))
	default:
		d.ok("clock", "%s", d.now.UTC().Format(time.RFC3339))
	}
}

func (d *doctor) backups() {
	if d.cfg.BackupSchedule == "off" {
		d.warn("backups", "set --backup-schedule @daily", "scheduled backups are off: the RV holds the only copy of unsynced data")
		return
	}
	entries, _ := os.ReadDir(backupDir(d.cfg.DataDir))
	var newest time.Time
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), localstore.BackupSuffix) && fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	switch {
	case newest.IsZero():
		d.warn("backups", "keep pamd running; it takes the first at start and then "+d.cfg.BackupSchedule, "no backup in %s yet", backupDir(d.cfg.DataDir))
	case d.now.Sub(newest) > 48*time.Hour:
		d.warn("backups", "see the backup job in /api/v1/health/detailed and the daemon's log", "the newest backup is %s old", d.now.Sub(newest).Round(time.Hour))
	default:
		d.ok("backups", "newest %s old", d.now.Sub(newest).Round(time.Minute))
	}
}

// central checks reachability, the round trip, the role (a device role,
// not an administrator), the sync contract and the central clock.
func (d *doctor) central(ctx context.Context) {
	if d.cfg.CentralURL == "" {
		d.warn("central", "set PAM_CENTRAL_URL_FILE to the URL from pamd central add-device", "no central database: this device does not sync")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(d.cfg.CentralURL)
	if err != nil {
		d.fail("central", "correct PAM_CENTRAL_URL", "the central URL does not parse: %v", err)
		return
	}
	central.ForPooler(cfg, d.cfg.CentralURL)
	start := time.Now()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		d.fail("central", "check the link (the RV may be offline: sync waits), the host and port, and the password from pamd central add-device",
			"cannot connect to %s: %v", redactURL(d.cfg.CentralURL), err)
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var (
		role            string
		super, bypass   bool
		version         sql.NullString
		centralNow      time.Time
		canPush, hasRow bool
	)
	err = conn.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolbypassrls, now(),
			to_regnamespace('pam_sync') IS NOT NULL
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&role, &super, &bypass, &centralNow, &hasRow)
	rtt := time.Since(start)
	if err != nil {
		d.fail("central", "check the central database", "connected, but: %v", err)
		return
	}
	d.ok("central", "reachable as %s (connect and first query %s)", role, rtt.Round(time.Millisecond))
	if super || bypass {
		d.warn("central", "give this device its own role: pamd central add-device --user <uuid>, then use the URL it prints",
			"role %s bypasses row-level security: this device could read and write every user's rows", role)
	}
	if !hasRow {
		d.fail("central", "run pamd central plan, then pamd central init, on the central database", "central has no pam_sync schema")
		return
	}
	conn.QueryRow(ctx, `SELECT value FROM pam_sync.meta WHERE key = 'schema_version'`).Scan(&version)
	conn.QueryRow(ctx, `SELECT has_function_privilege('pam_sync.begin_push(uuid)', 'EXECUTE')`).Scan(&canPush)
	switch {
	case version.String != replica.ContractVersion:
		d.fail("central", "run this version's pamd central init on central (or update pamd)",
			"central speaks sync contract %q, this pamd %q", version.String, replica.ContractVersion)
	case !canPush:
		d.fail("central", "pamd central add-device grants it; re-run it for this device's users", "role %s may not push changes", role)
	default:
		d.ok("central", "sync contract %s; role %s may push", replica.ContractVersion, role)
	}
	if skew := d.now.Sub(centralNow); skew > 2*time.Minute || skew < -2*time.Minute {
		d.fail("clock", "enable time sync (timedatectl set-ntp true)", "this clock is %s off central's", skew.Round(time.Second))
	}
}

// redactURL hides the password of a URL for printing.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the central URL"
	}
	return u.Redacted()
}

// ollama checks the local model used when offline.
func (d *doctor) ollama(ctx context.Context) {
	u, err := url.Parse(d.cfg.LLM.OllamaURL)
	if err != nil || d.cfg.LLM.OllamaURL == "" {
		d.warn("ollama", "set PAM_OLLAMA_URL", "no local model configured: offline answers come from the built-in answerer")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	list, err := ollama.NewClient(u, &http.Client{}).List(ctx)
	if err != nil {
		d.warn("ollama", "install and start Ollama (systemctl start ollama), or ignore: offline answers then come from the built-in answerer",
			"Ollama at %s does not answer: %v", d.cfg.LLM.OllamaURL, err)
		return
	}
	want := d.cfg.LLM.OllamaModel
	for _, m := range list.Models {
		if m.Name == want || m.Model == want || strings.TrimSuffix(m.Name, ":latest") == want {
			d.ok("ollama", "model %s is installed", want)
			return
		}
	}
	d.warn("ollama", "ollama pull "+want, "model %s is not installed (%d others are)", want, len(list.Models))
}

// truncateText shortens s to n bytes for a one-line report.
func truncateText(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", "; ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
