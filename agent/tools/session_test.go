package tools_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

func toolsCall(user string, now time.Time) tools.Call { return tools.Call{User: user, Now: now} }

// benchChatSession creates a chat session for user and answers arguments
// for pam_update_chat_session on it (BenchmarkTools).
func benchChatSession(b *testing.B, s *localstore.Store, user string) func(int) string {
	id := localstore.NewID()
	if _, err := s.Create(b.Context(), user, "chat_sessions", schema.Row{"session_id": id}); err != nil {
		b.Fatal(err)
	}
	return func(i int) string {
		return fmt.Sprintf(`{"session_id": %q, "increment_message_count": true, "metadata_update": {"run": %d}}`, id, i)
	}
}

// runAt executes a tool that must succeed at a given instant.
func (f *fixture) runAt(user string, now time.Time, tool, args string) map[string]any {
	f.t.Helper()
	res, err := f.reg.Execute(f.ctx, toolsCall(user, now), tool, json.RawMessage(args))
	if err != nil {
		f.t.Fatalf("%s(%s): %v (fields %v)", tool, args, err, schema.ErrorFields(err))
	}
	return decode(f.t, res.Output)
}

const nowStamp = "2026-03-15T12:00:00.000000Z"

func TestChatSessions(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "pam_create_chat_session", `{"session_type": "planning", "metadata": {"topic": "Utah"}, "user_id": "`+alex+`"}`)
	id := get(t, a, "session_id").(string)
	want(t, a, id, "session", "session_id")
	want(t, a, "planning", "session", "session_type")
	want(t, a, "active", "session", "status")
	want(t, a, 0, "session", "message_count")
	want(t, a, "Utah", "session", "metadata", "topic")
	want(t, a, nowStamp, "session", "started_at")
	want(t, a, sam, "session", "user_id")
	want(t, a, id, "conversation_session", "id")
	want(t, a, true, "conversation_session", "is_active")
	want(t, a, 0, "conversation_session", "total_messages")
	want(t, a, nowStamp, "conversation_session", "session_start")
	want(t, a, id, "conversation_session", "session_context", "chat_session_id")
	if n := len(f.rows(alex, "chat_sessions")); n != 0 {
		t.Fatalf("alex has %d chat sessions", n)
	}
	d := f.run(sam, "pam_create_chat_session", `{}`)
	want(t, d, "conversation", "session", "session_type")
	f.fail(sam, "pam_create_chat_session", `{"session_type": "gossip"}`, schema.EUNPROCESSABLE)

	t.Run("update", func(t *testing.T) {
		later := today.Add(time.Hour)
		u := f.runAt(sam, later, "pam_update_chat_session", `{"session_id": "`+id+`", "increment_message_count": true, "metadata_update": {"stops": 3}}`)
		want(t, u, 1, "session", "message_count")
		want(t, u, map[string]any{"topic": "Utah", "stops": 3.0}, "session", "metadata")
		want(t, u, "2026-03-15T13:00:00.000000Z", "session", "last_activity")
		want(t, u, true, "conversation_session_updated")
		u = f.run(sam, "pam_update_chat_session", `{"session_id": "`+id+`", "increment_message_count": true, "status": "paused"}`)
		want(t, u, 2, "session", "message_count")
		want(t, u, "paused", "session", "status")
		want(t, u, nil, "session", "ended_at")
		m := f.rows(sam, "pam_conversation_sessions", schema.Condition{Column: "id", Op: schema.OpEq, Value: id})
		if len(m) != 1 || m[0]["is_active"] != false || m[0]["total_messages"] != int64(2) {
			t.Fatalf("mirror %v", m)
		}
		u = f.runAt(sam, later, "pam_update_chat_session", `{"session_id": "`+id+`", "status": "ended"}`)
		want(t, u, "ended", "session", "status")
		want(t, u, "2026-03-15T13:00:00.000000Z", "session", "ended_at")
		want(t, u, 2, "session", "message_count")
		m = f.rows(sam, "pam_conversation_sessions", schema.Condition{Column: "id", Op: schema.OpEq, Value: id})
		if m[0]["session_end"] != "2026-03-15T13:00:00.000000Z" || m[0]["is_active"] != false {
			t.Fatalf("mirror %v", m)
		}
		f.fail(alex, "pam_update_chat_session", `{"session_id": "`+id+`", "status": "active"}`, schema.ENOTFOUND)
		f.fail(sam, "pam_update_chat_session", `{"session_id": "`+id+`", "status": "expired"}`, schema.EUNPROCESSABLE)
	})
}

func TestManageUserSession(t *testing.T) {
	f := newFixture(t)
	c := f.run(sam, "pam_manage_user_session", `{"action": "check"}`)
	want(t, c, 0, "count")
	want(t, c, false, "active")

	a := f.run(sam, "pam_manage_user_session", `{"action": "create", "session_data": {"device": "tablet"}}`)
	want(t, a, 0, "ended")
	want(t, a, "2026-03-16T12:00:00.000000Z", "session", "expires_at") // now + 24 h
	want(t, a, true, "session", "is_current")
	want(t, a, "tablet", "session", "device_info", "device")
	first := get(t, a, "session", "session_id").(string)

	b := f.run(sam, "pam_manage_user_session", `{"action": "create"}`)
	want(t, b, 1, "ended")
	second := get(t, b, "session", "session_id").(string)
	if first == second {
		t.Fatal("same session id twice")
	}
	if n := len(f.rows(sam, "user_active_sessions")); n != 2 {
		t.Fatalf("%d sessions, want 2", n)
	}
	c = f.run(sam, "pam_manage_user_session", `{"action": "check"}`)
	want(t, c, 1, "count")
	want(t, c, second, "sessions", 0, "session_id")

	// A current session already past its expiry is not listed.
	f.create(sam, "user_active_sessions", schema.Row{"session_id": "stale", "is_current": true, "expires_at": "2026-03-15T11:00:00Z"})
	want(t, f.run(sam, "pam_manage_user_session", `{"action": "check"}`), 1, "count")

	r := f.runAt(sam, today.Add(2*time.Hour), "pam_manage_user_session", `{"action": "refresh"}`)
	want(t, r, 1, "count") // the stale one is not revived
	want(t, r, "2026-03-16T14:00:00.000000Z", "sessions", 0, "expires_at")

	e := f.run(sam, "pam_manage_user_session", `{"action": "end", "session_id": "`+second+`"}`)
	want(t, e, 1, "count")
	want(t, e, false, "sessions", 0, "is_current")
	want(t, e, nowStamp, "sessions", 0, "expires_at")
	want(t, f.run(sam, "pam_manage_user_session", `{"action": "check"}`), 0, "count")
	f.fail(alex, "pam_manage_user_session", `{"action": "refresh"}`, schema.ENOTFOUND)
	f.fail(sam, "pam_manage_user_session", `{"action": "reboot"}`, schema.EUNPROCESSABLE)
}

func TestSessionAnalytics(t *testing.T) {
	f := newFixture(t)
	for _, s := range []struct {
		user, start, typ, status string
		messages                 int64
	}{
		{sam, "2026-03-10T09:10:00Z", "conversation", "ended", 4},
		{sam, "2026-03-12T09:50:00Z", "planning", "active", 10},
		{sam, "2026-03-14T18:00:00Z", "conversation", "paused", 1},
		{sam, "2026-03-01T09:00:00Z", "support", "ended", 100}, // before the default 7 days
		{alex, "2026-03-12T09:00:00Z", "conversation", "active", 50},
	} {
		f.create(s.user, "chat_sessions", schema.Row{"session_id": localstore.NewID(), "started_at": s.start,
			"session_type": s.typ, "status": s.status, "message_count": s.messages})
	}
	a := f.run(sam, "pam_get_session_analytics", `{}`)
	want(t, a, map[string]any{"start": "2026-03-09", "end": "2026-03-15", "days": 7.0}, "period")
	want(t, a, 3, "total_sessions")
	want(t, a, 1, "active_sessions")
	want(t, a, 1, "paused_sessions")
	want(t, a, 1, "ended_sessions")
	want(t, a, 15, "total_messages")
	want(t, a, 5.0, "average_messages")
	want(t, a, map[string]any{"conversation": 2.0, "planning": 1.0}, "sessions_by_type")
	want(t, a, map[string]any{"hour": 9.0, "sessions": 2.0}, "peak_hour")

	b := f.run(sam, "pam_get_session_analytics", `{"date_range": {"start": "2026-03-01", "end": "2026-03-15"}}`)
	want(t, b, 4, "total_sessions")
	want(t, b, 2, "ended_sessions")
	want(t, b, 28.75, "average_messages") // 115/4
	want(t, b, map[string]any{"hour": 9.0, "sessions": 3.0}, "peak_hour")

	// At UTC+10 the 18:00Z session starts at 04:00 on 03-15.
	z := f.runAt(sam, today.In(time.FixedZone("UTC+10", 10*3600)), "pam_get_session_analytics", `{"date_range": {"start": "2026-03-15", "end": "2026-03-15"}}`)
	want(t, z, 1, "total_sessions")
	want(t, z, map[string]any{"hour": 4.0, "sessions": 1.0}, "peak_hour")

	e := f.run(alex, "pam_get_session_analytics", `{"date_range": {"start": "2026-01-01", "end": "2026-01-31"}}`)
	want(t, e, 0, "total_sessions")
	want(t, e, nil, "average_messages")
	want(t, e, nil, "peak_hour")
	f.fail(sam, "pam_get_session_analytics", `{"date_range": {"start": "2026-03-15", "end": "2026-03-01"}}`, schema.EUNPROCESSABLE)
	f.fail(sam, "pam_get_session_analytics", `{"date_range": {"start": "2026-03-15"}}`, schema.EUNPROCESSABLE)
}

func TestCleanExpiredSessions(t *testing.T) {
	f := newFixture(t)
	f.create(sam, "user_active_sessions", schema.Row{"session_id": "x", "is_current": true, "expires_at": "2026-03-15T11:00:00Z"})
	f.create(sam, "user_active_sessions", schema.Row{"session_id": "y", "is_current": true, "expires_at": "2026-03-16T11:00:00Z"})
	f.create(sam, "user_active_sessions", schema.Row{"session_id": "z", "is_current": false, "expires_at": "2026-03-01T00:00:00Z"})
	old := localstore.NewID()
	// The archive cutoff is 2026-02-13 12:00 (30 days before now).
	f.create(sam, "chat_sessions", schema.Row{"session_id": old, "status": "ended", "ended_at": "2026-02-01T00:00:00Z"})
	f.create(sam, "chat_sessions", schema.Row{"session_id": localstore.NewID(), "status": "ended", "ended_at": "2026-03-01T00:00:00Z"})
	f.create(sam, "chat_sessions", schema.Row{"session_id": localstore.NewID(), "status": "active"})
	f.create(alex, "chat_sessions", schema.Row{"session_id": localstore.NewID(), "status": "ended", "ended_at": "2026-01-01T00:00:00Z"})

	a := f.run(sam, "pam_clean_expired_sessions", `{}`)
	want(t, a, 1, "expired_sessions_marked")
	want(t, a, 1, "sessions_to_archive")
	want(t, a, []any{old}, "archive_session_ids")
	want(t, a, "2026-02-13T12:00:00.000000Z", "archive_cutoff")
	want(t, a, 30, "archive_after_days")
	want(t, a, 0, "deleted")
	for _, r := range f.rows(sam, "user_active_sessions") {
		if cur := r["is_current"].(bool); cur != (r["session_id"] == "y") {
			t.Fatalf("session %v is_current %v", r["session_id"], cur)
		}
	}
	if n := len(f.rows(sam, "chat_sessions")); n != 3 {
		t.Fatalf("%d chat sessions, want 3: nothing deleted without archive", n)
	}
	want(t, f.run(sam, "pam_clean_expired_sessions", `{}`), 0, "expired_sessions_marked")

	f.fail(sam, "pam_clean_expired_sessions", `{"archive": true}`, schema.EUNPROCESSABLE)
	if n := len(f.rows(sam, "chat_sessions")); n != 3 {
		t.Fatalf("%d chat sessions after refused archive, want 3", n)
	}
	d := f.run(sam, "pam_clean_expired_sessions", `{"archive": true, "confirm": true}`)
	want(t, d, 1, "deleted")
	if rows := f.rows(sam, "chat_sessions"); len(rows) != 2 || rows[0]["session_id"] == old || rows[1]["session_id"] == old {
		t.Fatalf("chat sessions after archive: %v", rows)
	}
	if n := len(f.rows(alex, "chat_sessions")); n != 1 {
		t.Fatalf("alex has %d chat sessions, want 1", n)
	}
}
