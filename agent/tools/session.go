package tools

import (
	"cmp"
	"context"
	"maps"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/rowid"
)

// Session rules of tools.md §3 (tools 15–19).
const (
	// SessionTTL is how long a login session lasts after it is created or
	// refreshed.
	SessionTTL = 24 * time.Hour
	// ChatArchiveDays: ended chat sessions older than this are archived.
	ChatArchiveDays = 30
	// SessionAnalyticsDays is the default range of session analytics,
	// ending today.
	SessionAnalyticsDays = 7
)

type createChatArgs struct {
	SessionType string         `json:"session_type,omitempty" schema:"enum=conversation|support|planning,default=conversation"`
	Metadata    map[string]any `json:"metadata,omitempty" schema:"maxProperties=100" desc:"anything to keep with the session"`
}

type updateChatArgs struct {
	SessionID             UUID           `json:"session_id" schema:"required" desc:"the chat session's session_id"`
	Status                string         `json:"status,omitempty" schema:"enum=active|paused|ended" desc:"ended also sets ended_at"`
	MetadataUpdate        map[string]any `json:"metadata_update,omitempty" schema:"maxProperties=100" desc:"keys merged into the session's metadata"`
	IncrementMessageCount bool           `json:"increment_message_count,omitempty" desc:"count one more message"`
}

type userSessionArgs struct {
	Action      string         `json:"action" schema:"required,enum=create|refresh|end|check" desc:"create ends the current sessions and starts a new one for 24 h; refresh extends the current ones to 24 h from now; end ends them; check lists the current unexpired ones"`
	SessionID   string         `json:"session_id,omitempty" schema:"maxLength=128" desc:"for refresh and end: only this session; default every current one"`
	SessionData map[string]any `json:"session_data,omitempty" schema:"maxProperties=50" desc:"for create: device details kept as device_info"`
}

type dateRange struct {
	Start string `json:"start" schema:"required,format=date"`
	End   string `json:"end" schema:"required,format=date"`
}

type sessionAnalyticsArgs struct {
	DateRange *dateRange `json:"date_range,omitempty" desc:"days, YYYY-MM-DD, both included, by session start in the user's time zone; defaults to the last 7 days"`
}

func (a *sessionAnalyticsArgs) check(Call) []schema.FieldError {
	if a.DateRange != nil && a.DateRange.End < a.DateRange.Start {
		return []schema.FieldError{{Field: "date_range.end", Reason: "must not be before date_range.start"}}
	}
	if a.DateRange != nil && daysBetween(a.DateRange.Start, a.DateRange.End) >= MaxSummaryDays {
		return []schema.FieldError{{Field: "date_range.end", Reason: "a range covers at most 366 days"}}
	}
	return nil
}

type cleanSessionsArgs struct {
	Archive bool `json:"archive,omitempty" desc:"delete the ended chat sessions older than 30 days; needs confirm"`
	Confirm bool `json:"confirm,omitempty" desc:"must be true with archive: set it only after the user agreed to the deletion"`
}

func (a *cleanSessionsArgs) needsConfirm() bool { return a.Archive }

func registerSession(r *Registry) {
	ss := &sessions{s: r.store}
	register(r, "pam_create_chat_session", CategorySession,
		"Start a chat session (conversation, support or planning) with optional metadata; answers its new session_id.",
		true, false, ss.createChat)
	register(r, "pam_update_chat_session", CategorySession,
		"Update a chat session by session_id: set its status (active, paused, ended), merge metadata, count a message; always records the activity.",
		true, false, ss.updateChat)
	register(r, "pam_manage_user_session", CategorySession,
		"Manage the user's login sessions: create (ends the current ones, new one valid 24 h), refresh (extend to 24 h from now), end, or check the current unexpired ones.",
		true, false, ss.manage)
	register(r, "pam_get_session_analytics", CategorySession,
		"Analyse the user's chat sessions started in a date range (default the last 7 days): totals, active and ended counts, average messages, counts per type and the peak hour.",
		false, false, ss.analytics)
	register(r, "pam_clean_expired_sessions", CategorySession,
		"Mark the user's login sessions past their expiry as not current, and count ended chat sessions older than 30 days; with archive and confirm: true, delete those old chat sessions.",
		true, true, ss.clean)
}

type sessions struct{ s Store }

func (ss *sessions) createChat(ctx context.Context, c Call, a createChatArgs) (any, error) {
	typ := cmp.Or(a.SessionType, "conversation")
	meta := a.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	id := rowid.New()
	now := schema.FormatTimestamp(c.Now)
	rows, err := ss.s.Apply(ctx, c.User, []schema.Operation{
		{Op: schema.OpCreate, Table: "chat_sessions", Data: schema.Row{
			"session_id": id, "session_type": typ, "status": "active", "metadata": meta,
			"message_count": int64(0), "started_at": now, "last_activity": now}},
		// The PAM mirror shares the chat session's id.
		{Op: schema.OpCreate, Table: "pam_conversation_sessions", Data: schema.Row{
			"id": id, "session_start": now, "is_active": true, "total_messages": int64(0),
			"session_context": map[string]any{"chat_session_id": id, "session_type": typ, "metadata": meta}}},
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"session_id": id, "session": rows[0], "conversation_session": rows[1]}, nil
}

// chatSession finds the user's chat session by its session_id.
func (ss *sessions) chatSession(ctx context.Context, c Call, id string) (schema.Row, error) {
	res, err := ss.s.Find(ctx, c.User, "chat_sessions", schema.Query{Conditions: []schema.Condition{eq("session_id", id)}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(res.Rows) == 0 {
		return nil, schema.Errorf(schema.ENOTFOUND, "no chat session %s", id)
	}
	return res.Rows[0], nil
}

func (ss *sessions) updateChat(ctx context.Context, c Call, a updateChatArgs) (any, error) {
	id, err := schema.ParseUUID(string(a.SessionID))
	if err != nil {
		return nil, argError("pam_update_chat_session", []schema.FieldError{{Field: "session_id", Reason: "not a UUID"}})
	}
	cur, err := ss.chatSession(ctx, c, id)
	if err != nil {
		return nil, err
	}
	now := schema.FormatTimestamp(c.Now)
	set := schema.Row{"last_activity": now}
	status := cur.Text("status")
	if a.Status != "" && a.Status != status {
		status = a.Status
		set["status"] = status
		if status == "ended" {
			set["ended_at"] = now
		} else {
			set["ended_at"] = nil
		}
	}
	if len(a.MetadataUpdate) > 0 {
		meta := jsonObject(cur["metadata"])
		if meta == nil {
			meta = map[string]any{}
		}
		maps.Copy(meta, a.MetadataUpdate)
		set["metadata"] = meta
	}
	count, _ := cur.Number("message_count")
	messages := int64(count)
	if a.IncrementMessageCount {
		messages++
		set["message_count"] = messages
	}
	ops := []schema.Operation{{Op: schema.OpUpdate, Table: "chat_sessions", ID: cur.Text("id"), Data: set}}
	mirror := false
	if _, err := ss.s.Get(ctx, c.User, "pam_conversation_sessions", id); err == nil {
		m := schema.Row{"is_active": status == "active", "total_messages": messages}
		if status == "ended" {
			m["session_end"] = now
		} else {
			m["session_end"] = nil
		}
		ops = append(ops, schema.Operation{Op: schema.OpUpdate, Table: "pam_conversation_sessions", ID: id, Data: m})
		mirror = true
	} else if schema.ErrorCode(err) != schema.ENOTFOUND {
		return nil, err
	}
	rows, err := ss.s.Apply(ctx, c.User, ops)
	if err != nil {
		return nil, err
	}
	return map[string]any{"session": rows[0], "conversation_session_updated": mirror}, nil
}

// currentSessions are the user's login sessions marked current, or only
// the one named.
func (ss *sessions) currentSessions(ctx context.Context, c Call, sessionID string) ([]schema.Row, error) {
	conds := []schema.Condition{eq("is_current", int64(1))}
	if sessionID != "" {
		conds = append(conds, eq("session_id", sessionID))
	}
	return collect(ctx, ss.s, c.User, "user_active_sessions", schema.Query{Conditions: conds,
		Order: []schema.Order{{Column: "last_activity", Desc: true}}})
}

func (ss *sessions) manage(ctx context.Context, c Call, a userSessionArgs) (any, error) {
	now := schema.FormatTimestamp(c.Now)
	expires := schema.FormatTimestamp(c.Now.Add(SessionTTL))
	sid := strings.TrimSpace(a.SessionID)
	if a.Action == "create" {
		sid = ""
	}
	cur, err := ss.currentSessions(ctx, c, sid)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"action": a.Action, "ttl_hours": SessionTTL.Hours()}
	var ops []schema.Operation
	switch a.Action {
	case "check":
		live := []schema.Row{}
		for _, r := range cur {
			if e := r.Text("expires_at"); e == "" || e > now {
				live = append(live, r)
			}
		}
		out["sessions"], out["count"], out["active"] = live, len(live), len(live) > 0
		return out, nil
	case "create":
		for _, r := range cur {
			ops = append(ops, schema.Operation{Op: schema.OpUpdate, Table: "user_active_sessions", ID: r.Text("id"),
				Data: schema.Row{"is_current": false}})
		}
		row := schema.Row{"session_id": rowid.New(), "is_current": true, "last_activity": now, "expires_at": expires}
		if a.SessionData != nil {
			row["device_info"] = a.SessionData
		}
		ops = append(ops, schema.Operation{Op: schema.OpCreate, Table: "user_active_sessions", Data: row})
		rows, err := ss.s.Apply(ctx, c.User, ops)
		if err != nil {
			return nil, err
		}
		out["session"], out["ended"], out["expires_at"] = rows[len(rows)-1], len(cur), expires
		return out, nil
	case "refresh", "end":
		var live []schema.Row
		for _, r := range cur {
			if a.Action == "end" || r.Text("expires_at") == "" || r.Text("expires_at") > now {
				live = append(live, r)
			}
		}
		if len(live) == 0 {
			return nil, schema.Errorf(schema.ENOTFOUND, "no current session to %s; create one", a.Action)
		}
		data := schema.Row{"expires_at": expires, "last_activity": now}
		if a.Action == "end" {
			data = schema.Row{"is_current": false, "expires_at": now}
		}
		for _, r := range live {
			ops = append(ops, schema.Operation{Op: schema.OpUpdate, Table: "user_active_sessions", ID: r.Text("id"), Data: data})
		}
		rows, err := ss.s.Apply(ctx, c.User, ops)
		if err != nil {
			return nil, err
		}
		out["sessions"], out["count"] = rows, len(rows)
		return out, nil
	}
	return nil, schema.Errorf(schema.EUNPROCESSABLE, "unknown action %q", a.Action)
}

// peakHour is the hour of the day most sessions started in.
type peakHour struct {
	Hour     int `json:"hour"`
	Sessions int `json:"sessions"`
}

// sessionAnalytics is pam_get_session_analytics's answer.
type sessionAnalytics struct {
	Period          Period         `json:"period"`
	TimeZone        string         `json:"time_zone"`
	TotalSessions   int            `json:"total_sessions"`
	ActiveSessions  int            `json:"active_sessions"`
	PausedSessions  int            `json:"paused_sessions"`
	EndedSessions   int            `json:"ended_sessions"`
	TotalMessages   int64          `json:"total_messages"`
	AverageMessages *float64       `json:"average_messages"`
	ByType          map[string]int `json:"sessions_by_type"`
	HourlyStarts    [24]int        `json:"hourly_starts"`
	PeakHour        *peakHour      `json:"peak_hour"`
}

func (ss *sessions) analytics(ctx context.Context, c Call, a sessionAnalyticsArgs) (any, error) {
	end := c.today()
	start := addDays(end, -(SessionAnalyticsDays - 1))
	if a.DateRange != nil {
		start, end = a.DateRange.Start, a.DateRange.End
	}
	loc := c.Now.Location()
	from, to := dayStart(start, loc), dayStart(end, loc).AddDate(0, 0, 1)
	out := sessionAnalytics{Period: period(start, end), TimeZone: loc.String(), ByType: map[string]int{}}
	q := schema.Query{Conditions: []schema.Condition{
		cond("started_at", schema.OpGte, schema.FormatTimestamp(from)),
		cond("started_at", schema.OpLt, schema.FormatTimestamp(to)),
	}}
	err := ss.s.Each(ctx, c.User, "chat_sessions", q, func(r schema.Row) error {
		out.TotalSessions++
		switch r.Text("status") {
		case "active":
			out.ActiveSessions++
		case "paused":
			out.PausedSessions++
		case "ended":
			out.EndedSessions++
		}
		n, _ := r.Number("message_count")
		out.TotalMessages += int64(n)
		out.ByType[r.Text("session_type")]++
		if t, err := time.Parse(time.RFC3339Nano, r.Text("started_at")); err == nil {
			out.HourlyStarts[t.In(loc).Hour()]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.TotalSessions > 0 {
		avg := round(float64(out.TotalMessages)/float64(out.TotalSessions), 2)
		out.AverageMessages = &avg
		for h, n := range out.HourlyStarts {
			if n > 0 && (out.PeakHour == nil || n > out.PeakHour.Sessions) {
				out.PeakHour = &peakHour{Hour: h, Sessions: n}
			}
		}
	}
	return out, nil
}

func (ss *sessions) clean(ctx context.Context, c Call, a cleanSessionsArgs) (any, error) {
	now := schema.FormatTimestamp(c.Now)
	expired, err := collect(ctx, ss.s, c.User, "user_active_sessions", schema.Query{Conditions: []schema.Condition{
		eq("is_current", int64(1)), cond("expires_at", schema.OpLt, now)}})
	if err != nil {
		return nil, err
	}
	var ops []schema.Operation
	for _, r := range expired {
		ops = append(ops, schema.Operation{Op: schema.OpUpdate, Table: "user_active_sessions", ID: r.Text("id"),
			Data: schema.Row{"is_current": false}})
	}
	cutoff := schema.FormatTimestamp(c.Now.AddDate(0, 0, -ChatArchiveDays))
	oldQuery := schema.Query{Conditions: []schema.Condition{
		eq("status", "ended"), cond("ended_at", schema.OpLt, cutoff)}, Order: []schema.Order{{Column: "ended_at"}}}
	var old []schema.Row
	toArchive := 0
	if a.Archive {
		if old, err = collect(ctx, ss.s, c.User, "chat_sessions", oldQuery); err != nil {
			return nil, err
		}
		toArchive = len(old)
	} else {
		// Only counting: the store counts, and the first few are cited.
		oldQuery.Limit = maxCited
		res, err := ss.s.Find(ctx, c.User, "chat_sessions", oldQuery)
		if err != nil {
			return nil, err
		}
		old, toArchive = res.Rows, res.Count
	}
	ids := make([]string, 0, len(old))
	for _, r := range old {
		ids = append(ids, r.Text("session_id"))
		if a.Archive {
			ops = append(ops, schema.Operation{Op: schema.OpDelete, Table: "chat_sessions", ID: r.Text("id")})
		}
	}
	for len(ops) > 0 {
		n := min(len(ops), schema.MaxBulkOps)
		if _, err := ss.s.Apply(ctx, c.User, ops[:n]); err != nil {
			return nil, err
		}
		ops = ops[n:]
	}
	deleted := 0
	if a.Archive {
		deleted = len(old)
	}
	return map[string]any{
		"expired_sessions_marked": len(expired),
		"archive_after_days":      ChatArchiveDays,
		"archive_cutoff":          cutoff,
		"sessions_to_archive":     toArchive,
		"archive_session_ids":     ids[:min(len(ids), maxCited)],
		"archived":                a.Archive,
		"deleted":                 deleted,
	}, nil
}
