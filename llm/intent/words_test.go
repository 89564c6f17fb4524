package intent

import "testing"

// TestCommonWordsSorted: isCommon binary-searches commonWords and
// chatWords, so a word added out of order would be missed.
func TestCommonWordsSorted(t *testing.T) {
	for name, ws := range map[string][]string{"commonWords": commonWords, "chatWords": chatWords} {
		for i := 1; i < len(ws); i++ {
			if ws[i-1] >= ws[i] {
				t.Errorf("%s: %q before %q: keep the list sorted, without repeats", name, ws[i-1], ws[i])
			}
		}
		for _, w := range ws {
			if !isCommon(w) {
				t.Errorf("%s: isCommon(%q) = false", name, w)
			}
		}
	}
	for _, w := range []string{"fule", "gorceries", "", "zzzz"} {
		if isCommon(w) {
			t.Errorf("isCommon(%q) = true", w)
		}
	}
}

// TestAskedUnitWords: askedUnits skips a message none of whose words has a
// unit in the lexicon, so every word it reads must have one: the words of
// askedUnit with the same unit, and the economy units.
func TestAskedUnitWords(t *testing.T) {
	lx := newLexicon(nil)
	for _, w := range []string{"l", "lt", "ltr", "ltrs", "litre", "litres", "liter", "liters",
		"gal", "gals", "gallon", "gallons", "usgal", "km", "kms", "kilometre", "kilometres",
		"kilometer", "kilometers", "mi", "mile", "miles", "mls"} {
		u := askedUnit(w)
		if u == uNone || lx.words[w].unit != u {
			t.Errorf("%q: askedUnit %d, lexicon unit %d", w, u, lx.words[w].unit)
		}
	}
	for _, w := range []string{"mpg", "mpge", "l100km", "kpl"} {
		if lx.words[w].unit != uMPG {
			t.Errorf("%q: lexicon unit %d, want uMPG", w, lx.words[w].unit)
		}
	}
}
