package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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

// transferUser is --user, else the device owner.
func transferUser(s *localstore.Store, flagUser string) (string, error) {
	if flagUser == "" {
		if s.Owner() == "" {
			return "", fmt.Errorf("this device has no owner yet: pass --user UUID")
		}
		return s.Owner(), nil
	}
	id, err := schema.ParseUUID(flagUser)
	if err != nil {
		return "", fmt.Errorf("%w: --user: %v", errUsage, err)
	}
	return id, nil
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

// runImport is "pamd import KIND FILE". It opens the store as pamd token
// does, next to a running daemon: SQLite serialises the writers, but the
// daemon's read cache learns of the new rows only when its entries
// expire (their TTL, minutes).
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("import", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "import for this user `uuid` (default: the device owner)")
	dry := fs.Bool("dry-run", false, "check the file and print what would be imported, writing nothing")
	units := fs.String("units", "", "`units` of a LubeLogger file, us (miles, gallons; the default) or metric; overrides a Fuelly header's")
	vehicle := fs.String("vehicle", "", "vehicle `uuid` to set on imported fill-ups and services")
	mapping := fs.String("map", "", "expenses-csv column `mapping`, e.g. date=Posted,amount=Amount,description=Payee,category=Category")
	quiet := fs.Bool("quiet", false, "no progress bar")
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
	opt := transfer.Options{DryRun: *dry, Units: *units, Source: filepath.Base(file)}
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
	s, err := openStore(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := transferUser(s, *user)
	if err != nil {
		return err
	}
	if !*dry {
		if err := ensureProfile(ctx, s, id); err != nil {
			return err
		}
		if s.Owner() == "" {
			if err := s.SetOwner(ctx, id); err != nil {
				return err
			}
		}
	}
	finish := func() {}
	if !*quiet {
		opt.Progress, finish = progressBar(stderr)
	}
	im := &transfer.Importer{Store: s, Catalog: s.Catalog, Now: s.Now}
	start := time.Now()
	sum, err := im.Import(ctx, id, kind, data, opt)
	finish()
	if err != nil {
		var rows *transfer.RowsError
		if errors.As(err, &rows) {
			return fmt.Errorf("%s: %w", file, err)
		}
		return err
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
	pos, err := cfg.parseArgs(fs, args)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(pos) != 1 || !strings.HasSuffix(strings.ToLower(pos[0]), ".zip") {
		return fmt.Errorf("%w: usage: pamd export [--data-dir D] [--user UUID] FILE.zip", errUsage)
	}
	s, err := openStore(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := transferUser(s, *user)
	if err != nil {
		return err
	}
	im := &transfer.Importer{Store: s, Catalog: s.Catalog, Now: s.Now}
	var buf bytes.Buffer
	m, err := im.Export(ctx, id, &buf)
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
		total, len(m.Tables), m.Routes, id, pos[0], buf.Len())
	return nil
}
