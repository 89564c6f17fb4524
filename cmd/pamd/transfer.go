package main

import (
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
func (c *Config) parseArgs(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, stdout); err != nil {
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
	for _, f := range c.fromFiles {
		if err := f(); err != nil {
			return nil, err
		}
	}
	return pos, c.Validate()
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

// transferQuery is an import's options as the control route's query.
func transferQuery(user string, opt transfer.Options) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("user", user)
	set("units", opt.Units)
	set("vehicle", opt.VehicleID)
	set("name", opt.Source)
	if opt.DryRun {
		q.Set("dry_run", "true")
	}
	if opt.DayFirst {
		q.Set("day_first", "true")
	}
	var m []string
	for k, v := range opt.Map {
		m = append(m, k+"="+v)
	}
	slices.Sort(m)
	set("map", strings.Join(m, ","))
	return q
}

// runImport is "pamd import KIND FILE". It locks the data directory and
// writes itself, as pamd token does; while a daemon holds the directory
// the file goes through the daemon's control socket instead, so the
// daemon writes it through its own store and its cache sees the rows.
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
	pos, err := cfg.parseArgs(fs, args, stdout)
	if err != nil {
		return usageError(stderr, err)
	}
	kinds := fmt.Sprint(transfer.Kinds)
	if len(pos) != 2 {
		return fmt.Errorf("%w: usage: pamd import [flags] KIND FILE, KIND one of %s", errUsage, kinds)
	}
	kind, file := transfer.Kind(pos[0]), pos[1]
	if !slices.Contains(transfer.Kinds, kind) {
		return fmt.Errorf("%w: unknown KIND %q (one of %s)", errUsage, kind, kinds)
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
	if *user != "" {
		if *user, err = schema.ParseUUID(*user); err != nil {
			return fmt.Errorf("%w: --user: %v", errUsage, err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	start := time.Now()
	var sum *transfer.Summary
	o, err := openOneShot(ctx, &cfg, stderr, "import")
	var locked *LockedError
	switch {
	case errors.As(err, &locked):
		path := "/transfer/import/" + string(kind) + "?" + transferQuery(*user, opt).Encode()
		resp, derr := controlRequest(ctx, cfg.DataDir, "POST", path, data)
		if derr != nil {
			return transferDaemonError(locked, derr)
		}
		defer resp.Body.Close()
		if err := controlFailure(resp, file); err != nil {
			return err
		}
		sum = new(transfer.Summary)
		if err := json.NewDecoder(resp.Body).Decode(sum); err != nil {
			return fmt.Errorf("import through the daemon: %w", err)
		}
		fmt.Fprintf(stderr, "imported through the daemon serving %s\n", cfg.DataDir)
	case err != nil:
		return err
	default:
		defer o.Close()
		finish := func() {}
		if !*quiet {
			opt.Progress, finish = progressBar(stderr)
		}
		sum, err = importInto(ctx, o.store, *user, kind, data, opt)
		finish()
		if err != nil {
			var rows *transfer.RowsError
			if errors.As(err, &rows) {
				return fmt.Errorf("%s: %w", file, err)
			}
			return err
		}
	}
	fmt.Fprint(stdout, sum)
	fmt.Fprintf(stdout, "in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// importInto imports into s for user ("" for the device owner); after a
// real import the user has a profile (a restored export brings its own,
// so it is made only afterwards) and the device an owner, as pamd token
// leaves them.
func importInto(ctx context.Context, s *localstore.Store, user string, kind transfer.Kind, data []byte, opt transfer.Options) (*transfer.Summary, error) {
	id, err := transferUser(s, user)
	if err != nil {
		return nil, err
	}
	im := &transfer.Importer{Store: s, Catalog: s.Catalog, Now: s.Now}
	sum, err := im.Import(ctx, id, kind, data, opt)
	if err != nil || opt.DryRun {
		return sum, err
	}
	if err := ensureProfile(ctx, s, id); err != nil {
		return nil, err
	}
	if s.Owner() == "" {
		if err := s.SetOwner(ctx, id); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

// transferUser is user, else the device owner.
func transferUser(s *localstore.Store, user string) (string, error) {
	if user != "" {
		return schema.ParseUUID(user)
	}
	if s.Owner() == "" {
		return "", schema.Errorf(schema.EINVALID, "this device has no owner yet: pass --user UUID")
	}
	return s.Owner(), nil
}

// runExport is "pamd export FILE.zip", through the daemon's control
// socket while one holds the data directory.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("export", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "export this user's data, `uuid` (default: the device owner)")
	pos, err := cfg.parseArgs(fs, args, stdout)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(pos) != 1 || !strings.HasSuffix(strings.ToLower(pos[0]), ".zip") {
		return fmt.Errorf("%w: usage: pamd export [--data-dir D] [--user UUID] FILE.zip", errUsage)
	}
	if *user != "" {
		if *user, err = schema.ParseUUID(*user); err != nil {
			return fmt.Errorf("%w: --user: %v", errUsage, err)
		}
	}
	var buf bytes.Buffer
	var m *transfer.Manifest
	o, err := openOneShot(ctx, &cfg, stderr, "export")
	var locked *LockedError
	switch {
	case errors.As(err, &locked):
		resp, derr := controlRequest(ctx, cfg.DataDir, "GET", "/transfer/export?"+transferQuery(*user, transfer.Options{}).Encode(), nil)
		if derr != nil {
			return transferDaemonError(locked, derr)
		}
		defer resp.Body.Close()
		if err := controlFailure(resp, pos[0]); err != nil {
			return err
		}
		if _, err := io.Copy(&buf, resp.Body); err != nil {
			return fmt.Errorf("export through the daemon: %w", err)
		}
		var mm transfer.Manifest
		if err := json.Unmarshal([]byte(resp.Header.Get("X-PAM-Manifest")), &mm); err != nil {
			return fmt.Errorf("export through the daemon: manifest: %w", err)
		}
		m = &mm
		fmt.Fprintf(stderr, "exported through the daemon serving %s\n", cfg.DataDir)
	case err != nil:
		return err
	default:
		defer o.Close()
		id, err := transferUser(o.store, *user)
		if err != nil {
			return err
		}
		im := &transfer.Importer{Store: o.store, Catalog: o.store.Catalog, Now: o.store.Now}
		if m, err = im.Export(ctx, id, &buf); err != nil {
			return err
		}
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

// transferDaemonError explains a daemon holding the data directory that
// did not take the request.
func transferDaemonError(locked *LockedError, err error) error {
	if errors.Is(err, errNoDaemon) {
		return fmt.Errorf("%w, which does not take requests (%v): try again when it has finished", locked, err)
	}
	return err
}

// controlRequest sends a request to the daemon's control socket in dir.
func controlRequest(ctx context.Context, dir, method, path string, body []byte) (*http.Response, error) {
	sock := filepath.Join(dir, ControlSocket)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(ctx, method, "http://pamd"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, fmt.Errorf("%w (%s): %v", errNoDaemon, sock, op.Err)
		}
		return nil, fmt.Errorf("ask the daemon: %w", err)
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, fmt.Errorf("%w (%s): the daemon predates import and export", errNoDaemon, sock)
	}
	return resp, nil
}

// transferFailure is a control route's refusal.
type transferFailure struct {
	Error    string             `json:"error"`
	Problems []transfer.Problem `json:"problems,omitempty"`
	Usage    bool               `json:"usage,omitempty"`
}

// controlFailure is nil for a 200, else the daemon's refusal as an error;
// bad lines come back as a *transfer.RowsError, as in-process.
func controlFailure(resp *http.Response, file string) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var f transferFailure
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&f); err != nil {
		return fmt.Errorf("the daemon answered %s", resp.Status)
	}
	switch {
	case len(f.Problems) > 0:
		return fmt.Errorf("%s: %w", file, &transfer.RowsError{Problems: f.Problems})
	case f.Usage:
		return fmt.Errorf("%w: %s", errUsage, f.Error)
	}
	return fmt.Errorf("the daemon refused: %s", f.Error)
}

// mountTransferControl adds import and export to the daemon's control
// socket: a one-shot pamd import or export beside the daemon sends its
// file here, and the daemon writes it through its own store.
func (m *Main) mountTransferControl(mux *http.ServeMux) {
	fail := func(w http.ResponseWriter, status int, f transferFailure) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(f)
	}
	refuse := func(w http.ResponseWriter, err error) {
		var rows *transfer.RowsError
		switch {
		case errors.As(err, &rows):
			fail(w, http.StatusUnprocessableEntity, transferFailure{Error: "bad lines", Problems: rows.Problems})
		case schema.ErrorCode(err) == schema.EINTERNAL:
			m.Logger.Error("transfer through the control socket", "err", err)
			fail(w, http.StatusInternalServerError, transferFailure{Error: err.Error()})
		default:
			fail(w, http.StatusUnprocessableEntity, transferFailure{Error: schema.ErrorMessage(err)})
		}
	}
	mux.HandleFunc("POST /transfer/import/{kind}", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		kind := transfer.Kind(r.PathValue("kind"))
		opt := transfer.Options{DryRun: q.Get("dry_run") == "true", Units: q.Get("units"), DayFirst: q.Get("day_first") == "true",
			VehicleID: q.Get("vehicle"), Source: q.Get("name")}
		var err error
		if opt.Map, err = transfer.ParseMap(q.Get("map")); err != nil {
			fail(w, http.StatusBadRequest, transferFailure{Error: "--map: " + err.Error(), Usage: true})
			return
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 256<<20))
		if err != nil {
			fail(w, http.StatusBadRequest, transferFailure{Error: "reading the file: " + err.Error()})
			return
		}
		m.controlMu.Lock()
		sum, err := importInto(r.Context(), m.Store, q.Get("user"), kind, data, opt)
		m.controlMu.Unlock()
		if err != nil {
			refuse(w, err)
			return
		}
		m.Logger.Info("import through the control socket", "kind", kind, "added", sum.Added, "dry_run", opt.DryRun)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(sum)
	})
	mux.HandleFunc("GET /transfer/export", func(w http.ResponseWriter, r *http.Request) {
		id, err := transferUser(m.Store, r.URL.Query().Get("user"))
		if err != nil {
			refuse(w, err)
			return
		}
		var buf bytes.Buffer
		im := &transfer.Importer{Store: m.Store, Catalog: m.Store.Catalog, Now: m.Store.Now}
		man, err := im.Export(r.Context(), id, &buf)
		if err != nil {
			refuse(w, err)
			return
		}
		head, _ := json.Marshal(man)
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("X-PAM-Manifest", string(head))
		w.Write(buf.Bytes())
	})
}
