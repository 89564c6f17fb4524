package intent

import (
	"testing"
	"time"
)

// BenchmarkParse parses every phrasing of testdata/phrasings.json in turn;
// ns/op is the time for one message.
func BenchmarkParse(b *testing.B) {
	f := loadPhrasings(b)
	p := parserAt(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	p.Units = UnitsUS
	p.Parse("warm up") // builds the lexicon
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Parse(f.Cases[i%len(f.Cases)].Text)
		i++
	}
}

// BenchmarkNewLexicon is the one-off cost of a Parser's first Parse.
func BenchmarkNewLexicon(b *testing.B) {
	for b.Loop() {
		newLexicon(nil)
	}
}
