package chat

import "testing"

// TestBaselineRecall logs the recall of the word-overlap selector the set
// was written against (measured before any tuning).
func TestBaselineRecall(t *testing.T) {
	s := &Service{Tools: newRegistry(t)}
	offer := func(msg string) []string {
		var out []string
		for _, tl := range s.relevantTools(msg) {
			out = append(out, tl.Name)
		}
		return out
	}
	for _, part := range []string{partTune, partHeld} {
		pct, _ := recall(evalPart(t, part), offer)
		t.Logf("word overlap, %s part: recall %.1f %%", part, pct)
	}
}
