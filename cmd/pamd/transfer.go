package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/pam-rv/pamd/agent/transfer"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns those.
func (c *Config) parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	for _, f := range c.afterParse {
		f()
	}
	return pos, c.Validate()
}

// session is the data directory of a one-shot transfer command, opened
// only when needed: going through the daemon with --token never opens it.
type session struct {
	cfg    *Config
	stderr io.Writer
	user   string // --user; resolved by open
	s      *localstore.Store
}

// open opens the store (once) and resolves the user: --user, else the
// device owner.
func (x *session) open(ctx context.Context) (*localstore.Store, string, error) {
	if x.s != nil {
		return x.s, x.user, nil
	}
	s, err := openStore(ctx, x.cfg, x.stderr)
	if err != nil {
		return nil, "", err
	}
	id := s.Owner()
	if x.user != "" {
		if id, err = schema.ParseUUID(x.user); err != nil {
			s.Close()
			return nil, "", fmt.Errorf("%w: --user: %v", errUsage, err)
		}
	}
	if id == "" {
		s.Close()
		return nil, "", fmt.Errorf("this device has no owner yet: pass --user UUID")
	}
	x.s, x.user = s, id
	return s, id, nil
}

// token issues a token for the user in the data directory.
func (x *session) token(ctx context.Context) (string, error) {
	s, id, err := x.open(ctx)
	if err != nil {
		return "", err
	}
	return s.IssueToken(ctx, id, "pamd import/export")
}

// settle gives the user a profile and the device an owner if missing, as
// pamd token does.
func (x *session) settle(ctx context.Context) error {
	s, id, err := x.open(ctx)
	if err != nil {
		return err
	}
	if err := ensureProfile(ctx, s, id); err != nil {
		return err
	}
	if s.Owner() == "" {
		return s.SetOwner(ctx, id)
	}
	return nil
}

func (x *session) close() {
	if x.s != nil {
		x.s.Close()
	}
}

// progressBar draws an importer's progress on stderr, one bar per step.
func progressBar(stderr io.Writer) (func(step string, done, total int), func()) {
	var bar *progressbar.ProgressBar
	step := ""
	finish := func() {
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(stderr)
			bar = nil
		}
	}
	return func(s string, done, total int) {
		if s != step || bar == nil {
			finish()
			step = s
			bar = progressbar.NewOptions(max(total, done), progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription(s), progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
		}
		bar.Set(done)
	}, finish
}

// runImport is "pamd import KIND FILE". When a daemon serving this data
// directory answers at --url, the file goes through it (its upload route),
// so that its read cache sees the new rows at once; the token for that is
// issued in the data directory, so a daemon serving another one refuses
// it. Otherwise (or with --direct) the store is opened as pamd token does:
// SQLite serialises the writers, but a running daemon's cache then learns
// of the rows only when its entries expire (their TTL, minutes).
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("import", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "import for this user `uuid` (default: the device owner)")
	dry := fs.Bool("dry-run", false, "check the file and print what would be imported, writing nothing")
	units := fs.String("units", "", "`units` of a LubeLogger file, us (miles, gallons; the default) or metric; overrides a Fuelly header's")
	vehicle := fs.String("vehicle", "", "vehicle `uuid` to set on imported fill-ups and services")
	mapping := fs.String("map", "", "expenses-csv column `mapping`, e.g. date=Posted,amount=Amount,description=Payee,category=Category")
	dayFirst := fs.Bool("day-first", false, "read slashed dates as day/month/year (25/03/2024) instead of month first")
	quiet := fs.Bool("quiet", false, "no progress bar")
	d := bindDaemon(fs, getenv)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pamd import [flags] KIND FILE\nKIND is one of %v\n", transfer.Kinds)
		fs.PrintDefaults()
	}
	pos, err := cfg.parseArgs(fs, args)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("%w: want KIND FILE", errUsage)
	}
	kind, file := transfer.Kind(pos[0]), pos[1]
	if !slices.Contains(transfer.Kinds, kind) {
		return fmt.Errorf("%w: unknown KIND %q (one of %v)", errUsage, kind, transfer.Kinds)
	}
	if *units != "" && *units != transfer.UnitsUS && *units != transfer.UnitsMetric {
		return fmt.Errorf("%w: --units must be us or metric", errUsage)
	}
	opt := transfer.Options{DryRun: *dry, Units: *units, DayFirst: *dayFirst, Source: filepath.Base(file)}
	if *vehicle != "" {
		if opt.VehicleID, err = schema.ParseUUID(*vehicle); err != nil {
			return fmt.Errorf("%w: --vehicle: %v", errUsage, err)
		}
	}
	if opt.Map, err = transfer.ParseMap(*mapping); err != nil {
		return fmt.Errorf("%w: --map: %v", errUsage, err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	sess := &session{cfg: &cfg, stderr: stderr, user: *user}
	defer sess.close()
	start := time.Now()
	sum, served, err := d.importFile(ctx, sess.token, kind, data, opt)
	if served {
		fmt.Fprintf(stderr, "through the daemon at %s\n", d.url)
	} else if err == nil {
		s, id, oerr := sess.open(ctx)
		if oerr != nil {
			return oerr
		}
		finish := func() {}
		if !*quiet {
			opt.Progress, finish = progressBar(stderr)
		}
		im := &transfer.Importer{Store: s, Catalog: s.Catalog, Now: s.Now}
		sum, err = im.Import(ctx, id, kind, data, opt)
		finish()
		if err == nil && !*dry {
			// After the import: a restored export brings its own profile.
			err = sess.settle(ctx)
		}
	}
	if err != nil {
		var rows *transfer.RowsError
		if errors.As(err, &rows) {
			return fmt.Errorf("%s: %w", file, err)
		}
		return err
	}
	if served && !*dry && sess.s != nil {
		if err := sess.settle(ctx); err != nil {
			return err
		}
	}
	fmt.Fprint(stdout, sum)
	fmt.Fprintf(stdout, "in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// runExport is "pamd export FILE.zip".
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("export", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "export this user's data, `uuid` (default: the device owner)")
	d := bindDaemon(fs, getenv)
	pos, err := cfg.parseArgs(fs, args)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(pos) != 1 || !strings.HasSuffix(strings.ToLower(pos[0]), ".zip") {
		return fmt.Errorf("%w: usage: pamd export [--data-dir D] [--user UUID] FILE.zip", errUsage)
	}
	sess := &session{cfg: &cfg, stderr: stderr, user: *user}
	defer sess.close()
	var buf bytes.Buffer
	m, served, err := d.exportZip(ctx, sess.token, &buf)
	if served {
		fmt.Fprintf(stderr, "through the daemon at %s\n", d.url)
	} else if err == nil {
		s, id, err2 := sess.open(ctx)
		if err2 != nil {
			return err2
		}
		im := &transfer.Importer{Store: s, Catalog: s.Catalog, Now: s.Now}
		m, err = im.Export(ctx, id, &buf)
	}
	if err != nil {
		return err
	}
	tmp := pos[0] + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp, pos[0]); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	total := 0
	for _, n := range m.Tables {
		total += n
	}
	fmt.Fprintf(stdout, "exported %d rows of %d tables and %d GPX file(s) for user %s to %s (%d bytes)\n",
		total, len(m.Tables), m.Routes, m.User, pos[0], buf.Len())
	return nil
}

// daemon is a running pamd the one-shot transfer commands go through.
type daemon struct {
	url    string // the daemon's base URL
	token  string // --token; else one is issued in the data directory
	direct bool   // never go through the daemon
	client *http.Client
}

func bindDaemon(fs *flag.FlagSet, getenv func(string) string) *daemon {
	d := &daemon{client: &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{Timeout: time.Second}).DialContext,
	}}}
	listen := getenv("PAM_LISTEN")
	if listen == "" {
		listen = DefaultConfig().Listen
	}
	def := getenv("PAM_URL")
	if host, port, err := net.SplitHostPort(listen); def == "" && err == nil {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		def = "http://" + net.JoinHostPort(host, port)
	}
	fs.StringVar(&d.url, "url", def, "`url` of the daemon serving this data directory, used when it answers (PAM_URL; default from PAM_LISTEN)")
	fs.StringVar(&d.token, "token", getenv("PAM_TOKEN"), "bearer `token` for the daemon (PAM_TOKEN; default: one is issued in the data directory)")
	fs.BoolVar(&d.direct, "direct", false, "write the database file directly, never through a running daemon")
	return d
}

// request sends a request to the daemon for user. served is false when
// no daemon of this data directory answers (nothing listening, a token
// it does not know, a daemon without the route): the caller then works
// on the file itself.
func (d *daemon) request(ctx context.Context, issue func(context.Context) (string, error), method, path string, body []byte) (resp *http.Response, served bool, err error) {
	if d.direct || d.url == "" {
		return nil, false, nil
	}
	base := strings.TrimRight(d.url, "/")
	if d.token == "" {
		// Issue a token only when a daemon answers: no token rows pile
		// up in a data directory nothing serves.
		probe, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/health", nil)
		if err != nil {
			return nil, false, fmt.Errorf("%w: --url: %v", errUsage, err)
		}
		hr, err := d.client.Do(probe)
		if err != nil {
			return nil, false, ctx.Err() // no daemon there (or interrupted)
		}
		hr.Body.Close()
		if hr.StatusCode != http.StatusOK {
			return nil, false, nil
		}
		if d.token, err = issue(ctx); err != nil {
			return nil, false, err
		}
	}
	tok := d.token
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return nil, false, fmt.Errorf("%w: --url: %v", errUsage, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = d.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, false, nil // no daemon there
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, false, nil // another data directory's daemon, or an older one
	}
	return resp, true, nil
}

// problem is the daemon's error answer as an error.
func problem(resp *http.Response) error {
	var p struct {
		Detail string `json:"detail"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(raw, &p) != nil || p.Detail == "" {
		p.Detail = strings.TrimSpace(string(raw))
	}
	return fmt.Errorf("daemon: %s: %s", resp.Status, p.Detail)
}

// importFile uploads the file to the daemon.
func (d *daemon) importFile(ctx context.Context, issue func(context.Context) (string, error), kind transfer.Kind, data []byte, opt transfer.Options) (*transfer.Summary, bool, error) {
	q := url.Values{}
	if opt.DryRun {
		q.Set("dry_run", "true")
	}
	if opt.Units != "" {
		q.Set("units", opt.Units)
	}
	if opt.DayFirst {
		q.Set("day_first", "true")
	}
	if opt.VehicleID != "" {
		q.Set("vehicle", opt.VehicleID)
	}
	if opt.Source != "" {
		q.Set("name", opt.Source)
	}
	var m []string
	for k, v := range opt.Map {
		m = append(m, k+"="+v)
	}
	if len(m) > 0 {
		slices.Sort(m)
		q.Set("map", strings.Join(m, ","))
	}
	resp, served, err := d.request(ctx, issue, "POST", "/api/v1/transfer/import/"+string(kind)+"?"+q.Encode(), data)
	if !served || err != nil {
		return nil, served, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, true, problem(resp)
	}
	var sum transfer.Summary
	if err := json.NewDecoder(resp.Body).Decode(&sum); err != nil {
		return nil, true, fmt.Errorf("daemon: import summary: %w", err)
	}
	return &sum, true, nil
}

// exportZip downloads the user's export from the daemon into w.
func (d *daemon) exportZip(ctx context.Context, issue func(context.Context) (string, error), w io.Writer) (*transfer.Manifest, bool, error) {
	resp, served, err := d.request(ctx, issue, "GET", "/api/v1/transfer/export", nil)
	if !served || err != nil {
		return nil, served, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, true, problem(resp)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, true, fmt.Errorf("daemon: export: %w", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, true, fmt.Errorf("daemon: export: %w", err)
	}
	var m transfer.Manifest
	f, err := zr.Open("manifest.json")
	if err != nil {
		return nil, true, fmt.Errorf("daemon: export: %w", err)
	}
	defer f.Close()
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		return nil, true, fmt.Errorf("daemon: export manifest: %w", err)
	}
	_, err = w.Write(raw)
	return &m, true, err
}
