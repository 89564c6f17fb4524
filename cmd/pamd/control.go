package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// ControlSocket is the unix socket in the data directory on which the
// daemon takes writes that one-shot commands would otherwise make beside
// it (`pamd token` while it serves). The daemon writes them through its own
// store, so its cache, clock and owner stay the truth. Only the daemon's
// user (and root) may connect: the socket is mode 0600.
const ControlSocket = "pamd.sock"

// errNoDaemon means nothing answers on the control socket.
var errNoDaemon = errors.New("no daemon answers on the control socket")

type tokenRequest struct {
	User    string    `json:"user"` // "" for the device owner
	Label   string    `json:"label"`
	Expires time.Time `json:"expires"` // zero: never
}

type tokenResponse struct {
	Token string `json:"token,omitempty"`
	Error string `json:"error,omitempty"`
}

// openControl listens on the control socket. A daemon that cannot (a data
// directory path too long for a socket) still serves; only `pamd token`
// beside it is refused.
func (m *Main) openControl() {
	path := filepath.Join(m.Config.DataDir, ControlSocket)
	_ = os.Remove(path) // left by a daemon that died; we hold the lock
	l, err := net.Listen("unix", path)
	if err != nil {
		m.Logger.Warn("no control socket: pamd token cannot work beside this daemon", "path", path, "err", err)
		return
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		m.Logger.Warn("no control socket: cannot restrict it to this user", "path", path, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", m.handleControlToken)
	m.mountTransferControl(mux)
	m.controlListener = l
	m.control = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.mountTokenControl(mux)
}

// handleControlToken issues a token through the daemon's store.
func (m *Main) handleControlToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeControl(w, http.StatusBadRequest, tokenResponse{Error: "bad request: " + err.Error()})
		return
	}
	m.controlMu.Lock()
	tok, err := issueTokenFor(r.Context(), m.Store, req.User, req.Label, req.Expires)
	m.controlMu.Unlock()
	if err != nil {
		msg := err.Error()
		if schema.ErrorCode(err) != schema.EINTERNAL {
			msg = schema.ErrorMessage(err)
		}
		writeControl(w, http.StatusUnprocessableEntity, tokenResponse{Error: msg})
		return
	}
	m.Logger.Info("token issued through the control socket", "user", req.User, "label", req.Label)
	writeControl(w, http.StatusOK, tokenResponse{Token: tok})
}

func writeControl(w http.ResponseWriter, status int, v tokenResponse) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// tokenViaDaemon asks the daemon serving dir for a token.
func tokenViaDaemon(ctx context.Context, dir string, tr tokenRequest) (string, error) {
	path := filepath.Join(dir, ControlSocket)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
	defer client.CloseIdleConnections()
	body, _ := json.Marshal(tr)
	req, err := http.NewRequestWithContext(ctx, "POST", "http://pamd/token", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return "", fmt.Errorf("%w (%s): %v", errNoDaemon, path, op.Err)
		}
		return "", fmt.Errorf("ask the daemon for a token: %w", err)
	}
	defer resp.Body.Close()
	var out tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("ask the daemon for a token: status %d: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the daemon refused: %s", out.Error)
	}
	return out.Token, nil
}

// issueTokenFor issues a token for user ("" for the device owner), making
// the user's profile, and the user the owner when there is none.
func issueTokenFor(ctx context.Context, s *localstore.Store, user, label string, expires time.Time) (string, error) {
	id := s.Owner()
	if user != "" {
		var err error
		if id, err = schema.ParseUUID(user); err != nil {
			return "", schema.Errorf(schema.EINVALID, "--user: %v", err)
		}
	}
	if id == "" {
		return "", schema.Errorf(schema.EINVALID, "this device has no owner yet: pass --user UUID (the owner's user id), or fill the demo set with pamd demo")
	}
	if err := ensureProfile(ctx, s, id); err != nil {
		return "", err
	}
	if s.Owner() == "" {
		if err := s.SetOwner(ctx, id); err != nil {
			return "", err
		}
	}
	tok, _, err := s.NewToken(ctx, id, label, expires)
	return tok, err
}
