package api

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/rowid"
)

// Pairing lets a phone on the RV's Wi-Fi become a user of this device: the
// owner shows a short one-time code (`pamd pair`, the dashboard), the
// phone posts it to /api/v1/auth/pair and gets a device token. Guessing is
// pointless: a code is 40 random bits, lives minutes, is burned after
// PairMaxFailures wrong attempts from anywhere, and each address may try
// a few times, then once a minute.
const (
	DefaultPairTTL  = 10 * time.Minute
	PairMaxFailures = 20
	pairAlphabet    = "ABCDEFGHJKMNPQRSTVWXYZ0123456789" // 32 signs, no I L O U
	pairLen         = 8
)

type pairing struct {
	mu       sync.Mutex
	code     string // normalized; "" when none is active
	user     string // the user the code is for; "" for a new user
	expires  time.Time
	failures int
}

// NewPairCode makes a one-time pairing code valid for ttl, replacing any
// earlier one. user binds the code to an existing user id ("" makes a new
// user for the phone, or takes the user of the phone's Supabase token).
// The code is shown as XXXX-XXXX.
func (s *Server) NewPairCode(user string, ttl time.Duration) (string, time.Time, error) {
	if user != "" {
		id, err := schema.ParseUUID(user)
		if err != nil {
			return "", time.Time{}, schema.Errorf(schema.EINVALID, "user: %v", err)
		}
		user = id
	}
	if ttl <= 0 || ttl > time.Hour {
		return "", time.Time{}, schema.Errorf(schema.EINVALID, "a pairing code lives between a second and an hour, not %s", ttl)
	}
	var raw [pairLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, err
	}
	code := make([]byte, pairLen)
	for i, b := range raw {
		code[i] = pairAlphabet[b&31] // 256 is a multiple of 32: unbiased
	}
	p := &s.pair
	p.mu.Lock()
	defer p.mu.Unlock()
	p.code, p.user, p.expires, p.failures = string(code), user, s.Now().Add(ttl), 0
	return string(code[:4]) + "-" + string(code[4:]), p.expires, nil
}

// normalizeCode forgives case, spaces and dashes, and the look-alikes.
func normalizeCode(c string) string {
	c = strings.ToUpper(c)
	c = strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1").Replace(c)
	return c
}

// takeCode checks code and, if right, uses it up; it returns the user the
// code is bound to. A wrong code counts towards burning the active one.
func (s *Server) takeCode(code string) (user string, err error) {
	p := &s.pair
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.code == "" || !s.Now().Before(p.expires) {
		p.code = ""
		return "", schema.Errorf(schema.EUNAUTHORIZED, "no pairing code is active: show a new one with `pamd pair` on the device")
	}
	c := normalizeCode(code)
	if len(c) != pairLen || subtle.ConstantTimeCompare([]byte(c), []byte(p.code)) != 1 {
		if p.failures++; p.failures >= PairMaxFailures {
			p.code = ""
		}
		return "", schema.Errorf(schema.EUNAUTHORIZED, "wrong pairing code")
	}
	user, p.code = p.user, ""
	return user, nil
}

type pairRequest struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Label string `json:"label"`
}

// handlePair exchanges a pairing code for a device token. The user is
// the one the code was made for, else the user of a valid Supabase token
// sent along (online), else a new user named name (offline).
func (s *Server) handlePair(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if wait := s.pairFails.Wait(addr); wait > 0 {
		w.Header().Set("Retry-After", retryAfter(wait))
		s.writeError(w, r, schema.Errorf(schema.ERATELIMIT, "too many wrong pairing codes from %s: try again in %s", addr, wait.Round(time.Second)))
		return
	}
	var req pairRequest
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Code == "" || len(req.Code) > 32 || len(req.Name) > 100 || len(req.Label) > 100 {
		s.writeError(w, r, schema.Errorf(schema.EINVALID, `send {"code": "XXXX-XXXX", "name": "who this phone is"}: a code of up to 32 characters, a name and label of up to 100`))
		return
	}
	// A Supabase token, when sent, must be valid: it names the user.
	var jwtUser string
	if tok, ok := bearerToken(r.Header.Get("Authorization")); ok && !strings.HasPrefix(tok, schema.TokenPrefix) {
		u, err := s.verifyJWT(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		jwtUser = u
	}
	user, err := s.takeCode(req.Code)
	if err != nil {
		s.pairFails.Fail(addr)
		s.writeError(w, r, err)
		return
	}
	switch {
	case user != "" && jwtUser != "" && jwtUser != user:
		s.writeError(w, r, schema.Errorf(schema.EFORBIDDEN, "this pairing code is for another user; ask for a new one"))
		return
	case user == "" && jwtUser != "":
		user = jwtUser
	case user == "":
		if req.Name == "" {
			s.writeError(w, r, schema.Errorf(schema.EINVALID, "a new user needs a name: send {\"code\", \"name\"}; ask for a new code"))
			return
		}
		user = rowid.New()
	}
	ctx := r.Context()
	if err := s.Tokens.AddDeviceUser(ctx, user, req.Name); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Store.Get(ctx, user, "profiles", user); schema.ErrorCode(err) == schema.ENOTFOUND {
		_, err = s.Store.Create(ctx, user, "profiles", schema.Row{})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
	} else if err != nil {
		s.writeError(w, r, err)
		return
	}
	label := req.Label
	if label == "" {
		label = "paired: " + req.Name
	}
	tok, info, err := s.Tokens.NewToken(ctx, user, label, time.Time{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger(r).Info("phone paired", "user", user, "token_id", info.ID, "from", addr)
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "token_id": info.ID, "user_id": user})
}
