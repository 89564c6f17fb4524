package intent

import (
	"strings"
	"sync"
	"time"
)

// MaxMessageBytes is the longest message the parser reads. Longer ones are
// not the short questions it answers: they are Unknown and go to a model.
const MaxMessageBytes = 400

// Parser maps messages to intents. Set its fields before the first Parse;
// after that it is safe for concurrent use, and must not be copied.
type Parser struct {
	// Now is the clock periods and dates are relative to; nil means
	// time.Now.
	Now func() time.Time
	// Location is the user's time zone; nil means Now's.
	Location *time.Location
	// Units is UnitsMetric or UnitsUS: how to read a volume or a distance
	// written without a unit ("filled up 62", "a 300 trip"). Empty means
	// metric.
	Units string
	// Categories are the user's expense categories; nil means
	// DefaultCategories. Built-in synonyms map onto them ("gas" is fuel,
	// "eating out" is dining) when the synonym's category is among them.
	Categories []string

	once sync.Once
	lx   *lexicon // built on first use from Categories, then read-only
}

// NewParser returns a Parser with the documented defaults: the system
// clock, metric units and DefaultCategories.
func NewParser() *Parser {
	return &Parser{Now: time.Now, Units: UnitsMetric, Categories: DefaultCategories()}
}

// Parse returns what msg asks for or records. It never fails: a message it
// does not understand is Unknown with Confidence 0.
func (p *Parser) Parse(msg string) Intent {
	p.once.Do(func() { p.lx = newLexicon(p.Categories) })
	if len(msg) > MaxMessageBytes || strings.TrimSpace(msg) == "" {
		return Intent{}
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	if p.Location != nil {
		now = now.In(p.Location)
	}
	buf := tokenBufs.Get().(*[]token)
	a := &analysis{lx: p.lx, now: now, us: p.Units == UnitsUS, toks: *buf}
	in := a.run(msg)
	// Nothing of the Intent points into the tokens: the buffer goes back,
	// emptied so that it holds on to no message.
	clear(a.toks)
	*buf = a.toks[:0]
	tokenBufs.Put(buf)
	return in
}

// tokenBufs are token slices for Parse to reuse: a message's tokens are
// ~200 bytes each, and a fresh slice per message was a fifth of Parse's
// time (allocation and the garbage collector).
var tokenBufs = sync.Pool{New: func() any {
	s := make([]token, 0, 24)
	return &s
}}

// analysis is the working state of one Parse.
type analysis struct {
	lx   *lexicon
	msg  string
	now  time.Time
	us   bool // bare volumes and distances are gallons and miles
	toks []token
	all  concept // the concepts of the words not taken by a period or quantity

	fixes   int  // corrected typos
	q       bool // a question or a request for information
	howMuch bool // "how much": money, or a quantity

	// Time, read by readTime.
	period     *Period
	periods    int
	date       time.Time
	months     int  // a span ahead or unqualified ("6 months"), in months
	future     bool // the period is ahead of now
	namedMonth bool // the period is a month said by name
	soFar      bool

	// Quantities, read by readQuantities.
	money  []amount
	vols   []amount
	dists  []amount
	prices []amount
	bare   []int // numbers with no unit, by token index
	econ   bool  // an economy unit (mpg, l/100km) was written
}

// amount is a quantity found in the message.
type amount struct {
	cents  int64   // money
	v      float64 // litres, km, or cents per litre
	max    bool    // money: a ceiling ("under $20")
	odo    bool    // distance: an odometer reading ("at 48,210 km")
	within bool    // distance: a radius ("within 50 miles")
}

func (a *analysis) word(i int) string {
	if i < 0 || i >= len(a.toks) || a.toks[i].kind != kWord {
		return ""
	}
	return a.toks[i].text
}

func (a *analysis) sym(i int) string {
	if i < 0 || i >= len(a.toks) || a.toks[i].kind != kSym {
		return ""
	}
	return a.toks[i].text
}

// use marks tokens [from, to) as explained.
func (a *analysis) use(from, to int) {
	for i := max(from, 0); i < min(to, len(a.toks)); i++ {
		a.toks[i].used = true
	}
}

func (a *analysis) has(c concept) bool { return a.all&c != 0 }

// is reports whether token i is a word with concept c.
func (a *analysis) is(i int, c concept) bool {
	return i >= 0 && i < len(a.toks) && a.toks[i].kind == kWord && a.toks[i].sense.c&c != 0
}

func (a *analysis) unitAt(i int) unit {
	if i < 0 || i >= len(a.toks) || a.toks[i].used {
		return uNone
	}
	if a.toks[i].kind == kSym && a.toks[i].text == "¢" {
		return uCent
	}
	if a.toks[i].kind != kWord {
		return uNone
	}
	return a.toks[i].sense.unit
}

func (a *analysis) run(msg string) Intent {
	a.msg = msg
	a.toks = a.lx.tokenizeInto(a.toks, msg)
	a.fixes = a.lx.annotate(a.toks)
	for i := range a.toks {
		// "since we left Texas": a verb, not what is left.
		if a.toks[i].text == "left" && isSubject(a.word(i-1)) {
			a.toks[i].sense.c &^= cLeft
		}
		a.all |= a.toks[i].sense.c
	}
	a.readEconomyUnits()
	a.readTime()
	a.readQuantities()
	a.all = a.live()
	a.readQuestion()
	in := a.decide()
	if in.Name != Unknown {
		a.askedUnits(&in.Slots)
	}
	return in
}

// askedUnit is the unit a word names for askedUnits: uLitre, uGallon, uKM,
// uMile, or uNone (a switch: this runs for every word of every message).
func askedUnit(w string) unit {
	switch w {
	case "l", "lt", "ltr", "ltrs", "litre", "litres", "liter", "liters":
		return uLitre
	case "gal", "gals", "gallon", "gallons", "usgal":
		return uGallon
	case "km", "kms", "kilometre", "kilometres", "kilometer", "kilometers":
		return uKM
	case "mi", "mile", "miles", "mls":
		return uMile
	}
	return uNone
}

// askedUnits notes the units the message names (Slots.EconomyUnit,
// VolumeUnit, DistanceUnit): an economy unit ("mpg", "l/100km", "miles per
// gallon", "km/l", "litres per 100 km") takes its words, so "miles per
// gallon" names no distance or volume.
func (a *analysis) askedUnits(s *Slots) {
	// Every word read below has its unit in the lexicon too
	// (TestAskedUnitWords), so a message without such a word names no unit:
	// most messages stop here.
	named := false
	for i := range a.toks {
		if t := &a.toks[i]; t.kind == kWord {
			switch t.sense.unit {
			case uLitre, uGallon, uKM, uMile, uMPG:
				named = true
			}
		}
	}
	if !named {
		return
	}
	n := len(a.toks)
	w := func(i int) string {
		if i < 0 || i >= n || a.toks[i].kind != kWord {
			return ""
		}
		return a.toks[i].text
	}
	per := func(i int) bool { return a.sym(i) == "/" || w(i) == "per" || w(i) == "a" || w(i) == "to" }
	taken := make([]bool, n)
	econ := func(unit string, from, to int) {
		s.EconomyUnit = unit
		for k := from; k < to && k < n; k++ {
			taken[k] = true
		}
	}
	for i := 0; i < n; i++ {
		x := w(i)
		switch u := askedUnit(x); {
		case x == "mpg" || x == "mpge":
			econ("mpg", i, i+1)
		case x == "l100km" || x == "kpl":
			econ("l/100km", i, i+1)
		case u == uLitre && per(i+1) && a.isNum(i+2, 100):
			econ("l/100km", i, i+4) // litres / 100 (km)
		case u == uMile && per(i+1) && (askedUnit(w(i+2)) == uGallon || w(i+2) == "the" && askedUnit(w(i+3)) == uGallon):
			econ("mpg", i, i+4) // miles per gallon, miles to the gallon
		case u == uKM && per(i+1) && askedUnit(w(i+2)) == uLitre:
			econ("l/100km", i, i+3) // km per litre
		case (x == "per" || a.sym(i) == "/") && a.isNum(i+1, 100) && askedUnit(w(i+2)) == uKM:
			econ("l/100km", i, i+3) // per 100 km
		}
	}
	for i := 0; i < n; i++ {
		if taken[i] {
			continue
		}
		switch x := w(i); askedUnit(x) {
		case uLitre:
			if x != "l" || i > 0 && a.toks[i-1].kind == kNum {
				s.VolumeUnit = "L"
			}
		case uGallon:
			s.VolumeUnit = "gal"
		case uKM:
			s.DistanceUnit = "km"
		case uMile:
			s.DistanceUnit = "mi"
		}
	}
}

// annotate gives each word token its sense: words first, then phrases
// (whose sense wins: "fast food" is dining), then typo corrections for the
// words still unknown, then phrases again over the corrected words. It
// returns the number of corrections kept.
func (lx *lexicon) annotate(toks []token) int {
	for i := range toks {
		if toks[i].kind != kWord {
			continue
		}
		if s, ok := lx.lookup(toks[i].text); ok {
			toks[i].sense = s
			toks[i].known = true
		}
	}
	inPhrase := lx.matchPhrases(toks, nil)
	fixes := 0
	for i := range toks {
		t := &toks[i]
		if t.kind != kWord || t.known || inPhrase[i] {
			continue
		}
		if w, ok := lx.correct(t.text); ok {
			t.text = w
			t.sense, t.known = lx.words[w]
			t.fixed = true
			fixes++
		}
	}
	if fixes > 0 {
		lx.matchPhrases(toks, inPhrase)
		// A correction to a phrase word that made no phrase is undone.
		for i := range toks {
			if t := &toks[i]; t.fixed && !t.known {
				t.text, t.fixed = strings.ToLower(t.orig), false
				fixes--
			}
		}
	}
	return fixes
}

// matchPhrases merges the sense of each phrase into its words, longest
// phrase first, left to right. Tokens already in a phrase are skipped.
func (lx *lexicon) matchPhrases(toks []token, inPhrase []bool) []bool {
	if inPhrase == nil {
		inPhrase = make([]bool, len(toks))
	}
	for i := 0; i < len(toks); i++ {
		if toks[i].kind != kWord || inPhrase[i] {
			continue
		}
		for _, p := range lx.phrases[toks[i].text] {
			if i+len(p.words) > len(toks) {
				continue
			}
			ok := true
			for k, w := range p.words {
				if t := &toks[i+k]; t.kind != kWord || t.text != w || inPhrase[i+k] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			for k := range p.words {
				toks[i+k].sense.merge(p.s)
				toks[i+k].known = true
				inPhrase[i+k] = true
			}
			i += len(p.words) - 1
			break
		}
	}
	return inPhrase
}

// readEconomyUnits takes "l/100km", "mpg", "miles per gallon", "km/l" and
// the figure before them: a fuel economy, never a volume or a distance.
func (a *analysis) readEconomyUnits() {
	for i := 0; i < len(a.toks); i++ {
		end := 0
		switch u := a.unitAt(i); {
		case u == uMPG:
			end = i + 1
		case u == uLitre && (a.sym(i+1) == "/" || a.word(i+1) == "per") && a.isNum(i+2, 100):
			end = i + 3
			if k := a.unitAt(end); k == uKM {
				end++
			}
		case (u == uKM || u == uMile) && (a.sym(i+1) == "/" || a.word(i+1) == "per") &&
			(a.unitAt(i+2) == uLitre || a.unitAt(i+2) == uGallon):
			end = i + 3
		case u == uMile && a.word(i+1) == "to" && a.word(i+2) == "the" && a.unitAt(i+3) == uGallon:
			end = i + 4
		case (a.sym(i) == "/" || a.word(i) == "per") && a.isNum(i+1, 100) && a.unitAt(i+2) == uKM:
			end = i + 3 // "burn per 100 km": litres per 100 km
		}
		if end == 0 {
			continue
		}
		a.econ = true
		from := i
		if i > 0 && a.toks[i-1].kind == kNum {
			from = i - 1
		}
		a.use(from, end)
		i = end - 1
	}
}

func isSubject(w string) bool {
	switch w {
	case "i", "we", "you", "they", "he", "she":
		return true
	}
	return false
}

func (a *analysis) isNum(i int, v int64) bool {
	return i < len(a.toks) && a.toks[i].kind == kNum && a.toks[i].num.isInt() && a.toks[i].num.intPart() == v
}

// readQuantities reads money, volumes, distances and prices per volume, and
// lists the numbers left bare.
func (a *analysis) readQuantities() {
	for i := 0; i < len(a.toks); i++ {
		t := &a.toks[i]
		if t.kind != kNum || t.used {
			continue
		}
		a.joinThousands(i)
		start, end := i, i+1
		money, cents := false, false
		if k := i - 1; k >= 0 && !a.toks[k].used &&
			(a.toks[k].kind == kSym && isCurrency(a.toks[k].text) || a.unitAt(k) == uUSD) {
			money, start = true, k
		}
		switch u := a.unitAt(end); {
		case u == uDollar || u == uUSD:
			money = true
			end++
		case u == uCent:
			cents = true
			end++
		case !money && a.sym(end) != "" && isCurrency(a.sym(end)) && !a.toks[end].space:
			money = true
			end++
		}
		// A price per volume: "$3.45/gal", "1.899 per litre", "189.9¢/L".
		if per, gal := a.perVolume(end); per > 0 {
			// Currency units, or cents when said or when too big for a
			// price in dollars ("189.9/L").
			inCents := cents || !money && t.num.float() >= 20
			var v float64
			switch {
			case gal:
				v = t.num.perGallon(inCents)
			case inCents:
				v = t.num.float()
			default:
				v = t.num.times(100, 0)
			}
			a.prices = append(a.prices, amount{v: v})
			a.use(start, end+per)
			i = end + per - 1
			continue
		}
		if money || cents {
			c := t.num.cents()
			if cents {
				c = t.num.intPart()
			}
			m := amount{cents: c, max: a.ceilingAround(start, end)}
			a.money = append(a.money, m)
			a.use(start, end)
			i = end - 1
			continue
		}
		switch u := a.unitAt(end); u {
		case uLitre, uGallon:
			v := t.num.float()
			if u == uGallon {
				v = t.num.times(gallonNum, gallonExp)
			}
			a.vols = append(a.vols, amount{v: v})
			a.use(i, end+1)
			i = end
			continue
		case uKM, uMile:
			v := t.num.float()
			if u == uMile {
				v = t.num.times(mileNum, mileExp)
			}
			d := amount{v: v, odo: a.odometerAround(i, end+1), within: a.is(i-1, cWithin) ||
				a.word(end+1) == "radius"}
			a.dists = append(a.dists, d)
			a.use(i, end+1)
			i = end
			continue
		}
		// "5th wheel", "3rd": an ordinal written next to its number.
		if w := a.word(end); (w == "st" || w == "nd" || w == "rd" || w == "th") && !a.toks[end].space {
			a.use(i, end+1)
			continue
		}
		a.bare = append(a.bare, i)
	}
}

func isCurrency(s string) bool { return s == "$" || s == "€" || s == "£" }

// joinThousands reads "48 210 km" as one number: a group of one to three
// digits and a group of three, before a distance unit or after "at" or
// "odometer".
func (a *analysis) joinThousands(i int) {
	t := &a.toks[i]
	if i+1 >= len(a.toks) {
		return
	}
	n := &a.toks[i+1]
	if t.grouped || t.kilo || t.num.scale != 0 || t.intDigits > 3 || n.kind != kNum || n.used ||
		!n.space || n.grouped || n.kilo || n.intDigits != 3 || n.num.scale > 3 {
		return
	}
	u := a.unitAt(i + 2)
	if u != uKM && u != uMile && !a.is(i-1, cOdo) && a.word(i-1) != "at" && a.sym(i-1) != "@" {
		return
	}
	m := t.num.mant
	for range 3 + n.num.scale {
		m *= 10
	}
	t.num = decimal{mant: m + n.num.mant, scale: n.num.scale}
	t.intDigits += 3
	t.grouped = true
	t.end = n.end
	// Drop the second group, so that the unit follows the number.
	copy(a.toks[i+1:], a.toks[i+2:])
	a.toks = a.toks[:len(a.toks)-1]
}

// perVolume reports whether tokens at i say "per litre" or "per gallon"
// ("/l", "per gallon", "a gal"); it returns how many tokens that takes and
// whether it is gallons.
func (a *analysis) perVolume(i int) (int, bool) {
	if a.sym(i) != "/" && !a.is(i, cPer) {
		return 0, false
	}
	switch a.unitAt(i + 1) {
	case uLitre:
		return 2, false
	case uGallon:
		return 2, true
	}
	return 0, false
}

// ceilingAround reports whether the money at tokens [start, end) is a price
// ceiling: "under $20", "less than 20 dollars", "$25 or less", "$30 max".
func (a *analysis) ceilingAround(start, end int) bool {
	if a.is(start-1, cCompare) || a.sym(start-1) == "<" || a.sym(start-1) == "≤" {
		return true
	}
	return a.is(end, cCompare) && (a.word(end) == "or" || a.word(end) == "max" || a.word(end) == "tops" ||
		a.word(end) == "maximum")
}

// odometerAround reports whether the distance at tokens [i, end) is an
// odometer reading: "at 48,210 km", "odometer 30,112 mi", "48210 km on the
// odo".
func (a *analysis) odometerAround(i, end int) bool {
	if a.word(i-1) == "at" || a.sym(i-1) == "@" || a.is(i-1, cOdo) || a.is(i-2, cOdo) && a.sym(i-1) != "" {
		return true
	}
	for k := end; k < min(end+3, len(a.toks)); k++ {
		if a.is(k, cOdo) {
			return true
		}
	}
	return false
}

// readQuestion decides whether the message asks something.
func (a *analysis) readQuestion() {
	first := true
	for i := range a.toks {
		t := &a.toks[i]
		if t.kind == kSym && t.text == "?" {
			a.q = true
		}
		if t.kind == kWord && t.text == "how" && (a.word(i+1) == "much" || a.word(i+1) == "many") {
			a.howMuch = a.howMuch || a.word(i+1) == "much"
			a.q = true
		}
		if first && t.kind == kWord {
			switch t.text {
			case "hey", "hi", "hello", "pam", "ok", "okay", "so", "um", "please", "yo", "and", "quick",
				"question", "oh":
				continue
			}
			first = false
			if t.sense.c&cQ != 0 {
				a.q = true
			}
		}
	}
}

// unexplained counts the words and numbers nothing accounts for, and the
// time references no period was read from ("since we left Texas").
func (a *analysis) unexplained() int {
	n := 0
	for i := range a.toks {
		t := &a.toks[i]
		if t.used {
			continue
		}
		switch {
		case t.kind == kNum || t.kind == kWord && !t.known:
			n++
		case t.text == "since" || t.text == "before" || t.text == "after" || t.text == "until":
			if i+1 < len(a.toks) && !a.toks[i+1].used && a.word(i+1) != "the" {
				n++
			}
		}
	}
	return n
}

// words counts the word and number tokens.
func (a *analysis) words() int {
	n := 0
	for i := range a.toks {
		if a.toks[i].kind != kSym {
			n++
		}
	}
	return n
}
