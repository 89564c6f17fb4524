package intent

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is the kind of a token.
type kind uint8

const (
	kWord kind = iota // letters, with inner apostrophes ("denny's")
	kNum              // a number as written: "48,210", "62.5", "48.2k"
	kSym              // any other single character: "$", "/", "?", ","
)

// maxDigits bounds the digits of a number, so that its mantissa stays exact
// in a float64 (< 2^53) and cents never overflow.
const maxDigits = 15

// decimal is an exact decimal number: mant / 10^scale.
type decimal struct {
	mant  int64
	scale int
}

// pow10 returns 10^n, exact for n <= 22.
func pow10(n int) float64 {
	f := 1.0
	for range n {
		f *= 10
	}
	return f
}

// float returns d as a float64, correctly rounded (mant and 10^scale are both
// exact in a float64, and one division rounds once).
func (d decimal) float() float64 { return float64(d.mant) / pow10(d.scale) }

// isInt reports whether d has no fraction.
func (d decimal) isInt() bool {
	m := d.mant
	for range d.scale {
		if m%10 != 0 {
			return false
		}
		m /= 10
	}
	return true
}

// intPart returns the integer part of d.
func (d decimal) intPart() int64 {
	m := d.mant
	for range d.scale {
		m /= 10
	}
	return m
}

// cents converts an amount of currency units to cents, rounding half up past
// the second decimal ("3.459" is 346).
func (d decimal) cents() int64 {
	switch {
	case d.scale <= 2:
		m := d.mant
		for range 2 - d.scale {
			m *= 10
		}
		return m
	default:
		div := int64(1)
		for range d.scale - 2 {
			div *= 10
		}
		return (d.mant + div/2) / div
	}
}

// Conversions, as exact integer ratios: a gallon is 3.785411784 L and a
// mile 1.609344 km by definition.
const (
	gallonNum, gallonExp = 3785411784, 9 // 3.785411784 = 3785411784 / 10^9
	mileNum, mileExp     = 1609344, 6    // 1.609344 = 1609344 / 10^6
	maxExact             = 1 << 53       // integers up to this are exact in a float64
)

// times returns d × num / 10^exp, rounded once: the product of two exact
// decimals is an integer over a power of ten, divided in one step. Figures
// too long for that fall back to float arithmetic.
func (d decimal) times(num int64, exp int) float64 {
	if d.mant >= 0 && d.mant < maxExact/num && d.scale+exp <= 22 {
		return float64(d.mant*num) / pow10(d.scale+exp)
	}
	return d.float() * float64(num) / pow10(exp)
}

// perGallon converts a price per gallon to a price per litre, and from
// currency units to cents if cents is false, rounding once.
func (d decimal) perGallon(cents bool) float64 {
	shift := gallonExp + 2
	if cents {
		shift = gallonExp
	}
	num := d.mant
	for range shift {
		if num >= maxExact/10 {
			num = -1
			break
		}
		num *= 10
	}
	den := int64(gallonNum)
	for range d.scale {
		if den >= maxExact {
			break
		}
		den *= 10
	}
	if num < 0 || den >= maxExact {
		return d.float() * pow10(shift-gallonExp) / (float64(gallonNum) / pow10(gallonExp))
	}
	return float64(num) / float64(den)
}

// times1000 applies a "k" suffix.
func (d decimal) times1000() decimal {
	if d.scale >= 3 {
		d.scale -= 3
		return d
	}
	for range 3 - d.scale {
		d.mant *= 10
	}
	d.scale = 0
	return d
}

// token is one word, number or symbol of a message.
type token struct {
	kind  kind
	text  string // lower case; for a corrected typo, the lexicon word
	orig  string // as written
	start int    // byte offsets of orig in the message
	end   int
	space bool // white space (or the start of the message) before it

	// kNum
	num       decimal
	intDigits int  // digits before the point, as written
	grouped   bool // written with thousands separators
	kilo      bool // written with a "k" suffix ("48.2k")

	// kWord, set by the lexicon
	sense sense
	known bool // in the lexicon, directly or after correction
	fixed bool // a corrected typo
	upper bool // starts with an upper-case letter as written

	used bool // explained by a slot, a period or a quantity
}

// tokenize splits msg into tokens. It never fails: anything it does not
// recognise becomes a symbol token.
func (lx *lexicon) tokenize(msg string) []token {
	return lx.tokenizeInto(make([]token, 0, 24), msg)
}

// tokenizeInto is tokenize appending to toks[:0] (a buffer Parse reuses).
func (lx *lexicon) tokenizeInto(toks []token, msg string) []token {
	toks = toks[:0]
	var parts [2]string // expand's words, without an allocation per word
	space := true
	for i := 0; i < len(msg); {
		r, w := utf8.DecodeRuneInString(msg[i:])
		switch {
		case unicode.IsSpace(r),
			// A hyphen inside a compound is a space: "fill-up", "300-mile".
			r == '-' && i > 0 && i+1 < len(msg) && isAlnum(msg[i-1]) && isAlpha(msg[i+1]):
			space = true
			i += w
			continue
		case isDigit(r) || r == '.' && i+1 < len(msg) && isDigit(rune(msg[i+1])):
			t, j := scanNumber(msg, i)
			t.space = space
			toks = append(toks, t)
			i = j
		case unicode.IsLetter(r):
			j := i + w
			for j < len(msg) {
				r2, w2 := utf8.DecodeRuneInString(msg[j:])
				if unicode.IsLetter(r2) || unicode.IsMark(r2) {
					j += w2
					continue
				}
				if r2 == '\'' || r2 == '’' {
					if r3, _ := utf8.DecodeRuneInString(msg[j+w2:]); j+w2 < len(msg) && unicode.IsLetter(r3) {
						j += w2
						continue
					}
				}
				break
			}
			orig := msg[i:j]
			text := strings.ToLower(orig)
			if strings.ContainsRune(text, '’') {
				text = strings.ReplaceAll(text, "’", "'")
			}
			for k, part := range lx.expand(text, &parts) {
				toks = append(toks, token{kind: kWord, text: part, orig: orig, start: i, end: j,
					space: space || k > 0, upper: k == 0 && unicode.IsUpper(r)})
			}
			i = j
		default:
			sym := msg[i : i+w]
			if r == utf8.RuneError {
				sym = "\uFFFD" // not a "?": invalid bytes ask nothing
			}
			toks = append(toks, token{kind: kSym, text: sym, orig: msg[i : i+w], start: i, end: i + w, space: space})
			i += w
		}
		space = false
	}
	return toks
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isAlnum(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' }

func digitsAt(s string, i, n int) bool {
	if i+n > len(s) {
		return false
	}
	for k := i; k < i+n; k++ {
		if s[k] < '0' || s[k] > '9' {
			return false
		}
	}
	return true
}

// scanNumber reads a number at msg[i:]: "48210", "48,210", "1,234.56",
// "62.5", ".5", "62,5" (a decimal comma: one or two digits after it) and a
// "k" suffix ("48.2k"). It returns the token and the offset after it.
func scanNumber(msg string, i int) (token, int) {
	t := token{kind: kNum, start: i}
	var mant int64
	digits, scale := 0, 0
	point := false
	j := i
	add := func(c byte) {
		if digits < maxDigits+1 {
			mant = mant*10 + int64(c-'0')
		}
		digits++
		if point {
			scale++
		} else {
			t.intDigits++
		}
	}
	for j < len(msg) {
		c := msg[j]
		switch {
		case c >= '0' && c <= '9':
			add(c)
			j++
			continue
		case c == ',' && !point && t.intDigits > 0 && (t.grouped || t.intDigits <= 3) &&
			digitsAt(msg, j+1, 3) && !digitsAt(msg, j+4, 1):
			t.grouped = true
			j++
			continue
		case c == ',' && !point && !t.grouped && t.intDigits > 0 &&
			(digitsAt(msg, j+1, 1) && !digitsAt(msg, j+2, 1) || digitsAt(msg, j+1, 2) && !digitsAt(msg, j+3, 1)):
			point = true // a decimal comma
			j++
			continue
		case c == '.' && !point && digitsAt(msg, j+1, 1):
			point = true
			j++
			continue
		}
		break
	}
	t.num = decimal{mant: mant, scale: scale}
	if j < len(msg) && (msg[j] == 'k' || msg[j] == 'K') {
		if r, _ := utf8.DecodeRuneInString(msg[j+1:]); j+1 == len(msg) || !unicode.IsLetter(r) {
			t.kilo = true
			j++
		}
	}
	if digits > maxDigits || t.kilo && digits > maxDigits-3 || scale > maxDigits {
		// Too long to be a figure anyone means: keep it as an unexplained
		// symbol.
		t.kind = kSym
	} else if t.kilo {
		t.num = t.num.times1000()
	}
	t.orig = msg[i:j]
	t.text = t.orig
	t.end = j
	return t, j
}

// expand splits a contraction into its words ("what's" is "what is"). Other
// words, possessives included, come back alone. The words are returned in
// buf unless the contraction table holds them.
func (lx *lexicon) expand(w string, buf *[2]string) []string {
	one := func(a string) []string { buf[0] = a; return buf[:1] }
	two := func(a, b string) []string { buf[0], buf[1] = a, b; return buf[:2] }
	if parts, ok := lx.contractions[w]; ok {
		return parts
	}
	k := strings.IndexByte(w, '\'')
	if k <= 0 {
		return one(w)
	}
	base, suf := w[:k], w[k:]
	switch suf {
	case "'t":
		if strings.HasSuffix(base, "n") {
			switch base {
			case "can":
				return two("can", "not")
			case "won":
				return two("will", "not")
			case "ain":
				return two("is", "not")
			}
			return two(base[:len(base)-1], "not")
		}
	case "'s":
		switch base {
		case "what", "how", "where", "when", "who", "that", "it", "there", "here":
			return two(base, "is")
		case "let":
			return two("let", "us")
		}
		return one(w) // a possessive
	case "'re":
		return two(base, "are")
	case "'ve":
		return two(base, "have")
	case "'m":
		return two(base, "am")
	case "'ll":
		return two(base, "will")
	case "'d":
		return two(base, "would")
	}
	return one(w)
}
