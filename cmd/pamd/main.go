// Command pamd is PAM's edge daemon: the local mirror of the 39 tables, the
// assistant and the sync engine on an RV's onboard computer. This package
// is the only composition root: it resolves configuration once and wires
// every component explicitly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = ""

// errUsage marks a command-line mistake; main prints it and exits 2.
var errUsage = errors.New("usage")

// errReported marks an error already printed (the flag package's own).
var errReported = errors.New("reported")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err's reason on stderr and returns the exit status:
// 0 for success and -h, 2 for a command-line mistake, 1 for any failure.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		if msg := usageMessage(err); !errors.Is(err, errReported) {
			if !strings.HasPrefix(msg, "pamd ") { // "pamd sync: ..." names itself
				msg = "pamd: " + msg
			}
			fmt.Fprintln(stderr, msg)
		}
		return 2
	default:
		fmt.Fprintln(stderr, "pamd:", err)
		return 1
	}
}

// usageMessage is a usage error's text without the "usage: " mark.
func usageMessage(err error) string {
	return strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
}

const usage = `pamd — PAM, the Personal Assistant Manager for life in an RV

Usage:
  pamd serve   [--data-dir D] [--listen ADDR] [--demo]   run the daemon
  pamd token   [--data-dir D] [--user UUID] [--label L]  print a bearer token
  pamd demo    [--data-dir D] [--scale N]                fill the demo data set
  pamd import  [--data-dir D] [--user UUID] [--dry-run] KIND FILE
                                                         import fuelly, lubelogger-fuel, lubelogger-service,
                                                         expenses-csv (--map), gpx or pam-export files
  pamd export  [--data-dir D] [--user UUID] FILE.zip     export a user's data (JSON, CSV, GPX)
  pamd restore [--data-dir D] BACKUP.db                 put a backup in place (the daemon stopped)
  pamd sync    --once [--data-dir D] --central-url URL   run one sync cycle now
  pamd central plan --central-url URL                    show what init would do (changes nothing)
  pamd central init --central-url URL [--adopt]          install the central schema
  pamd central add-device --central-url URL --user UUID  create a device role (repeat --user)
  pamd central remove-device --central-url URL --role R  drop a device role
  pamd doctor  [serve's flags]                           check settings, permissions, database, backups,
                                                         central, clock and Ollama; say how to fix each
  pamd version                                           print the version

Run "pamd COMMAND -h" for a command's flags. Every flag has an environment
equivalent (PAM_DATA_DIR, PAM_LISTEN, ...); flags win over the environment.
`

// run dispatches a subcommand. getenv is passed in so that tests control
// the environment and no component ever reads it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w%w", errUsage, errReported)
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr, getenv)
	case "token":
		return runToken(ctx, args[1:], stdout, stderr, getenv)
	case "pair":
		return runPair(ctx, args[1:], stdout, stderr, getenv)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr, getenv)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr, getenv)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr, getenv)
	case "restore":
		return runRestore(ctx, args[1:], stdout, stderr, getenv)
	case "sync":
		return runSync(ctx, args[1:], stdout, stderr, getenv)
	case "central":
		return runCentral(ctx, args[1:], stdout, stderr, getenv)
	case "doctor":
		return runDoctor(ctx, args[1:], stdout, stderr, getenv)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "pamd", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "pamd: unknown command %q\n\n%s", args[0], usage)
	return fmt.Errorf("%w%w", errUsage, errReported)
}

// version is the -X value, else the module version or VCS revision.
func version() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
