package api

import "strings"

// corsAllowed tells whether o is one of the configured CORS origins.
func (s *Server) corsAllowed(o string) bool {
	for _, c := range s.CORSOrigins {
		if strings.EqualFold(c, o) {
			return true
		}
	}
	return false
}
