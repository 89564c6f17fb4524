package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// oneShot is a one-shot command's hold on the data directory: its lock,
// then its store.
type oneShot struct {
	lock  *dirLock
	store *localstore.Store
}

// openOneShot locks the data directory for command and opens the store. A
// running daemon (or another command) holding it is a *LockedError.
func openOneShot(ctx context.Context, cfg *Config, stderr io.Writer, command string) (*oneShot, error) {
	lock, err := lockDataDir(cfg.DataDir, command)
	if err != nil {
		return nil, err
	}
	s := localstore.New(filepath.Join(cfg.DataDir, localstore.FileName), schema.Default())
	s.Logger = cfg.newLogger(stderr)
	s.CheckEvery = 0 // the check at open is enough for a short run
	if err := s.Open(ctx); err != nil {
		lock.Close()
		return nil, err
	}
	return &oneShot{lock: lock, store: s}, nil
}

// Close closes the store, then releases the lock.
func (o *oneShot) Close() error {
	return errors.Join(o.store.Close(), o.lock.Close())
}

// runToken prints a bearer token. With a daemon serving the data directory
// it asks the daemon, which writes through its own store; otherwise it
// locks the directory and writes itself.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("token", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "issue the token for this user `uuid` (default: the device owner); a new user gets a profile, and becomes the owner if there is none")
	label := fs.String("label", "cli", "a `label` to recognise the token by")
	if err := cfg.parse(fs, args, stdout); err != nil {
		return usageError(stderr, err)
	}
	// Everything the flags can get wrong is refused before the disk is
	// touched: a failed command leaves nothing behind.
	if *user != "" {
		id, err := schema.ParseUUID(*user)
		if err != nil {
			return fmt.Errorf("%w: pamd token: --user %q is not a user id (a UUID such as 0190a000-0000-7000-8000-000000000001): %v", errUsage, *user, err)
		}
		*user = id
	} else if _, err := os.Stat(filepath.Join(cfg.DataDir, localstore.FileName)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: pamd token: %s holds no database yet, so there is no owner to issue a token for: pass --user UUID, or check --data-dir", errUsage, cfg.DataDir)
	}
	o, err := openOneShot(ctx, &cfg, stderr, "token")
	var locked *LockedError
	if errors.As(err, &locked) {
		tok, derr := tokenViaDaemon(ctx, cfg.DataDir, *user, *label)
		if errors.Is(derr, errNoDaemon) {
			return fmt.Errorf("%w, which does not take requests (%v): try again when it has finished", locked, derr)
		}
		if derr != nil {
			return derr
		}
		fmt.Fprintln(stdout, tok)
		return nil
	}
	if err != nil {
		return err
	}
	defer o.Close()
	tok, err := issueTokenFor(ctx, o.store, *user, *label)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// ensureProfile creates the user's profile row if it does not exist.
func ensureProfile(ctx context.Context, s *localstore.Store, user string) error {
	_, err := s.Get(ctx, user, "profiles", user)
	if schema.ErrorCode(err) != schema.ENOTFOUND {
		return err
	}
	_, err = s.Create(ctx, user, "profiles", schema.Row{})
	return err
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("demo", stderr)
	cfg.bindCommon(fs, env(getenv))
	scale := fs.Int("scale", 1, "multiply the per-user history by `n` (years of data)")
	if err := cfg.parse(fs, args, stdout); err != nil {
		return usageError(stderr, err)
	}
	cfg.applyMemoryLimit()
	if *scale < 1 || *scale > 1000 {
		return fmt.Errorf("%w: pamd demo: --scale %d is out of range: it multiplies the history by 1 to 1000", errUsage, *scale)
	}
	o, err := openOneShot(ctx, &cfg, stderr, "demo")
	if locked := (*LockedError)(nil); errors.As(err, &locked) {
		return fmt.Errorf("%w: stop it first; the demo set goes into a new --data-dir, or use serve --demo", locked)
	}
	if err != nil {
		return err
	}
	defer o.Close()
	s := o.store
	if s.Owner() != "" {
		return fmt.Errorf("%s already holds data (owner %s): use an empty --data-dir for the demo set", cfg.DataDir, s.Owner())
	}
	start := time.Now()
	sum, err := demo.Fill(ctx, s, demo.Options{Scale: *scale, Now: s.Now(), Progress: func(step string, done, total int) {
		fmt.Fprintf(stderr, "\r%-28s %3d%%", step, done*100/max(total, 1))
	}})
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range sum.Rows {
		total += n
	}
	fmt.Fprintf(stdout, "demo data: %d rows for users %v in %s\n", total, sum.Users, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "get a token: pamd token --data-dir %s\n", cfg.DataDir)
	return nil
}
