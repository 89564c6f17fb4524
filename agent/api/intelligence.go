package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/schema"
)

// intelligenceRoutes maps the intelligence endpoints (api.md) to the tools
// that compute them: the endpoints and the tools run the same code.
var intelligenceRoutes = []struct {
	pattern, tool, analysis string
}{
	{"GET /api/v1/pam/intelligence/user-360/{user_id}", "pam_get_user_360_view", "user_360"},
	{"POST /api/v1/pam/intelligence/trip-expenses", "pam_correlate_trip_expenses", "trip_expenses"},
	{"POST /api/v1/pam/intelligence/maintenance-prediction", "pam_predict_maintenance_costs", "maintenance_prediction"},
	{"GET /api/v1/pam/intelligence/hustle-roi/{user_id}", "pam_analyze_hustle_roi", "hustle_roi"},
	{"GET /api/v1/pam/intelligence/recommendations/{user_id}", "pam_generate_intelligent_recommendations", "recommendations"},
	{"POST /api/v1/pam/intelligence/spending-patterns", "pam_analyze_spending_patterns", "spending_patterns"},
	{"POST /api/v1/pam/intelligence/insights-report", "pam_generate_insights_report", "insights_report"},
}

// intelligenceResponse follows the seed's IntelligenceResponse, plus the
// figures each insight was computed from.
type intelligenceResponse struct {
	UserID          string    `json:"user_id"`
	AnalysisType    string    `json:"analysis_type"`
	Insights        any       `json:"insights"`
	Recommendations any       `json:"recommendations"`
	ConfidenceScore any       `json:"confidence_score"`
	GeneratedAt     time.Time `json:"generated_at"`
	Figures         any       `json:"figures"`
}

// MountIntelligence adds the intelligence endpoints and the notifications
// WebSocket.
func (s *Server) MountIntelligence(t ToolRunner, hub *notify.Hub) {
	for _, rt := range intelligenceRoutes {
		s.Handle(rt.pattern, func(w http.ResponseWriter, r *http.Request, user string) {
			if err := checkPathUser(r, user); err != nil {
				s.writeError(w, r, err)
				return
			}
			args := json.RawMessage("{}")
			if r.Method == http.MethodPost {
				body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
				if err != nil {
					s.writeError(w, r, schema.Errorf(schema.ETOOLARGE, "request body over %d bytes", s.MaxBodyBytes))
					return
				}
				if len(body) > 0 {
					args = body
				}
			}
			res, err := t.Execute(r.Context(), tools.Call{User: user, Now: s.Now()}, rt.tool, args)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, shapeIntelligence(user, rt.analysis, res.Output, s.Now()))
		})
	}
	s.Handle("GET /ws/notifications/{user_id}", func(w http.ResponseWriter, r *http.Request, user string) {
		conn := s.acceptSocket(w, r, user)
		if conn == nil {
			return
		}
		defer conn.CloseNow()
		sub := hub.Subscribe(user)
		defer sub.Close()
		ctx := conn.CloseRead(r.Context()) // the client only listens
		for {
			select {
			case <-ctx.Done():
				return
			case n, ok := <-sub.C:
				if !ok {
					conn.Close(websocket.StatusTryAgainLater, "too slow: reconnect")
					return
				}
				// A phone that stops reading fills its socket; the write
				// then gives up, and so does the connection (the hub has
				// dropped it once its buffer filled).
				wctx, cancel := context.WithTimeout(ctx, notifyWriteTimeout)
				err := wsjson.Write(wctx, conn, n)
				cancel()
				if err != nil {
					return
				}
			}
		}
	})
}

// notifyWriteTimeout bounds one notification's write to a WebSocket.
const notifyWriteTimeout = 10 * time.Second

// shapeIntelligence lifts the insights, recommendations and confidence a
// tool reports into the IntelligenceResponse envelope; the whole result
// stays under figures.
func shapeIntelligence(user, analysis string, out any, now time.Time) intelligenceResponse {
	resp := intelligenceResponse{UserID: user, AnalysisType: analysis, GeneratedAt: now.UTC(), Figures: out,
		Insights: []any{}, Recommendations: []any{}}
	raw, _ := json.Marshal(out)
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return resp
	}
	pick := func(keys ...string) any {
		for _, k := range keys {
			if v, ok := m[k]; ok && string(v) != "null" {
				return v
			}
		}
		return nil
	}
	if v := pick("insights", "cross_domain_insights"); v != nil {
		resp.Insights = v
	}
	if v := pick("recommendations", "new", "active"); v != nil {
		resp.Recommendations = v
	}
	resp.ConfidenceScore = pick("confidence_score", "confidence")
	return resp
}
