package intent

import (
	"fmt"
	"strings"
	"time"
)

// Calendar helpers. All of them build times with time.Date in the user's
// location, so they are right across DST changes.

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func addDays(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, t.Location())
}

func monthStart(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
}

// weekStart is the Monday that starts t's week.
func weekStart(t time.Time) time.Time {
	return addDays(t, -((int(t.Weekday()) + 6) % 7))
}

func monthPeriod(y int, m time.Month, loc *time.Location, label string) *Period {
	from := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	if label == "" {
		label = fmt.Sprintf("%s %d", m, y)
	}
	return &Period{From: from, To: from.AddDate(0, 1, 0), Label: label}
}

func yearPeriod(y int, loc *time.Location, label string) *Period {
	if label == "" {
		label = fmt.Sprint(y)
	}
	return &Period{From: time.Date(y, 1, 1, 0, 0, 0, 0, loc), To: time.Date(y+1, 1, 1, 0, 0, 0, 0, loc), Label: label}
}

func dayPeriod(d time.Time, label string) *Period {
	d = midnight(d)
	if label == "" {
		label = d.Format("January 2, 2006")
	}
	return &Period{From: d, To: addDays(d, 1), Label: label}
}

// thisMonth is the whole calendar month of now.
func thisMonth(now time.Time) *Period {
	return monthPeriod(now.Year(), now.Month(), now.Location(), "this month")
}

// recentMonth is the most recent month m not in the future: this year's if
// it has begun, else last year's. With strict, the current month does not
// count ("last March" said in March is a year ago).
func recentMonth(now time.Time, m time.Month, strict bool) int {
	y := now.Year()
	if m > now.Month() || strict && m == now.Month() {
		y--
	}
	return y
}

// spanUnit reads a unit of time: 'd', 'w', 'm' or 'y'; 0 if w is none.
func spanUnit(w string) byte {
	switch w {
	case "day", "days":
		return 'd'
	case "week", "weeks", "wk", "wks":
		return 'w'
	case "fortnight", "fortnights":
		return 'f'
	case "month", "months", "mo", "mos":
		return 'm'
	case "year", "years", "yr", "yrs":
		return 'y'
	}
	return 0
}

// spanMonths converts n units to whole months, rounding up.
func spanMonths(n int, u byte) int {
	switch u {
	case 'd':
		return (n + 29) / 30
	case 'w':
		return (n*7 + 29) / 30
	case 'f':
		return (n*14 + 29) / 30
	case 'y':
		return n * 12
	}
	return n
}

func unitName(n int, u byte) string {
	var name string
	switch u {
	case 'd':
		name = "day"
	case 'w':
		name = "week"
	case 'f':
		name = "fortnight"
	case 'm':
		name = "month"
	default:
		name = "year"
	}
	if n == 1 {
		return name
	}
	return fmt.Sprintf("%d %ss", n, name)
}

// rolling is the last n units up to the end of today: "last 30 days" is 30
// calendar days, today included.
func rolling(now time.Time, n int, u byte, label string) *Period {
	to := addDays(now, 1)
	var from time.Time
	switch u {
	case 'd':
		from = addDays(to, -n)
	case 'w':
		from = addDays(to, -7*n)
	case 'f':
		from = addDays(to, -14*n)
	case 'm':
		from = to.AddDate(0, -n, 0)
	default:
		from = to.AddDate(-n, 0, 0)
	}
	return &Period{From: from, To: to, Label: label}
}

// ahead is the next n units from the start of today.
func ahead(now time.Time, n int, u byte) *Period {
	from := midnight(now)
	var to time.Time
	switch u {
	case 'd':
		to = addDays(from, n)
	case 'w':
		to = addDays(from, 7*n)
	case 'f':
		to = addDays(from, 14*n)
	case 'm':
		to = from.AddDate(0, n, 0)
	default:
		to = from.AddDate(n, 0, 0)
	}
	return &Period{From: from, To: to, Label: "next " + unitName(n, u)}
}

// calendar returns the calendar day, week, month or year that is off units
// away from now's: -1 the last one, 0 this one, 1 the next one.
func calendar(now time.Time, u byte, off int) *Period {
	loc := now.Location()
	label := [...]string{"last ", "this ", "next "}[off+1]
	switch u {
	case 'w', 'f':
		from := addDays(weekStart(now), 7*off)
		return &Period{From: from, To: addDays(from, 7), Label: label + "week"}
	case 'm':
		from := monthStart(now).AddDate(0, off, 0)
		return &Period{From: from, To: from.AddDate(0, 1, 0), Label: label + "month"}
	case 'y':
		return yearPeriod(now.Year()+off, loc, label+"year")
	}
	return dayPeriod(addDays(now, off), [...]string{"yesterday", "today", "tomorrow"}[off+1])
}

// count reads a small count at token i: digits, a number word, "a"/"an".
func (a *analysis) count(i int) (int, bool) {
	if i < 0 || i >= len(a.toks) || a.toks[i].used {
		return 0, false
	}
	t := &a.toks[i]
	switch {
	case t.kind == kNum && t.num.isInt() && !t.grouped && !t.kilo:
		if n := t.num.intPart(); n >= 1 && n <= 1000 {
			return int(n), true
		}
	case t.kind == kWord && t.sense.n > 0:
		return t.sense.n, true
	case t.kind == kWord && (t.text == "a" || t.text == "an"):
		return 1, true
	}
	return 0, false
}

// dayOfMonth reads "3", "3rd" at token i, returning the tokens it took.
func (a *analysis) dayOfMonth(i int) (int, int) {
	if i >= len(a.toks) || a.toks[i].kind != kNum || a.toks[i].used || !a.toks[i].num.isInt() ||
		a.toks[i].grouped || a.toks[i].intDigits > 2 {
		return 0, 0
	}
	d := int(a.toks[i].num.intPart())
	if d < 1 || d > 31 {
		return 0, 0
	}
	switch a.word(i + 1) {
	case "st", "nd", "rd", "th":
		return d, 2
	}
	return d, 1
}

// year reads a four-digit year at token i.
func (a *analysis) year(i int) (int, bool) {
	if i >= len(a.toks) || a.toks[i].kind != kNum || a.toks[i].used || a.toks[i].intDigits != 4 ||
		a.toks[i].grouped || !a.toks[i].num.isInt() {
		return 0, false
	}
	y := int(a.toks[i].num.intPart())
	return y, y >= 1990 && y <= 2100
}

// setPeriod records a period; the first one said is the one asked about.
// An empty one ("since 2030") is dropped.
func (a *analysis) setPeriod(p *Period) {
	if !p.From.Before(p.To) {
		return
	}
	a.periods++
	if a.period == nil {
		a.period = p
	}
}

// setDate records the day of an entry.
func (a *analysis) setDate(d time.Time) {
	if a.date.IsZero() {
		a.date = midnight(d)
	}
}

// readTime finds periods, spans and dates and marks their tokens used.
func (a *analysis) readTime() {
	now := a.now
	for i := 0; i < len(a.toks); i++ {
		if a.toks[i].used || a.toks[i].kind == kSym {
			continue
		}
		w := a.word(i)
		switch {
		case w == "so" && a.word(i+1) == "far":
			a.use(i, i+2)
			a.soFar = true
			continue
		case w == "mtd" || w == "month" && a.word(i+1) == "to" && a.word(i+2) == "date":
			a.setPeriod(thisMonth(now))
			a.use(i, i+1+2*b2i(w == "month"))
			continue
		case w == "ytd" || w == "year" && a.word(i+1) == "to" && a.word(i+2) == "date":
			a.setPeriod(calendar(now, 'y', 0))
			a.use(i, i+1+2*b2i(w == "year"))
			continue
		case (w == "start" || w == "beginning") && a.word(i+1) == "of":
			j := i + 2
			if a.word(j) == "the" || a.word(j) == "this" {
				j++
			}
			if u := spanUnit(a.word(j)); u == 'm' || u == 'y' {
				p := calendar(now, u, 0)
				p.To = addDays(now, 1)
				p.Label = "since the start of the " + unitName(1, u)
				a.setPeriod(p)
				a.use(i, j+1)
				continue
			}
		case w == "today" || w == "tonight":
			if w == "today" || !a.has(cCamp|cStay) {
				a.setPeriod(calendar(now, 'd', 0))
			}
			a.setDate(now)
			a.use(i, i+1)
			continue
		case w == "last" && a.word(i+1) == "night":
			a.setPeriod(calendar(now, 'd', -1))
			a.setDate(addDays(now, -1))
			a.use(i, i+2)
			continue
		case w == "yesterday":
			if a.word(i-1) == "before" && a.word(i-2) == "day" && a.word(i-3) == "the" {
				a.setPeriod(dayPeriod(addDays(now, -2), ""))
				a.setDate(addDays(now, -2))
				a.use(i-3, i+1)
				continue
			}
			a.setPeriod(calendar(now, 'd', -1))
			a.setDate(addDays(now, -1))
			a.use(i, i+1)
			continue
		case w == "lately" || w == "recently":
			a.use(i, i+1)
			continue
		}

		// this/last/next + unit, and counted spans. "The coming months"
		// is no span in particular.
		if u := spanUnit(a.word(i + 1)); u != 0 && u != 'd' && !strings.HasSuffix(a.word(i+1), "s") {
			switch w {
			case "this", "current":
				a.setPeriod(calendar(now, u, 0))
				a.use(i, i+2)
				continue
			case "last", "previous", "prior":
				a.setPeriod(calendar(now, u, -1))
				a.use(i, i+2)
				continue
			case "past":
				a.setPeriod(rolling(now, 1, u, "past "+unitName(1, u)))
				a.use(i, i+2)
				continue
			case "next", "coming":
				a.setPeriod(calendar(now, u, 1))
				a.months = spanMonths(1, u)
				a.future = true
				a.use(i, i+2)
				continue
			}
		}
		switch w {
		case "last", "past", "previous", "next", "coming", "upcoming", "following":
			j := i + 1
			if a.word(j) == "a" && (a.word(j+1) == "few" || a.word(j+1) == "couple") {
				j++
			}
			if n, ok := a.count(j); ok && (a.toks[j].kind == kNum || a.toks[j].sense.n > 0) {
				k := j + 1
				if a.word(k) == "of" {
					k++
				}
				if u := spanUnit(a.word(k)); u != 0 {
					if w == "next" || w == "coming" || w == "upcoming" || w == "following" {
						a.setPeriod(ahead(now, n, u))
						a.months = spanMonths(n, u)
						a.future = true
					} else {
						a.setPeriod(rolling(now, n, u, "last "+unitName(n, u)))
					}
					a.use(i, k+1)
					continue
				}
			}
		}
		// "6 months", "six months", "a year", "3 days ago".
		if n, ok := a.count(i); ok {
			k := i + 1
			if a.word(k) == "of" && a.toks[i].sense.n > 0 { // "couple of weeks"
				k++
			}
			if u := spanUnit(a.word(k)); u != 0 {
				if a.word(k+1) == "ago" {
					switch u {
					case 'd':
						a.setDate(addDays(now, -n))
					case 'w':
						a.setDate(addDays(now, -7*n))
					}
					a.use(i, k+2)
					continue
				}
				a.months = spanMonths(n, u)
				a.use(i, k+1)
				continue
			}
		}

		if w == "half" && a.word(i+1) == "a" && spanUnit(a.word(i+2)) == 'y' {
			a.months = 6
			a.use(i, i+3)
			continue
		}

		// Weekdays: "on Friday", "last Friday". Short forms that are words
		// too ("sat", "sun") need "on" or "last" before them.
		if wd := a.toks[i].sense.weekday; wd > 0 && (len(w) > 4 || a.word(i-1) == "on" || a.word(i-1) == "last") {
			back := (int(now.Weekday()) - (wd - 1) + 7) % 7
			from := i
			if a.word(i-1) == "last" {
				from = i - 1
				if back == 0 {
					back = 7
				}
			}
			d := addDays(now, -back)
			a.setDate(d)
			a.setPeriod(dayPeriod(d, ""))
			a.use(from, i+1)
			continue
		}

		// Months: "in March", "March 2025", "since January", "March 3", "3 March".
		if m, from, to, ok := a.monthAt(i); ok {
			prev := a.word(from - 1)
			if d, n := a.dayOfMonth(to); n > 0 { // "March 3rd"
				a.dayInMonth(m, d, from, to+n)
				continue
			}
			y, explicit := a.year(to)
			if !explicit {
				y = recentMonth(now, m, prev == "last")
			} else {
				to++
			}
			if prev == "last" {
				from--
			}
			if prev == "since" {
				p := monthPeriod(y, m, now.Location(), "")
				a.setPeriod(&Period{From: p.From, To: addDays(now, 1), Label: "since " + p.Label})
			} else {
				a.setPeriod(monthPeriod(y, m, now.Location(), ""))
				a.namedMonth = a.periods == 1
			}
			a.use(from, to)
			i = to - 1
			continue
		}
		// "3 March", "3rd of March".
		if d, n := a.dayOfMonth(i); n > 0 {
			j := i + n
			if a.word(j) == "of" {
				j++
			}
			if m, _, to, ok := a.monthAt(j); ok {
				a.dayInMonth(m, d, i, to)
				continue
			}
		}
		// Years: "in 2025", "since 2024". An ISO date: 2026-03-14.
		if y, ok := a.year(i); ok {
			if a.sym(i+1) == "-" && a.sym(i+3) == "-" {
				if mm, ok := a.count(i + 2); ok && mm <= 12 {
					if dd, n := a.dayOfMonth(i + 4); n > 0 {
						d := time.Date(y, time.Month(mm), dd, 0, 0, 0, 0, now.Location())
						a.setDate(d)
						a.setPeriod(dayPeriod(d, ""))
						a.use(i, i+5)
						continue
					}
				}
			}
			switch a.word(i - 1) {
			case "in", "for", "during", "of", "since":
				if a.word(i-1) == "since" {
					p := yearPeriod(y, now.Location(), "")
					p.To = addDays(now, 1)
					p.Label = "since " + fmt.Sprint(y)
					a.setPeriod(p)
				} else {
					a.setPeriod(yearPeriod(y, now.Location(), ""))
				}
				a.use(i, i+1)
				continue
			}
		}
	}
}

// monthAt reads a month name at token i. "may", "mar", "jun" and the like
// need a preposition before them or a number after them. It returns the
// month and the tokens [from, to) it spans.
func (a *analysis) monthAt(i int) (time.Month, int, int, bool) {
	if i >= len(a.toks) || a.toks[i].kind != kWord || a.toks[i].used || a.toks[i].sense.month == 0 {
		return 0, 0, 0, false
	}
	m := a.toks[i].sense.month
	if w := a.toks[i].text; len(w) <= 4 && w != "june" && w != "july" {
		switch a.word(i - 1) {
		case "in", "for", "during", "since", "of", "from", "last", "this", "through", "until",
			"till", "before", "after":
		default:
			_, n := a.dayOfMonth(i + 1)
			if _, ok := a.year(i + 1); n == 0 && !ok && (w == "may" || !a.lastWord(i)) {
				return 0, 0, 0, false
			}
		}
	}
	return m, i, i + 1, true
}

// lastWord reports whether token i is the message's last word or number:
// "total groceries jan" ends on its month.
func (a *analysis) lastWord(i int) bool {
	for k := i + 1; k < len(a.toks); k++ {
		if a.toks[k].kind != kSym {
			return false
		}
	}
	return true
}

// dayInMonth records a date such as "March 3": the most recent one not in
// the future.
func (a *analysis) dayInMonth(m time.Month, d, from, to int) {
	now := a.now
	y, explicit := a.year(to)
	if explicit {
		to++
	}
	t := time.Date(now.Year(), m, d, 0, 0, 0, 0, now.Location())
	if !explicit && t.After(now) {
		t = t.AddDate(-1, 0, 0)
	}
	if explicit {
		t = time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	}
	a.setDate(t)
	a.setPeriod(dayPeriod(t, ""))
	a.use(from, to)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
