package tools_test

import (
	"testing"

	"github.com/pam-rv/pamd/schema"
)

func TestRecordUserFeedback(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "record_user_feedback", `{"message_id": "msg-1", "thumbs_up": false, "rating": 2, "feedback": "wrong campsite", "user_id": "`+alex+`"}`)
	want(t, a, true, "recorded")
	want(t, a, "msg-1", "feedback", "message_id")
	want(t, a, false, "feedback", "thumbs_up")
	want(t, a, 2, "feedback", "rating")
	want(t, a, "wrong campsite", "feedback", "feedback")
	want(t, f.run(sam, "record_user_feedback", `{"message_id": "msg-2", "thumbs_up": true}`), nil, "feedback", "rating")
	if n := len(f.rows(sam, "pam_feedback")); n != 2 {
		t.Fatalf("%d feedback rows for Sam, want 2", n)
	}
	if n := len(f.rows(alex, "pam_feedback")); n != 0 {
		t.Fatalf("%d feedback rows for Alex, want 0", n)
	}
	f.fail(sam, "record_user_feedback", `{"message_id": "m", "thumbs_up": true, "rating": 6}`, schema.EUNPROCESSABLE)
	f.fail(sam, "record_user_feedback", `{"message_id": "m"}`, schema.EUNPROCESSABLE)
}
