package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pam-rv/pamd/schema"
)

// authed wraps a handler that needs a user: a daemon-issued device token or
// a Supabase JWT for one of the device's users, both checked locally so auth works in a dead zone.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, user string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r)
		if wait := s.authFails.Wait(addr); wait > 0 {
			w.Header().Set("Retry-After", retryAfter(wait))
			s.writeError(w, r, schema.Errorf(schema.ERATELIMIT, "too many failed authentications from %s: try again in %s", addr, wait.Round(time.Second)))
			return
		}
		user, err := s.authenticate(r)
		if err != nil {
			if schema.ErrorCode(err) == schema.EUNAUTHORIZED && presentsCredentials(r) {
				s.authFails.Fail(addr)
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="pamd"`)
			s.writeError(w, r, err)
			return
		}
		if wait := s.perToken.Take(credentialKey(user, r.Header.Get("Authorization")+r.URL.Query().Get("token"))); wait > 0 {
			w.Header().Set("Retry-After", retryAfter(wait))
			s.writeError(w, r, rateLimitError("this token", wait))
			return
		}
		if isWebSocket(r) {
			if !s.sockets.acquire(user, s.WebSocketsPerUser) {
				w.Header().Set("Retry-After", "30")
				s.writeError(w, r, schema.Errorf(schema.ERATELIMIT, "too many live connections for this user (%d): close one first", s.WebSocketsPerUser))
				return
			}
			defer s.sockets.release(user)
		}
		h(w, r, user)
	})
}

func (s *Server) authenticate(r *http.Request) (string, error) {
	tok, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok && isWebSocket(r) {
		// Browsers cannot set headers on a WebSocket handshake.
		tok, ok = r.URL.Query().Get("token"), r.URL.Query().Has("token")
	}
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "a bearer token is required")
	}
	if strings.HasPrefix(tok, schema.TokenPrefix) {
		if user, ok := s.Tokens.TokenUser(r.Context(), tok); ok {
			return user, nil
		}
		return "", schema.Errorf(schema.EUNAUTHORIZED, "unknown, revoked or expired device token")
	}
	user, err := s.verifyJWT(r.Context(), tok)
	if err != nil {
		return "", err
	}
	if !s.Tokens.IsDeviceUser(r.Context(), user) {
		return "", schema.Errorf(schema.EFORBIDDEN,
			"user %s is not paired with this device: on the device run `pamd pair` and send the code shown to POST /api/v1/auth/pair, or ask the owner to run `pamd token --user %s`", user, user)
	}
	return user, nil
}

// presentsCredentials tells a guess (a token was sent) from a client not
// yet signed in; only guesses count towards the failed-attempt limit.
func presentsCredentials(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || isWebSocket(r) && r.URL.Query().Has("token")
}

// bearerToken takes the credentials of an Authorization header with the
// Bearer scheme, whose name is case-insensitive (RFC 9110 §11.1).
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimLeft(h, " "), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return tok, true
}

// Audience is the `aud` every accepted JWT must carry: Supabase's for a
// signed-in user.
const Audience = "authenticated"

// verifyJWT checks a Supabase access token: HS256 with the project's JWT
// secret, or ES256/RS256 with a key of the project's JWKS; not expired;
// audience "authenticated"; the configured issuer (none configured: the
// token must not name one); its subject a user id.
func (s *Server) verifyJWT(ctx context.Context, raw string) (string, error) {
	if len(s.JWTSecret) == 0 && s.JWKS == nil {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "JWTs are not accepted: no JWT secret or JWKS is configured")
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"HS256", "ES256", "RS256"}),
		jwt.WithExpirationRequired(),
		jwt.WithAudience(Audience),
		jwt.WithLeeway(30 * time.Second),
		jwt.WithTimeFunc(s.Now),
	}
	if s.JWTIssuer != "" {
		opts = append(opts, jwt.WithIssuer(s.JWTIssuer))
	}
	tok, err := jwt.Parse(raw, func(t *jwt.Token) (any, error) { return s.jwtKey(ctx, t) }, opts...)
	if err != nil {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "invalid token: %s", jwtReason(err))
	}
	if iss, _ := tok.Claims.GetIssuer(); s.JWTIssuer == "" && iss != "" {
		return "", schema.Errorf(schema.EUNAUTHORIZED, "invalid token: it names an issuer, and none is configured to compare it with (--jwt-issuer)")
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

// jwtKey picks the key for a token by its algorithm, never across kinds:
// HS256 only with the shared secret, ES256/RS256 only with a JWKS key.
func (s *Server) jwtKey(ctx context.Context, t *jwt.Token) (any, error) {
	switch t.Method.Alg() {
	case "HS256":
		if len(s.JWTSecret) == 0 {
			return nil, errNoKey
		}
		return s.JWTSecret, nil
	case "ES256", "RS256":
		if s.JWKS == nil {
			return nil, errNoKey
		}
		kid, _ := t.Header["kid"].(string)
		return s.JWKS.Key(ctx, kid, t.Method.Alg())
	}
	return nil, errNoKey
}

var errNoKey = errors.New("no key for this signing method")

func jwtReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		switch {
		case strings.Contains(err.Error(), "aud"):
			return "no audience (aud must be \"authenticated\")"
		case strings.Contains(err.Error(), "iss"):
			return "no issuer (iss)"
		case strings.Contains(err.Error(), "exp"):
			return "no expiry (exp)"
		}
		return "a required claim is missing"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience (aud must be \"authenticated\")"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer (iss)"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "no key to verify it (signing method or key id unknown)"
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
