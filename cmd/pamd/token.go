package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// openStore opens the store of a one-shot command.
func openStore(ctx context.Context, cfg *Config, stderr io.Writer) (*localstore.Store, error) {
	s := localstore.New(filepath.Join(cfg.DataDir, localstore.FileName), schema.Default())
	s.Logger = cfg.newLogger(stderr)
	if err := s.Open(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("token", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "issue the token for this user `uuid` (default: the device owner); a new user gets a profile, and becomes the owner if there is none")
	label := fs.String("label", "cli", "a `label` to recognise the token by")
	if err := cfg.parse(fs, args); err != nil {
		return usageError(stderr, err)
	}
	s, err := openStore(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	id := s.Owner()
	if *user != "" {
		if id, err = schema.ParseUUID(*user); err != nil {
			return fmt.Errorf("%w: --user: %v", errUsage, err)
		}
	}
	if id == "" {
		return fmt.Errorf("this device has no owner yet: pass --user UUID, or run pamd demo")
	}
	if err := ensureProfile(ctx, s, id); err != nil {
		return err
	}
	if s.Owner() == "" {
		if err := s.SetOwner(ctx, id); err != nil {
			return err
		}
	}
	tok, err := s.IssueToken(ctx, id, *label)
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
	if err := cfg.parse(fs, args); err != nil {
		return usageError(stderr, err)
	}
	if *scale < 1 || *scale > 1000 {
		return fmt.Errorf("%w: --scale must be between 1 and 1000", errUsage)
	}
	s, err := openStore(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
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
