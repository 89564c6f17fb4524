package api

import (
	"net/http"

	"github.com/coder/websocket"
)

// acceptSocket upgrades r to a WebSocket for user, after checking that a
// {user_id} in the path names them. It returns nil when the request is
// refused (the error is written) or the upgrade failed (the library has
// answered). Host and Origin were checked by the middleware (DNS-rebinding
// defence), so the library's same-origin check is not repeated.
func (s *Server) acceptSocket(w http.ResponseWriter, r *http.Request, user string) *websocket.Conn {
	if err := checkPathUser(r, user); err != nil {
		s.writeError(w, r, err)
		return nil
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil
	}
	return conn
}
