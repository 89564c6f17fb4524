// Package contextengine assembles what the assistant should know for one
// message, in five phases (retrieve, integrate, generate, highlight,
// transfer), within a token budget.
//
// It is a port of the original EnhancedContextEngine (tools.md §3) without
// its defects: recency favours the newest exchange, conflict resolution
// only merges snippets stating the same fact, the core context is never
// empty when something was retrieved, and no snippet is ever invented: every
// line comes from one of the user's own rows.
package contextengine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Store is what the engine reads: the user-scoped local store.
type Store interface {
	schema.Reader
}

// Sources of snippets.
const (
	SourceProfile        = "profile"
	SourceUserContext    = "user_context"
	SourceUpcoming       = "upcoming"
	SourceMemory         = "memory"
	SourceRecommendation = "recommendations"
	SourceMaintenance    = "maintenance"
)

// Snippet is one fact taken from the user's data.
type Snippet struct {
	Source   string
	Category string
	Content  string
	Score    float64
	At       time.Time
	// Key names the fact the snippet states: two snippets with the same key
	// are two values of one fact, and only the newest is kept.
	Key string
	// Relevant marks a snippet sharing at least two words with the message.
	Relevant bool
}

// Context is the assembled context for one message.
type Context struct {
	Text     string    // the block to put in the system prompt
	Snippets []Snippet // what was kept, best first
	Tokens   int       // Tokens(Text), the chat's estimate
	Dropped  int       // snippets retrieved but left out (over budget or past MaxSnippets)
}

// Engine builds contexts from a store.
type Engine struct {
	Store Store
	Now   func() time.Time
}

// Tuning.
const (
	// MaxSnippets is the size of the core context.
	MaxSnippets = 20
	// Horizon is how far ahead trips and maintenance count as upcoming.
	Horizon = 30 * 24 * time.Hour
	// MemoryTurns is how many past exchanges are read.
	MemoryTurns = 10
	// maxSnippetBytes caps one snippet's text, cut at a word boundary.
	maxSnippetBytes = 400
)

// Source weights (phase 3).
var sourceWeight = map[string]float64{
	SourceProfile:        0.9,
	SourceUserContext:    0.85,
	SourceUpcoming:       0.8,
	SourceMaintenance:    0.75,
	SourceMemory:         0.7,
	SourceRecommendation: 0.6,
}

// Relevance floors: the share of the relevance a snippet gets with no word
// in common with the message, so profile basics always rank.
var relevanceFloor = map[string]float64{
	SourceProfile:        0.6,
	SourceUserContext:    0.45,
	SourceUpcoming:       0.45,
	SourceMaintenance:    0.4,
	SourceMemory:         0.35,
	SourceRecommendation: 0.3,
}

// sourceRank orders sources for deterministic ties.
var sourceRank = map[string]int{
	SourceProfile: 0, SourceUserContext: 1, SourceUpcoming: 2,
	SourceMaintenance: 3, SourceMemory: 4, SourceRecommendation: 5,
}

// Tokens is the chat's token estimate of a text: a token per 3 bytes.
func Tokens(s string) int {
	if s == "" {
		return 0
	}
	return (len(s) + 2) / 3
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// Build assembles the context of message for user within budget tokens.
// A user with no data gets an empty context and no error.
func (e *Engine) Build(ctx context.Context, user, message string, budget int) (Context, error) {
	if user == "" || e.Store == nil {
		return Context{}, nil
	}
	now := e.now()
	// Phase 1: retrieve.
	snips, err := e.retrieve(ctx, user, now)
	if err != nil {
		return Context{}, err
	}
	if len(snips) == 0 {
		return Context{}, nil
	}
	// Phase 2: integrate.
	snips = integrate(snips)
	// Phase 3: generate.
	msgWords := words(message)
	boost := hasTravelKeyword(msgWords)
	for i := range snips {
		s := &snips[i]
		s.Score = sourceWeight[s.Source] * relevance(s.Source, msgWords, words(s.Content), boost) * s.Score * decay(s.Source, now.Sub(s.At))
	}
	sortSnippets(snips)
	dropped := 0
	if len(snips) > MaxSnippets {
		dropped = len(snips) - MaxSnippets
		snips = snips[:MaxSnippets]
	}
	// Phase 4: highlight.
	for i := range snips {
		snips[i].Relevant = shared(msgWords, words(snips[i].Content)) >= 2
	}
	// Phase 5: transfer.
	var kept []Snippet
	text := ""
	for _, s := range snips {
		next := render(append(kept[:len(kept):len(kept)], s))
		if Tokens(next) > budget {
			dropped++
			continue
		}
		kept = append(kept, s)
		text = next
	}
	return Context{Text: text, Snippets: kept, Tokens: Tokens(text), Dropped: dropped}, nil
}

// ------------------------------------------------------------ phase 1

func (e *Engine) retrieve(ctx context.Context, user string, now time.Time) ([]Snippet, error) {
	var out []Snippet
	for _, f := range []func(context.Context, string, time.Time) ([]Snippet, error){
		e.profile, e.userContext, e.memory, e.trips, e.recommendations, e.maintenance,
	} {
		s, err := f(ctx, user, now)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	// The retrieval score is the source-specific prior (recency of memory);
	// phase 3 multiplies it by weight, relevance and decay.
	for i := range out {
		if out[i].Score == 0 {
			out[i].Score = 1
		}
		out[i].Content = clip(out[i].Content, maxSnippetBytes)
	}
	return out, nil
}

func (e *Engine) profile(ctx context.Context, user string, _ time.Time) ([]Snippet, error) {
	row, err := e.Store.Get(ctx, user, "profiles", user)
	if err != nil {
		if c := schema.ErrorCode(err); c == schema.ENOTFOUND || c == schema.EFORBIDDEN {
			return nil, nil
		}
		return nil, fmt.Errorf("context: read profile: %w", err)
	}
	at := rowTime(row, "updated_at", "created_at")
	var out []Snippet
	add := func(key, label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, Snippet{Source: SourceProfile, Category: key, Key: "profile." + key, Content: label + ": " + value, At: at})
		}
	}
	add("units", "Units", row.Text("units"))
	add("currency", "Currency", row.Text("currency"))
	vehicle := joinNonEmpty(" ", row.Text("vehicle_type"), row.Text("vehicle_make_model"))
	var extra []string
	if f := row.Text("fuel_type"); f != "" {
		extra = append(extra, "fuel "+f)
	}
	if t := row.Text("towing"); t != "" {
		extra = append(extra, "towing "+t)
	}
	if len(extra) > 0 {
		vehicle = joinNonEmpty(", ", vehicle, strings.Join(extra, ", "))
	}
	add("vehicle", "Vehicle", vehicle)
	add("travel_style", "Travel style", render1(row["travel_style"]))
	add("region", "Region", row.Text("region"))
	add("budget_range", "Budget range", row.Text("budget_range"))
	add("camp_types", "Camp types", row.Text("camp_types"))
	add("timezone", "Time zone", row.Text("timezone"))
	return out, nil
}

// userContext turns learned preferences into one snippet per preference.
func (e *Engine) userContext(ctx context.Context, user string, now time.Time) ([]Snippet, error) {
	res, err := e.Store.Find(ctx, user, "pam_user_context", schema.Query{
		Order: []schema.Order{{Column: "updated_at", Desc: true}}, Limit: 50})
	if err != nil {
		return nil, fmt.Errorf("context: read user context: %w", err)
	}
	var out []Snippet
	for _, row := range res.Rows {
		if exp, ok := schema.AsTime(row["expires_at"]); ok && !exp.After(now) {
			continue
		}
		at := rowTime(row, "last_updated", "updated_at", "created_at")
		for _, col := range []struct{ name, label string }{
			{"learned_preferences", "Preference"},
			{"travel_preferences", "Travel preference"},
			{"vehicle_info", "Vehicle"},
			{"context_data", "Context"},
		} {
			for _, kv := range objectEntries(row[col.name]) {
				out = append(out, Snippet{
					Source: SourceUserContext, Category: col.name, Key: col.name + "." + strings.ToLower(kv.key),
					Content: col.label + " — " + humanize(kv.key) + ": " + kv.value, At: at,
				})
			}
		}
		if s := row.Text("preferred_response_style"); s != "" {
			out = append(out, Snippet{Source: SourceUserContext, Category: "response_style", Key: "preferred_response_style",
				Content: "Preferred response style: " + s, At: at})
		}
	}
	return out, nil
}

// memory reads the user's last exchanges, newest first; the newest weighs 1.
func (e *Engine) memory(ctx context.Context, user string, _ time.Time) ([]Snippet, error) {
	res, err := e.Store.Find(ctx, user, "pam_memory", schema.Query{
		Order: []schema.Order{{Column: "timestamp", Desc: true}}, Limit: MemoryTurns})
	if err != nil {
		return nil, fmt.Errorf("context: read memory: %w", err)
	}
	var out []Snippet
	for i, row := range res.Rows {
		m, r := oneLine(row.Text("message")), oneLine(row.Text("response"))
		content := oneLine(row.Text("content"))
		if m != "" && r != "" {
			content = "User: " + m + " — PAM: " + r
		} else if m != "" {
			content = "User: " + m
		}
		if content == "" {
			continue
		}
		out = append(out, Snippet{Source: SourceMemory, Category: "conversation", Key: "memory." + row.Text("id"),
			Content: content, At: rowTime(row, "timestamp", "created_at"), Score: 1 - 0.05*float64(i)})
	}
	return out, nil
}

// trips reads trips under way or starting within the horizon.
func (e *Engine) trips(ctx context.Context, user string, now time.Time) ([]Snippet, error) {
	res, err := e.Store.Find(ctx, user, "calendar_events", schema.Query{
		Conditions: []schema.Condition{
			{Column: "event_type", Op: schema.OpEq, Value: "trip"},
			{Column: "end_date", Op: schema.OpGte, Value: schema.FormatTimestamp(now)},
			{Column: "start_date", Op: schema.OpLte, Value: schema.FormatTimestamp(now.Add(Horizon))},
		},
		Order: []schema.Order{{Column: "start_date"}}, Limit: 10})
	if err != nil {
		return nil, fmt.Errorf("context: read trips: %w", err)
	}
	var out []Snippet
	for _, row := range res.Rows {
		start, _ := schema.AsTime(row["start_date"])
		end, _ := schema.AsTime(row["end_date"])
		c := "Trip: " + row.Text("title")
		if l := row.Text("location_name"); l != "" {
			c += " (" + l + ")"
		}
		c += ", " + start.Format("Mon 2 Jan") + " to " + end.Format("Mon 2 Jan 2006")
		if d := oneLine(row.Text("description")); d != "" {
			c += " — " + d
		}
		out = append(out, Snippet{Source: SourceUpcoming, Category: "trip", Key: "trip." + row.Text("id"), Content: c, At: start})
	}
	return out, nil
}

// recommendations reads the active ones: not dismissed, not expired.
func (e *Engine) recommendations(ctx context.Context, user string, now time.Time) ([]Snippet, error) {
	res, err := e.Store.Find(ctx, user, "active_recommendations", schema.Query{
		Conditions: []schema.Condition{{Column: "dismissed", Op: schema.OpEq, Value: int64(0)}},
		Order:      []schema.Order{{Column: "created_at", Desc: true}}, Limit: 20})
	if err != nil {
		return nil, fmt.Errorf("context: read recommendations: %w", err)
	}
	var out []Snippet
	for _, row := range res.Rows {
		if b, _ := row["dismissed"].(bool); b {
			continue
		}
		if exp, ok := schema.AsTime(row["expires_at"]); ok && !exp.After(now) {
			continue
		}
		c := "Recommendation: " + row.Text("title")
		if d := oneLine(row.Text("description")); d != "" {
			c += " — " + d
		}
		key := "recommendation." + row.Text("id")
		if k := row.Text("source_data_id"); k != "" {
			key = "recommendation." + k
		}
		out = append(out, Snippet{Source: SourceRecommendation, Category: row.Text("category"), Key: key, Content: c,
			At: rowTime(row, "updated_at", "created_at")})
	}
	return out, nil
}

// maintenance reads the tasks due within the horizon or overdue.
func (e *Engine) maintenance(ctx context.Context, user string, now time.Time) ([]Snippet, error) {
	res, err := e.Store.Find(ctx, user, "maintenance_records", schema.Query{
		Conditions: []schema.Condition{{Column: "next_due_date", Op: schema.OpLte, Value: schema.FormatDate(now.Add(Horizon))}},
		Order:      []schema.Order{{Column: "next_due_date"}}, Limit: 20})
	if err != nil {
		return nil, fmt.Errorf("context: read maintenance: %w", err)
	}
	today := now.Truncate(24 * time.Hour)
	var out []Snippet
	for _, row := range res.Rows {
		due, ok := schema.AsTime(row["next_due_date"])
		if !ok {
			continue
		}
		days := int(due.Sub(today).Hours() / 24)
		c := "Maintenance: " + row.Text("task") + " due " + due.Format("2006-01-02")
		switch {
		case days < 0:
			c += fmt.Sprintf(" (overdue by %d days)", -days)
		case days == 0:
			c += " (today)"
		default:
			c += fmt.Sprintf(" (in %d days)", days)
		}
		done, _ := schema.AsTime(row["date"])
		out = append(out, Snippet{Source: SourceMaintenance, Category: "maintenance",
			Key: "maintenance." + strings.ToLower(strings.TrimSpace(row.Text("task"))), Content: c, At: done})
	}
	return out, nil
}

// ------------------------------------------------------------ phase 2

// integrate dedupes identical content and keeps the newest value of each
// fact key. Different keys (different exchanges, different preferences)
// never collapse.
func integrate(in []Snippet) []Snippet {
	sorted := append([]Snippet(nil), in...)
	// Newest first, then deterministic.
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		if sourceRank[a.Source] != sourceRank[b.Source] {
			return sourceRank[a.Source] < sourceRank[b.Source]
		}
		return a.Content < b.Content
	})
	seenKey := map[string]bool{}
	seenText := map[string]bool{}
	var out []Snippet
	for _, s := range sorted {
		norm := strings.ToLower(strings.Join(strings.Fields(s.Content), " "))
		if s.Key != "" && seenKey[s.Key] || seenText[norm] {
			continue
		}
		seenKey[s.Key] = true
		seenText[norm] = true
		out = append(out, s)
	}
	return out
}

// decay lowers observations by age. Standing facts (profile, upcoming
// trips, maintenance due) do not age.
func decay(source string, age time.Duration) float64 {
	switch source {
	case SourceMemory, SourceUserContext, SourceRecommendation:
	default:
		return 1
	}
	switch {
	case age < time.Hour:
		return 1
	case age < 24*time.Hour:
		return 0.9
	case age < 7*24*time.Hour:
		return 0.8
	case age < 30*24*time.Hour:
		return 0.65
	default:
		return 0.5
	}
}

// ------------------------------------------------------------ phase 3

var travelKeywords = []string{"trip", "travel", "route", "camping", "camp", "rv", "vehicle", "budget", "plan"}

func hasTravelKeyword(msg map[string]bool) bool {
	for _, k := range travelKeywords {
		if msg[k] {
			return true
		}
	}
	return false
}

// relevance is the keyword overlap with the message (boosted for travel
// questions, capped at 1), lifted by the source's floor.
func relevance(source string, msg, snip map[string]bool, boost bool) float64 {
	overlap := 0.0
	if len(msg) > 0 {
		overlap = float64(shared(msg, snip)) / float64(len(msg))
	}
	if boost {
		overlap *= 1.2
	}
	overlap = min(overlap, 1)
	floor := relevanceFloor[source]
	return floor + (1-floor)*overlap
}

func sortSnippets(s []Snippet) {
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if sourceRank[a.Source] != sourceRank[b.Source] {
			return sourceRank[a.Source] < sourceRank[b.Source]
		}
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		return a.Content < b.Content
	})
}

// stopwords are the words that say nothing of what a message is about; a
// read-only set, built once without an init function.
var stopwords = wordSet(`a an and are as at be but by can could do does did for from had has have
		he her his how i if in into is it its me my of on or our she should so than that the their them then there
		these they this to too up us was we were what when where which who why will with would you your yours
		am any all about pam user please just also not no yes get got some`)

// wordSet is the set of the words of list.
func wordSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}

// words is the set of content words of s, lower-cased, with a plural s dropped.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if len(w) < 2 || stopwords[w] {
			continue
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		out[w] = true
	}
	return out
}

func shared(a, b map[string]bool) int {
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return n
}

// ------------------------------------------------------------ phase 5

// sections in the order they are rendered.
var sections = []string{"Profile", "Relevant now", "Upcoming", "Recent conversation"}

func section(s Snippet) string {
	if s.Relevant {
		return "Relevant now"
	}
	switch s.Source {
	case SourceProfile, SourceUserContext:
		return "Profile"
	case SourceMemory:
		return "Recent conversation"
	default:
		return "Upcoming"
	}
}

// render writes the kept snippets (best first) under their sections.
func render(kept []Snippet) string {
	if len(kept) == 0 {
		return ""
	}
	by := map[string][]string{}
	for _, s := range kept {
		sec := section(s)
		by[sec] = append(by[sec], s.Content)
	}
	var b strings.Builder
	b.WriteString("What you know about this user (from their own data):\n")
	for _, sec := range sections {
		lines := by[sec]
		if len(lines) == 0 {
			continue
		}
		b.WriteString("\n" + sec + ":\n")
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
	}
	return b.String()
}

// ------------------------------------------------------------ helpers

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip cuts s to at most n bytes at a word boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n-len(" …")+1], ' ')
	if cut <= 0 {
		cut = n - len(" …")
		for cut > 0 && s[cut]&0xC0 == 0x80 { // not mid-rune
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ") + " …"
}

func rowTime(row schema.Row, cols ...string) time.Time {
	for _, c := range cols {
		if t, ok := row.Time(c); ok {
			return t
		}
	}
	return time.Time{}
}
