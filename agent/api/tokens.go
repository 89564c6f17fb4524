package api

import (
	"net/http"
)

// authRoutes mounts the /api/v1/auth routes (api.md "Auth").
func (s *Server) authRoutes() {
	s.Handle("GET /api/v1/auth/tokens", s.handleListTokens)
	s.Handle("DELETE /api/v1/auth/tokens/{id}", s.handleRevokeToken)
	s.mux.HandleFunc("POST /api/v1/auth/pair", s.handlePair)
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
