package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/schollz/progressbar/v3"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/replica"
)

// runSync runs one push+pull cycle from the command line, with a progress
// bar for large initial syncs.
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("sync", stderr)
	cfg.bindCommon(fs, env(getenv))
	cfg.bindCentral(fs, env(getenv))
	fs.Bool("once", true, "run one cycle and exit (the only mode; the daemon syncs on its own)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	page := fs.Int("page", 2000, "changes per pushed batch and per pulled `page`")
	window := fs.Duration("replay-window", 7*24*time.Hour, "keep acknowledged outbox entries this `long` before compaction")
	if err := cfg.parse(fs, args, stdout); err != nil {
		return usageError(stderr, err)
	}
	cfg.applyMemoryLimit()
	if cfg.CentralURL == "" {
		return fmt.Errorf("%w: pamd sync: --central-url (or PAM_CENTRAL_URL) is required: this device's central Postgres URL, from pamd central add-device", errUsage)
	}
	o, err := openOneShot(ctx, &cfg, stderr, "sync")
	if locked := (*LockedError)(nil); errors.As(err, &locked) {
		return fmt.Errorf("%w: the daemon syncs on its own; ask it with POST /api/v1/sync/now, or stop it first", locked)
	}
	if err != nil {
		return err
	}
	defer o.Close()
	s := o.store
	pool, err := newCentralPool(ctx, cfg.CentralURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep := replica.New(s, pool)
	rep.Logger = cfg.newLogger(stderr)
	rep.PushBatch, rep.PullPage, rep.ReplayWindow = max(*page, 1), max(*page, 1), *window
	rep.BBox, _ = parseBBox(cfg.SyncBBox)
	if step := getenv("PAM_TEST_CRASH_AT"); step != "" {
		// A debug switch for the crash tests: die like a power cut at a
		// named step of the cycle.
		rep.Hook = func(at string) {
			if at == step {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	var bar *progressbar.ProgressBar
	phase := ""
	if !*quiet {
		rep.Progress = func(p replica.Progress) {
			if p.Phase != phase || bar == nil {
				if bar != nil {
					bar.Finish()
					fmt.Fprintln(stderr)
				}
				phase = p.Phase
				bar = progressbar.NewOptions(max(p.Total, p.Done), progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription(p.Phase), progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
			}
			bar.Set(p.Done)
		}
	}
	res, err := rep.Sync(ctx)
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pushed %d changes (%d transactions refused), pulled %d, applied %d, %d conflicts recorded, in %s\n",
		res.Pushed, res.Rejected, res.Pulled, res.Applied, res.Conflicts, res.Duration.Round(time.Millisecond))
	return nil
}

// centralUsage lists the central subcommands.
const centralUsage = `Usage:
  pamd central plan --central-url URL                 show what init would do, table by table (changes nothing)
  pamd central init --central-url URL [--adopt] [--harden] [--realtime]
                                                      install the central schema; --adopt takes over the project's own tables as the plan shows
  pamd central add-device --central-url URL --user UUID [--user UUID]
                                                      create a device role bound to its users; prints the device's URL
  pamd central remove-device --central-url URL --role ROLE
                                                      drop a device role, end its sessions, keep its history

URL is an administrator's Postgres URL (PAM_CENTRAL_URL).
`

// runCentral administers the central database: plan, init, add-device,
// remove-device.
func runCentral(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, centralUsage)
		return fmt.Errorf("%w: pamd central needs a command: plan, init, add-device or remove-device", errUsage)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, centralUsage)
		return nil
	case "plan", "init", "add-device", "remove-device":
	default:
		fmt.Fprint(stderr, centralUsage)
		return fmt.Errorf("%w: unknown central command %q: plan, init, add-device or remove-device", errUsage, args[0])
	}
	cfg := DefaultConfig()
	fs := newFlagSet("central "+args[0], stderr)
	fs.StringVar(&cfg.CentralURL, "central-url", env(getenv).str("PAM_CENTRAL_URL", ""), "central Postgres `url` of an administrator (PAM_CENTRAL_URL)")
	var users multiFlag
	var harden, realtime, adopt bool
	var role string
	if args[0] == "remove-device" {
		fs.StringVar(&role, "role", "", "the device's Postgres `role` (pam_dev_..., printed by add-device)")
	}
	if args[0] == "init" {
		fs.BoolVar(&adopt, "adopt", false, "take over the project's existing tables as `pamd central plan` shows (the web app keeps working)")
		fs.BoolVar(&harden, "harden", false, "also take TEMP on this database from PUBLIC and report the cluster-level hardening left to the operator")
		fs.BoolVar(&realtime, "realtime", false, "add PAM's tables to Supabase's supabase_realtime publication, where it exists")
	}
	if args[0] == "add-device" {
		fs.Var(&users, "user", "a user `uuid` this device serves (repeat for a couple)")
	}
	if err := parseFlags(fs, args[1:], stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q: %s takes flags only (see %s -h)", errUsage, fs.Arg(0), fs.Name(), fs.Name())
	}
	if cfg.CentralURL == "" {
		return fmt.Errorf("%w: %s: --central-url (or PAM_CENTRAL_URL) is required: an administrator's Postgres URL", errUsage, fs.Name())
	}
	if args[0] == "add-device" && len(users) == 0 {
		return fmt.Errorf("%w: pamd central add-device: at least one --user UUID is required", errUsage)
	}
	if args[0] == "remove-device" && role == "" {
		return fmt.Errorf("%w: pamd central remove-device: --role is required (the pam_dev_... role add-device printed)", errUsage)
	}
	conn, err := pgx.Connect(ctx, cfg.CentralURL)
	if err != nil {
		return fmt.Errorf("connect to central (--central-url): %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	switch args[0] {
	case "plan":
		plan, err := central.PlanInit(ctx, conn, schema.Default())
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, plan)
		advice, err := central.HardeningAdvice(ctx, conn)
		if err != nil {
			return err
		}
		for _, a := range advice {
			fmt.Fprintf(stdout, "hardening: %s\n", a)
		}
		if plan.Count(central.ActionRefuse) > 0 {
			return central.ErrRefused
		}
		return nil
	case "init":
		if err := central.InitWith(ctx, conn, schema.Default(), central.Options{Adopt: adopt}); err != nil {
			var pe *central.PlanError
			if errors.As(err, &pe) {
				fmt.Fprint(stdout, pe.Plan)
				return pe.Err
			}
			return err
		}
		fmt.Fprintln(stdout, "central database ready: 39 tables, pam_sync schema, capture triggers, row-level security")
		if realtime {
			n, err := central.AddToRealtime(ctx, conn, schema.Default())
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "realtime: %d tables added to supabase_realtime\n", n)
		}
		if harden {
			report, err := central.Harden(ctx, conn)
			fmt.Fprint(stdout, report)
			if err != nil {
				return err
			}
		}
		return nil
	case "add-device":
		url, role, err := central.AddDevice(ctx, conn, cfg.CentralURL, users)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "device role %s created for %s\n", role, strings.Join(users, ", "))
		fmt.Fprintln(stdout, url)
		return nil
	case "remove-device":
		if err := central.RemoveDevice(ctx, conn, role); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "device role %s removed; its history stays\n", role)
		return nil
	}
	return fmt.Errorf("%w: unknown central command %q", errUsage, args[0])
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error {
	id, err := schema.ParseUUID(v)
	if err != nil {
		return err
	}
	*m = append(*m, id)
	return nil
}
