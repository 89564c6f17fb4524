package api

import (
	"net/http"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// corsAllowed tells whether o is one of the configured CORS origins.
func (s *Server) corsAllowed(o string) bool {
	for _, c := range s.CORSOrigins {
		if strings.EqualFold(c, o) {
			return true
		}
	}
	return false
}

// withCORS answers browsers running a web app from a configured origin
// (--cors-origins): the origin is echoed, never "*", and no credentials
// mode is offered (tokens travel in the Authorization header). A preflight
// (OPTIONS with Access-Control-Request-Method) is answered here, with
// Private Network Access's Access-Control-Allow-Private-Network when asked:
// the RV's daemon is a private address to a page from the Internet.
func (s *Server) withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && o != "" && r.Header.Get("Access-Control-Request-Method") != ""
		if o == "" || !s.corsAllowed(o) {
			if preflight {
				s.writeError(w, r, schema.Errorf(schema.EFORBIDDEN, "origin %q may not call this API from a browser: add it to --cors-origins", schema.Truncate(o, 64)))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", o)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, WWW-Authenticate")
		if !preflight {
			next.ServeHTTP(w, r)
			return
		}
		h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network")
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
		h.Set("Access-Control-Max-Age", "600")
		if strings.EqualFold(r.Header.Get("Access-Control-Request-Private-Network"), "true") {
			h.Set("Access-Control-Allow-Private-Network", "true")
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
