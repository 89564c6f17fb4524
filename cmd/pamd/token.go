package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/pam-rv/pamd/agent/api"
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
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return runTokenList(ctx, args[1:], stdout, stderr, getenv)
		case "revoke":
			return runTokenRevoke(ctx, args[1:], stdout, stderr, getenv)
		}
	}
	cfg := DefaultConfig()
	fs := newFlagSet("token", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "issue the token for this user `uuid` (default: the device owner); a new user gets a profile, and becomes the owner if there is none")
	label := fs.String("label", "cli", "a `label` to recognise the token by")
	ttl := fs.Duration("expires", 0, "the token stops working after this `duration`, such as 720h; 0 never (list and revoke: pamd token list|revoke)")
	if err := cfg.parse(fs, args, stdout); err != nil {
		return usageError(stderr, err)
	}
	if *ttl < 0 {
		return fmt.Errorf("%w: pamd token: --expires %s is negative: give a duration such as 720h, or 0 for a token that does not expire", errUsage, *ttl)
	}
	var expires time.Time
	if *ttl > 0 {
		expires = time.Now().Add(*ttl)
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
		tok, derr := tokenViaDaemon(ctx, cfg.DataDir, tokenRequest{User: *user, Label: *label, Expires: expires})
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
	tok, err := issueTokenFor(ctx, o.store, *user, *label, expires)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// runTokenList prints the device tokens: id, user, label, created, last
// use, expiry (never the tokens themselves).
func runTokenList(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("token list", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "only this user's tokens (`uuid`)")
	if err := cfg.parse(fs, args, stdout); err != nil {
		return usageError(stderr, err)
	}
	if *user != "" {
		id, err := schema.ParseUUID(*user)
		if err != nil {
			return fmt.Errorf("%w: pamd token list: --user %q is not a user id: %v", errUsage, *user, err)
		}
		*user = id
	}
	if err := requireDatabase(cfg.DataDir, "token list"); err != nil {
		return err
	}
	var list []localstore.TokenInfo
	err := withStoreOrDaemon(ctx, &cfg, stderr, "token list",
		func(s *localstore.Store) (err error) { list, err = s.Tokens(ctx, *user); return err },
		func() error {
			var out controlTokens
			err := controlCall(ctx, cfg.DataDir, "GET", "/tokens?user="+*user, nil, &out)
			list = out.Tokens
			return err
		})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tLABEL\tCREATED\tLAST USED\tEXPIRES")
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.UserID, t.Label, t.CreatedAt.Format(time.RFC3339),
			optTime(t.LastUsed, "never"), optTime(t.ExpiresAt, "never"))
	}
	return tw.Flush()
}

// runTokenRevoke deletes device tokens by id; they stop working at once,
// also in a running daemon.
func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("token revoke", stderr)
	cfg.bindCommon(fs, env(getenv))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage of pamd token revoke: pamd token revoke [flags] ID... (IDs from pamd token list)")
		fs.PrintDefaults()
	}
	var ids []string
	for rest := args; ; {
		if err := parseFlags(fs, rest, stdout); err != nil {
			return usageError(stderr, err)
		}
		if fs.NArg() == 0 {
			break
		}
		ids, rest = append(ids, fs.Arg(0)), fs.Args()[1:]
	}
	for _, f := range cfg.afterParse {
		f()
	}
	if err := cfg.Validate(); err != nil {
		return usageError(stderr, err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("%w: pamd token revoke: name the token ids to revoke (pamd token list shows them)", errUsage)
	}
	if err := requireDatabase(cfg.DataDir, "token revoke"); err != nil {
		return err
	}
	for _, id := range ids {
		var info localstore.TokenInfo
		err := withStoreOrDaemon(ctx, &cfg, stderr, "token revoke",
			func(s *localstore.Store) (err error) { info, err = s.RevokeToken(ctx, "", id); return err },
			func() error {
				var out controlTokens
				err := controlCall(ctx, cfg.DataDir, "DELETE", "/tokens/"+url.PathEscape(id), nil, &out)
				if err == nil && len(out.Tokens) == 1 {
					info = out.Tokens[0]
				}
				return err
			})
		if err != nil {
			if schema.ErrorCode(err) != schema.EINTERNAL {
				return fmt.Errorf("pamd token revoke %s: %s", id, schema.ErrorMessage(err))
			}
			return fmt.Errorf("pamd token revoke %s: %w", id, err)
		}
		fmt.Fprintf(stdout, "revoked %s (user %s, label %q)\n", info.ID, info.UserID, info.Label)
	}
	return nil
}

func optTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.Format(time.RFC3339)
}

func requireDatabase(dir, command string) error {
	if _, err := os.Stat(filepath.Join(dir, localstore.FileName)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: pamd %s: %s holds no database yet, so there are no tokens: check --data-dir", errUsage, command, dir)
	}
	return nil
}

// withStoreOrDaemon runs local on the store when the data directory is
// free, or viaDaemon when a daemon serves it.
func withStoreOrDaemon(ctx context.Context, cfg *Config, stderr io.Writer, command string, local func(*localstore.Store) error, viaDaemon func() error) error {
	o, err := openOneShot(ctx, cfg, stderr, command)
	var locked *LockedError
	if errors.As(err, &locked) {
		derr := viaDaemon()
		if errors.Is(derr, errNoDaemon) {
			return fmt.Errorf("%w, which does not take requests (%v): try again when it has finished", locked, derr)
		}
		return derr
	}
	if err != nil {
		return err
	}
	defer o.Close()
	return local(o.store)
}

// controlTokens is the control socket's answer about tokens.
type controlTokens struct {
	Tokens []localstore.TokenInfo `json:"tokens"`
	Error  string                 `json:"error,omitempty"`
	Code   string                 `json:"code,omitempty"`
}

// controlCall sends a request to the daemon serving dir and decodes its
// JSON answer into out; a refusal comes back as an application error.
func controlCall(ctx context.Context, dir, method, path string, body, out any) error {
	sock := filepath.Join(dir, ControlSocket)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	defer client.CloseIdleConnections()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://pamd"+path, rd)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return fmt.Errorf("%w (%s): %v", errNoDaemon, sock, op.Err)
		}
		return fmt.Errorf("ask the daemon: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("ask the daemon: %w", err)
	}
	var e struct{ Error, Code string }
	if resp.StatusCode != http.StatusOK {
		if json.Unmarshal(raw, &e) == nil && e.Error != "" {
			if e.Code != "" {
				return schema.Errorf(e.Code, "%s", e.Error)
			}
			return fmt.Errorf("the daemon refused: %s", e.Error)
		}
		return fmt.Errorf("the daemon refused: status %d", resp.StatusCode)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("ask the daemon: %w", err)
	}
	return nil
}

// mountTokenControl adds the control socket's token and pairing routes.
func (m *Main) mountTokenControl(mux *http.ServeMux) {
	mux.HandleFunc("GET /tokens", m.handleControlTokens)
	mux.HandleFunc("DELETE /tokens/{id}", m.handleControlRevoke)
	mux.HandleFunc("POST /pair", m.handleControlPair)
}

// handleControlTokens lists tokens through the daemon's store.
func (m *Main) handleControlTokens(w http.ResponseWriter, r *http.Request) {
	list, err := m.Store.Tokens(r.Context(), r.URL.Query().Get("user"))
	writeControlTokens(w, list, err)
}

// handleControlRevoke revokes a token through the daemon's store.
func (m *Main) handleControlRevoke(w http.ResponseWriter, r *http.Request) {
	info, err := m.Store.RevokeToken(r.Context(), "", r.PathValue("id"))
	if err == nil {
		m.Logger.Info("device token revoked through the control socket", "id", info.ID, "user", info.UserID)
	}
	writeControlTokens(w, []localstore.TokenInfo{info}, err)
}

func writeControlTokens(w http.ResponseWriter, list []localstore.TokenInfo, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		out := controlTokens{Error: err.Error(), Code: schema.ErrorCode(err)}
		if out.Code != schema.EINTERNAL {
			out.Error = schema.ErrorMessage(err)
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(out)
		return
	}
	json.NewEncoder(w).Encode(controlTokens{Tokens: list})
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

// pairRequest asks the daemon for a pairing code.
type pairRequest struct {
	User string        `json:"user"`
	TTL  time.Duration `json:"ttl"`
}

type pairResponse struct {
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// runPair shows a one-time pairing code from the serving daemon, which is
// the one that will check it.
func runPair(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("pair", stderr)
	cfg.bindCommon(fs, env(getenv))
	user := fs.String("user", "", "pair the phone as this existing user `uuid` (default: the user of the phone's Supabase token, else a new user)")
	ttl := fs.Duration("valid", api.DefaultPairTTL, "how long the code stays valid (`duration`, at most 1h)")
	if err := cfg.parse(fs, args, stdout); err != nil {
		return usageError(stderr, err)
	}
	if *user != "" {
		id, err := schema.ParseUUID(*user)
		if err != nil {
			return fmt.Errorf("%w: pamd pair: --user %q is not a user id: %v", errUsage, *user, err)
		}
		*user = id
	}
	if *ttl <= 0 || *ttl > time.Hour {
		return fmt.Errorf("%w: pamd pair: --valid %s: a code lives between a second and an hour", errUsage, *ttl)
	}
	var out pairResponse
	err := controlCall(ctx, cfg.DataDir, "POST", "/pair", pairRequest{User: *user, TTL: *ttl}, &out)
	if errors.Is(err, errNoDaemon) {
		return fmt.Errorf("pamd pair: the daemon checks the code, and none serves %s (%v): start pamd serve first", cfg.DataDir, err)
	}
	if err != nil {
		return fmt.Errorf("pamd pair: %w", err)
	}
	fmt.Fprintf(stdout, "pairing code: %s\nvalid once, until %s\non the phone: POST /api/v1/auth/pair {\"code\": \"%s\", \"name\": \"...\"}\n",
		out.Code, out.Expires.Local().Format("15:04:05"), out.Code)
	return nil
}

// handleControlPair makes a pairing code in the daemon's API server.
func (m *Main) handleControlPair(w http.ResponseWriter, r *http.Request) {
	var req pairRequest
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(controlTokens{Error: "bad request: " + err.Error()})
		return
	}
	code, exp, err := m.API.NewPairCode(req.User, req.TTL)
	if err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(controlTokens{Error: schema.ErrorMessage(err), Code: schema.ErrorCode(err)})
		return
	}
	m.Logger.Info("pairing code shown", "user", req.User, "expires", exp)
	json.NewEncoder(w).Encode(pairResponse{Code: code, Expires: exp})
}
