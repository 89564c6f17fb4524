package api_test

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
)

// TestChatOfflineListsTools: a reply the offline answerer gave lists the
// tools it ran, with their arguments and results, as a model's would be.
func TestChatOfflineListsTools(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	e, _ := newAssistantEnv(t, &fail)
	for _, tc := range []struct {
		msg, tool, inResult string
	}{
		// Alice's March: 100.25 + 50.00 of food = 150.25, via fetch_summary.
		{"how much did I spend this month", "fetch_summary", "150.25"},
		{"spent $45 on groceries at Walmart", "log_expense", "45.00"},
	} {
		status, body := e.do(t, e.alice, "POST", "/api/v1/pam/chat", map[string]any{"message": tc.msg})
		if status != 200 || body["provider"] != "offline" {
			t.Fatalf("%q: %d %v", tc.msg, status, body)
		}
		calls, _ := body["tool_calls"].([]any)
		found := false
		for _, c := range calls {
			m := c.(map[string]any)
			if m["name"] != tc.tool {
				continue
			}
			found = true
			if res, _ := json.Marshal(m["result"]); !strings.Contains(string(res), tc.inResult) {
				t.Errorf("%q: %s result %s, want it to hold %s", tc.msg, tc.tool, res, tc.inResult)
			}
			if m["arguments"] == nil {
				t.Errorf("%q: %s without arguments", tc.msg, tc.tool)
			}
		}
		if !found {
			t.Errorf("%q: tool_calls %v, want %s among them", tc.msg, calls, tc.tool)
		}
	}
}
