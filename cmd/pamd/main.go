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
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = ""

// errUsage marks a command-line mistake; main exits 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	switch {
	case err == nil:
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "pamd:", err)
		os.Exit(1)
	}
}

const usage = `pamd — PAM, the Personal Assistant Manager for life in an RV

Usage:
  pamd serve   [--data-dir D] [--listen ADDR] [--demo]   run the daemon
  pamd token   [--data-dir D] [--user UUID] [--label L]  print a bearer token
  pamd demo    [--data-dir D] [--scale N]                fill the demo data set
  pamd sync    --once [--data-dir D] --central-url URL   run one sync cycle now
  pamd central plan --central-url URL                    show what init would do (changes nothing)
  pamd central init --central-url URL [--adopt]          install the central schema
  pamd central add-device --central-url URL --user UUID  create a device role (repeat --user)
  pamd central remove-device --central-url URL --role R  drop a device role
  pamd version                                           print the version

Run "pamd COMMAND -h" for a command's flags. Every flag has an environment
equivalent (PAM_DATA_DIR, PAM_LISTEN, ...); flags win over the environment.
`

// run dispatches a subcommand. getenv is passed in so that tests control
// the environment and no component ever reads it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr, getenv)
	case "token":
		return runToken(ctx, args[1:], stdout, stderr, getenv)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr, getenv)
	case "sync":
		return runSync(ctx, args[1:], stdout, stderr, getenv)
	case "central":
		return runCentral(ctx, args[1:], stdout, stderr, getenv)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "pamd", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "pamd: unknown command %q\n\n%s", args[0], usage)
	return errUsage
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
