package api

import (
	"math"
	"net/http"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Probe is a component that reports its state for /health/detailed (the
// LLM router, the sync engine, the tool registry register theirs).
type Probe struct {
	Name  string
	Check func(r *http.Request) (ok bool, detail any)
}

// AddProbe registers a component's health probe.
func (s *Server) AddProbe(p Probe) { s.probes = append(s.probes, p) }

// healthAnswer is GET /api/v1/health: liveness and the store's last
// integrity verdict, from memory. Anyone on the network may ask, so it
// never touches the disk; the check itself runs on the store's schedule
// and on demand in /api/v1/health/detailed.
type healthAnswer struct {
	Status    string          `json:"status"` // "ok" or "degraded"
	Version   string          `json:"version"`
	Reason    string          `json:"reason,omitempty"`
	Integrity integrityAnswer `json:"integrity"`
}

type integrityAnswer struct {
	Status     string     `json:"status"` // "ok", "damaged" or "unknown" (not checked yet)
	Check      string     `json:"check,omitempty"`
	CheckedAt  *time.Time `json:"checked_at,omitempty"`
	AgeSeconds float64    `json:"age_seconds"`
}

// damagedReason is what health says of a damaged file; the detail is for
// authenticated callers.
const damagedReason = "the database file is damaged: writes are refused, reads go on; restore pam.db from the last good backup or re-sync from central"

func (s *Server) integrity() (integrityAnswer, string) {
	v := s.Store.Integrity()
	out := integrityAnswer{Status: v.Status, Check: v.Check}
	if !v.CheckedAt.IsZero() {
		at := v.CheckedAt.UTC()
		out.CheckedAt = &at
		out.AgeSeconds = math.Round(v.Age(time.Now()).Seconds()*10) / 10
	}
	if v.Status == schema.IntegrityDamaged {
		return out, damagedReason
	}
	return out, ""
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	out := healthAnswer{Status: "ok", Version: s.Version}
	out.Integrity, out.Reason = s.integrity()
	if out.Reason != "" {
		out.Status = "degraded"
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleHealthDetailed(w http.ResponseWriter, r *http.Request, user string) {
	out := map[string]any{"version": s.Version}
	status := "ok"
	h, err := s.Store.Health(r.Context()) // a full check, now: authenticated callers only
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !h.OK() {
		status = "degraded"
	}
	out["database"] = h
	integrity, reason := s.integrity()
	out["integrity"] = integrity
	if reason != "" {
		out["reason"] = reason
	}
	if st, err := s.Store.Stats(r.Context(), user); err == nil {
		out["cache"] = st.Cache
		out["pending_changes"] = st.PendingChanges
	}
	for _, p := range s.probes {
		ok, detail := p.Check(r)
		if !ok {
			status = "degraded"
		}
		out[p.Name] = detail
	}
	out["status"] = status
	writeJSON(w, http.StatusOK, out)
}

type columnInfo struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Scale    int      `json:"scale,omitempty"`
	Nullable bool     `json:"nullable"`
	Default  any      `json:"default,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	System   bool     `json:"system,omitempty"` // set by the daemon, not the client
}

type tableInfo struct {
	Name     string          `json:"name"`
	Group    string          `json:"group"`
	Doc      string          `json:"doc,omitempty"`
	Owner    string          `json:"owner_column,omitempty"`
	SyncRole schema.Role     `json:"sync_role"`
	Read     string          `json:"read_scope"`
	View     bool            `json:"view"`
	Writes   map[string]bool `json:"writes"`
	CacheTTL float64         `json:"cache_ttl_seconds"`
	Columns  []columnInfo    `json:"columns"`
}

var readScopes = map[schema.ReadScope]string{
	schema.ReadOwn: "own", schema.ReadOwnOrUnowned: "own_or_unowned", schema.ReadAll: "all",
}

func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request, user string) {
	tables := make([]tableInfo, 0, len(s.Catalog.Tables))
	for _, t := range s.Catalog.Tables {
		ti := tableInfo{
			Name: t.Name, Group: t.Group, Doc: t.Doc, Owner: t.Owner, SyncRole: t.Role,
			Read: readScopes[t.Read], View: t.View, CacheTTL: t.Cache.TTL.Seconds(),
			Writes: map[string]bool{
				"create": t.Allows(schema.OpCreate),
				"update": t.Allows(schema.OpUpdate),
				"delete": t.Allows(schema.OpDelete),
			},
		}
		for i := range t.Columns {
			c := &t.Columns[i]
			ci := columnInfo{Name: c.Name, Type: c.Type.String(), Scale: c.Scale, Nullable: !c.NotNull,
				Enum: c.Enum, Min: c.Min, Max: c.Max, System: !t.View && t.IsSystem(c.Name)}
			switch d := c.Default.(type) {
			case schema.Now:
				ci.Default = "now"
			case schema.Today:
				ci.Default = "today"
			case nil:
			default:
				ci.Default = d
			}
			ti.Columns = append(ti.Columns, ci)
		}
		tables = append(tables, ti)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tables": tables, "count": len(tables)})
}
