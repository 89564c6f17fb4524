package api

import (
	"net/http"

	"github.com/pam-rv/pamd/schema"
)

// authRoutes mounts the /api/v1/auth routes (api.md "Auth").
func (s *Server) authRoutes() {
	s.Handle("GET /api/v1/auth/tokens", s.handleListTokens)
	s.Handle("DELETE /api/v1/auth/tokens/{id}", s.handleRevokeToken)
	s.mux.HandleFunc("POST /api/v1/auth/pair", s.handlePair)
	s.Handle("POST /api/v1/auth/pair/code", s.handlePairCode)
}

// tokenScope is whose tokens user may see and revoke: the owner every
// token on the device, anyone else their own.
func (s *Server) tokenScope(user string) string {
	if user == s.Tokens.Owner() {
		return ""
	}
	return user
}

// handleListTokens lists device tokens (never the tokens themselves): id,
// user, label, created, last use, expiry.
func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request, user string) {
	list, err := s.Tokens.Tokens(r.Context(), s.tokenScope(user))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list, "count": len(list)})
}

// handleRevokeToken deletes a device token; it stops working at once.
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request, user string) {
	info, err := s.Tokens.RevokeToken(r.Context(), s.tokenScope(user), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger(r).Info("device token revoked", "id", info.ID, "token_user", info.UserID, "by", user)
	writeJSON(w, http.StatusOK, map[string]any{"data": info})
}

// pairCodeRequest is the optional body of POST /api/v1/auth/pair/code.
type pairCodeRequest struct {
	// SameUser pairs the phone as the owner (the owner's own phone, the
	// same data); otherwise the phone becomes a new user.
	SameUser bool `json:"same_user"`
}

// handlePairCode shows a new one-time pairing code to the owner (the
// dashboard's "pair a phone"); anyone else is refused.
func (s *Server) handlePairCode(w http.ResponseWriter, r *http.Request, user string) {
	if owner := s.Tokens.Owner(); owner == "" || user != owner {
		s.writeError(w, r, schema.Errorf(schema.EFORBIDDEN, "only the device owner may show a pairing code"))
		return
	}
	var req pairCodeRequest
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	bound := ""
	if req.SameUser {
		bound = user
	}
	code, exp, err := s.NewPairCode(bound, DefaultPairTTL)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"code": code, "expires_at": exp.UTC()})
}
