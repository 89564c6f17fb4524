package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/replica"
	"github.com/pam-rv/pamd/sync/runner"
)

// Syncer is the sync engine as the API sees it.
type Syncer interface {
	Status() runner.Status
	// Start asks for a cycle and returns its id without waiting for it.
	Start() (int64, error)
	SyncNow(ctx context.Context) (replica.Result, error)
}

// SyncLedger is what the sync endpoints read from the store.
type SyncLedger interface {
	PendingChanges(ctx context.Context) (int, error)
	OpenConflicts(ctx context.Context, user string) (int, error)
	Conflicts(ctx context.Context, user string, limit int) ([]schema.ConflictRecord, error)
	ReviewConflict(ctx context.Context, user string, id int64) (schema.ConflictRecord, error)
	Rejections(ctx context.Context, limit int) ([]schema.Rejection, error)
	Cursors(ctx context.Context) (map[string]int64, error)
}

// MountSync adds the sync routes (api.md "Sync").
func (s *Server) MountSync(sy Syncer, ledger SyncLedger) {
	s.Handle("GET /api/v1/sync/status", func(w http.ResponseWriter, r *http.Request, user string) {
		st := sy.Status()
		pending, err := ledger.PendingChanges(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		conflicts, err := ledger.OpenConflicts(r.Context(), user)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		cursor, err := ledger.Cursors(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rejected, _ := ledger.Rejections(r.Context(), 20)
		writeJSON(w, http.StatusOK, map[string]any{
			"online": st.Online, "central": st.Central, "running": st.Running,
			"pending_changes": pending, "last_push_at": st.LastPushAt, "last_pull_at": st.LastPullAt,
			"last_success_at": st.LastSuccess, "cursor": cursor, "conflicts": conflicts,
			"last_error": st.LastError, "next_retry_at": st.NextRetryAt, "last_result": st.LastResult,
			"rejected": rejected, "cycle": st.Cycle,
		})
	})
	// POST /api/v1/sync/now starts a cycle and answers 202 with its id at
	// once (a slow link makes a cycle take seconds); its progress and
	// outcome are in GET /api/v1/sync/status under "cycle". ?wait=true
	// runs the cycle and answers its counts, as before.
	s.Handle("POST /api/v1/sync/now", func(w http.ResponseWriter, r *http.Request, user string) {
		wait := false
		if v := r.URL.Query().Get("wait"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				s.writeError(w, r, schema.Errorf(schema.EUNPROCESSABLE, "wait must be true or false"))
				return
			}
			wait = b
		}
		notConfigured := func(err error) bool {
			if errors.Is(err, runner.ErrNotConfigured) {
				s.writeError(w, r, schema.Errorf(schema.EUNAVAILABLE, "no central database is configured (PAM_CENTRAL_URL)"))
				return true
			}
			return false
		}
		if !wait {
			id, err := sy.Start()
			if notConfigured(err) {
				return
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			writeJSON(w, http.StatusAccepted, map[string]any{"cycle": id, "state": "pending", "status": "/api/v1/sync/status"})
			return
		}
		res, err := sy.SyncNow(r.Context())
		if notConfigured(err) {
			return
		}
		if err != nil {
			s.writeError(w, r, &schema.Error{Code: schema.EUNAVAILABLE, Message: "sync failed: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
	s.Handle("GET /api/v1/sync/conflicts", func(w http.ResponseWriter, r *http.Request, user string) {
		limit := 100
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				s.writeError(w, r, schema.Errorf(schema.EUNPROCESSABLE, "limit must be between 1 and 1000"))
				return
			}
			limit = n
		}
		list, err := ledger.Conflicts(r.Context(), user, limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if list == nil {
			list = []schema.ConflictRecord{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"conflicts": list, "count": len(list)})
	})
	// A reviewed conflict stops counting as one to review, on every
	// screen; the record stays.
	s.Handle("POST /api/v1/sync/conflicts/{id}/review", func(w http.ResponseWriter, r *http.Request, user string) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id < 1 {
			s.writeError(w, r, schema.Errorf(schema.EINVALID, "conflict id must be a positive integer"))
			return
		}
		c, err := ledger.ReviewConflict(r.Context(), user, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, c)
	})
}
