package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// authed wraps a handler that needs a user: a daemon-issued device token or
// a Supabase HS256 JWT, both checked locally so auth works in a dead zone.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, user string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, err := s.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pamd"`)
			s.writeError(w, r, err)
			return
		}
		h(w, r, user)
	})
}

func (s *Server) authenticate(r *http.Request) (string, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok && isWebSocket(r) {
		// Browsers cannot set headers on a WebSocket handshake.
		tok, ok = r.URL.Query().Get("token"), r.URL.Query().Has("token")
	}
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "a bearer token is required")
	}
	if strings.HasPrefix(tok, localstore.TokenPrefix) {
		if user, ok := s.Tokens.TokenUser(r.Context(), tok); ok {
			return user, nil
		}
		return "", schema.Errorf(schema.EUNAUTHORIZED, "unknown device token")
	}
	return s.verifyJWT(tok)
}

// verifyJWT checks a Supabase access token: HS256 with the project's JWT
// secret, not expired, its subject a user id.
func (s *Server) verifyJWT(raw string) (string, error) {
	if len(s.JWTSecret) == 0 {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "JWTs are not accepted: no JWT secret is configured")
	}
	tok, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return s.JWTSecret, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(s.Now),
	)
	if err != nil {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "invalid token: %s", jwtReason(err))
	}
	sub, err := tok.Claims.GetSubject()
	if err != nil || sub == "" {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "token has no subject")
	}
	user, err := schema.ParseUUID(sub)
	if err != nil {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "token subject is not a user id")
	}
	return user, nil
}

func jwtReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unsupported signing method"
	}
	return "not valid"
}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// checkPathUser refuses a path naming another user (api.md: 403).
func checkPathUser(r *http.Request, user string) error {
	p := r.PathValue("user_id")
	if p == "" {
		return nil
	}
	if id, err := schema.ParseUUID(p); err != nil || id != user {
		return schema.Errorf(schema.EFORBIDDEN, "the path names another user")
	}
	return nil
}
