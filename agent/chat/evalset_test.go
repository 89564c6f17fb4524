package chat_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore/storetest"
)

// The parts of the tool selection evaluation set.
const (
	partTune = "tune" // selection may be tuned on these
	partHeld = "held" // reported only, never tuned on
)

// evalItem is one request of testdata/toolselect.json. Accept holds groups
// of tools: the request is served when the offered list has at least one
// tool of every group (two groups: two intents in one message).
type evalItem struct {
	ID     int        `json:"id"`
	Part   string     `json:"part"`
	Text   string     `json:"text"`
	Accept [][]string `json:"accept"`
}

// The evaluation files: the set written before tuning (tune and held
// parts); a first fresh probe, written after the first round of tuning,
// measured blind once and then tuned on in the second round; a second,
// written before the second round, blind for it, not for the third; and
// a third, written after the last change.
const (
	evalFile  = "toolselect.json"
	freshFile = "toolselect_fresh.json"
	// fresh2File was written before the second round of keyword work and
	// its misses are never printed, so that they cannot guide tuning.
	fresh2File = "toolselect_fresh2.json"
	// fresh3File was written after the last change to the selector.
	fresh3File = "toolselect_fresh3.json"
)

func loadEvalSet(tb testing.TB) []evalItem { return loadEvalFile(tb, evalFile) }

func loadEvalFile(tb testing.TB, name string) []evalItem {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Items []evalItem `json:"items"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return doc.Items
}

// evalPart returns the items of one part.
func evalPart(tb testing.TB, part string) []evalItem {
	tb.Helper()
	var out []evalItem
	for _, it := range loadEvalSet(tb) {
		if it.Part == part {
			out = append(out, it)
		}
	}
	return out
}

// served reports whether offered serves it.
func (it evalItem) served(offered []string) bool {
	have := map[string]bool{}
	for _, n := range offered {
		have[n] = true
	}
	for _, group := range it.Accept {
		ok := false
		for _, n := range group {
			ok = ok || have[n]
		}
		if !ok {
			return false
		}
	}
	return true
}

// recall is the share of items, in percent, that offer serves; missed
// lists the others.
func recall(items []evalItem, offer func(msg string) []string) (pct float64, missed []evalItem) {
	for _, it := range items {
		if !it.served(offer(it.Text)) {
			missed = append(missed, it)
		}
	}
	if len(items) == 0 {
		return 0, nil
	}
	return 100 * float64(len(items)-len(missed)) / float64(len(items)), missed
}

func newRegistry(tb testing.TB) *tools.Registry {
	tb.Helper()
	return tools.NewRegistry(storetest.Open(tb, storetest.Options{}))
}

// TestEvalSet: the set is large enough, split every third item, names
// only registered tools, covers every tool, and no request says a tool's
// name (with or without its pam_ prefix, underscores as spaces); the
// fresh probe names only registered tools and says no tool's name.
func TestEvalSet(t *testing.T) {
	checkEvalItems(t, loadEvalFile(t, freshFile), "fresh", false)
	checkEvalItems(t, loadEvalFile(t, fresh2File), "fresh2", false)
	checkEvalItems(t, loadEvalFile(t, fresh3File), "fresh3", false)
	checkEvalItems(t, loadEvalSet(t), "", true)
}

func checkEvalItems(t *testing.T, items []evalItem, part string, whole bool) {
	t.Helper()
	if whole && len(items) < 220 {
		t.Fatalf("%d requests, want at least 220", len(items))
	}
	registered := map[string]bool{}
	for _, info := range newRegistry(t).List() {
		registered[info.Name] = true
	}
	used := map[string]bool{}
	nonWord := regexp.MustCompile(`[^a-z0-9]+`)
	for i, it := range items {
		want := part
		if whole {
			want = partTune
			if it.ID%3 == 0 {
				want = partHeld
			}
		}
		if it.ID != i+1 || it.Part != want {
			t.Errorf("item %d: id %d part %q, want id %d part %q", i, it.ID, it.Part, i+1, want)
		}
		if strings.TrimSpace(it.Text) == "" || len(it.Accept) == 0 {
			t.Errorf("item %d: empty text or no acceptable tools", it.ID)
		}
		text := " " + nonWord.ReplaceAllString(strings.ToLower(it.Text), " ") + " "
		for name := range registered {
			for _, form := range []string{name, strings.TrimPrefix(name, "pam_")} {
				if strings.Contains(text, " "+strings.ReplaceAll(form, "_", " ")+" ") {
					t.Errorf("item %d %q says the tool name %s", it.ID, it.Text, name)
				}
			}
		}
		for _, g := range it.Accept {
			for _, n := range g {
				if !registered[n] {
					t.Errorf("item %d: %s is not a registered tool", it.ID, n)
				}
				used[n] = true
			}
		}
	}
	for name := range registered {
		if whole && !used[name] {
			t.Errorf("no request is served by %s", name)
		}
	}
	if len(registered) != 44 {
		t.Errorf("%d tools registered, the set was written for 44", len(registered))
	}
}
