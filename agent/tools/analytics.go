package tools

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Analytics rules of tools.md §2 (tools 10–14).
const (
	// AnalyticsVersion and AnalyticsSource are the metadata of every
	// event pam_log_analytics_event writes.
	AnalyticsVersion = "1.0"
	AnalyticsSource  = "pam_tools"
	// ErrorRateWarnPercent: an error rate above this share of the recent
	// logs is a performance warning.
	ErrorRateWarnPercent = 5.0
	// InsightLogWindow is how many of the caller's latest logs the
	// insights read.
	InsightLogWindow = 100
	// TrendDays is the window of the trends insight, ending today.
	TrendDays = 14
	// TrendChangePercent: the second week's events differing from the
	// first's by more than this share is a rising or falling trend.
	TrendChangePercent = 10.0
	// MaxSummaryDays bounds the range of an analytics summary.
	MaxSummaryDays = 366
)

type logEventArgs struct {
	EventType string         `json:"event_type" schema:"required,minLength=1,maxLength=64" desc:"kind of event, e.g. tool_usage, query_performance, user_interaction, error"`
	EventData map[string]any `json:"event_data,omitempty" schema:"maxProperties=100" desc:"details of the event; for tool_usage give tool_name; an error key marks an error"`
	SessionID string         `json:"session_id,omitempty" schema:"maxLength=128" desc:"the chat session the event belongs to"`
}

type dailyArgs struct {
	TargetDate string `json:"target_date,omitempty" schema:"format=date" desc:"the day to aggregate, YYYY-MM-DD in the user's time zone; defaults to yesterday"`
}

type summaryRangeArgs struct {
	StartDate   string `json:"start_date,omitempty" schema:"format=date" desc:"first day, YYYY-MM-DD; defaults to 7 (weekly) or 30 (monthly) days before end_date"`
	EndDate     string `json:"end_date,omitempty" schema:"format=date" desc:"last day, YYYY-MM-DD; defaults to yesterday"`
	SummaryType string `json:"summary_type,omitempty" schema:"enum=weekly|monthly|custom,default=weekly"`
}

func (a *summaryRangeArgs) check(Call) []schema.FieldError {
	if a.SummaryType == "custom" && (a.StartDate == "" || a.EndDate == "") {
		return []schema.FieldError{{Field: "start_date", Reason: "a custom summary needs start_date and end_date"}}
	}
	if a.StartDate != "" && a.EndDate != "" {
		if a.EndDate < a.StartDate {
			return []schema.FieldError{{Field: "end_date", Reason: "must not be before start_date"}}
		}
		if daysBetween(a.StartDate, a.EndDate) >= MaxSummaryDays {
			return []schema.FieldError{{Field: "end_date", Reason: "a summary covers at most 366 days"}}
		}
	}
	return nil
}

type recommendationArgs struct {
	Title              string         `json:"title" schema:"required,minLength=1,maxLength=200"`
	Description        string         `json:"description,omitempty" schema:"maxLength=2000"`
	Category           string         `json:"category,omitempty" schema:"maxLength=64" desc:"e.g. trip, maintenance, budget"`
	RecommendationType string         `json:"recommendation_type,omitempty" schema:"maxLength=64"`
	PriorityLevel      string         `json:"priority_level,omitempty" schema:"enum=low|medium|high|urgent,default=medium"`
	ExpiresAt          string         `json:"expires_at,omitempty" schema:"format=date-time" desc:"when the recommendation stops applying, RFC 3339"`
	Content            map[string]any `json:"content,omitempty" schema:"maxProperties=100" desc:"the recommendation's details, kept in its metadata"`
}

func (a *recommendationArgs) check(c Call) []schema.FieldError {
	if strings.TrimSpace(a.Title) == "" {
		return []schema.FieldError{{Field: "title", Reason: "must not be blank"}}
	}
	if a.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339Nano, a.ExpiresAt)
		if err == nil && !t.After(c.Now) {
			return []schema.FieldError{{Field: "expires_at", Reason: "must be in the future"}}
		}
	}
	return nil
}

type insightArgs struct {
	InsightType string `json:"insight_type,omitempty" schema:"enum=general|user|performance|trends,default=general" desc:"general gives all three of user, performance and trends"`
}

func registerAnalytics(r *Registry) {
	an := &analytics{s: r.store}
	register(r, "pam_log_analytics_event", CategoryAnalytics,
		"Log an analytics event (event_type, event_data, optional session_id) for the user, with metadata {version 1.0, source pam_tools}.",
		true, false, an.logEvent)
	register(r, "pam_generate_daily_analytics", CategoryAnalytics,
		"Compute one day's usage (default yesterday, in the user's time zone) from the user's analytics logs: total events, unique sessions, counts per event type, a 24-hour histogram, per-tool usage and errors.",
		false, false, an.daily)
	register(r, "pam_generate_analytics_summary", CategoryAnalytics,
		"Roll up the user's analytics logs day by day over a range (weekly, monthly or custom): totals, errors, per-type and per-tool counts, unique sessions, the peak day and per-day averages.",
		false, false, an.summary)
	register(r, "pam_create_recommendation", CategoryAnalytics,
		"Create an active recommendation for the user: title, description, category, type, priority (low/medium/high/urgent, default medium), optional expiry and content.",
		true, false, an.recommend)
	register(r, "pam_get_analytics_insights", CategoryAnalytics,
		"Insights from the user's analytics logs: error rate of the last 100 events against the 5 % warning threshold, the most common event type, the most used tool, and events per day over the last 14 days with the trend.",
		false, false, an.insights)
}

type analytics struct{ s Store }

// jsonObject reads a JSON API value as an object; anything else is nil.
func jsonObject(v any) schema.Row {
	var raw []byte
	switch x := v.(type) {
	case map[string]any:
		return x
	case json.RawMessage:
		raw = x
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	default:
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m schema.Row
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

// isErrorEvent: an event of type "error", with event_data.error set, or
// flagged has_error.
func isErrorEvent(eventType string, data map[string]any, hasError bool) bool {
	if hasError || eventType == "error" {
		return true
	}
	e, ok := data["error"]
	return ok && e != nil && e != false && e != ""
}

// logTime is when a log happened: its timestamp, else its created_at.
func logTime(row schema.Row) (time.Time, bool) {
	s := row.Text("timestamp")
	if s == "" {
		s = row.Text("created_at")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func (an *analytics) logEvent(ctx context.Context, c Call, a logEventArgs) (any, error) {
	data := a.EventData
	if data == nil {
		data = map[string]any{}
	}
	local := c.Now
	row := schema.Row{
		"event_type":  strings.TrimSpace(a.EventType),
		"event_data":  data,
		"metadata":    map[string]any{"version": AnalyticsVersion, "source": AnalyticsSource},
		"timestamp":   schema.FormatTimestamp(c.Now),
		"hour_of_day": int64(local.Hour()),
		"day_of_week": int64(local.Weekday()),
		"is_weekend":  local.Weekday() == time.Saturday || local.Weekday() == time.Sunday,
		"has_error":   isErrorEvent(strings.TrimSpace(a.EventType), data, false),
	}
	if s := strings.TrimSpace(a.SessionID); s != "" {
		row["session_id"] = s
	}
	out, err := an.s.Create(ctx, c.User, "pam_analytics_logs", row)
	if err != nil {
		return nil, err
	}
	return map[string]any{"logged": true, "event": out}, nil
}

// dayAnalytics is one day of the user's analytics logs.
type dayAnalytics struct {
	Date               string         `json:"date"`
	TotalEvents        int            `json:"total_events"`
	UniqueSessions     int            `json:"unique_sessions"`
	EventTypes         map[string]int `json:"event_types"`
	HourlyDistribution [24]int        `json:"hourly_distribution"`
	ToolUsage          map[string]int `json:"tool_usage"`
	ErrorCount         int            `json:"error_count"`
	ErrorRate          *float64       `json:"error_rate_percent"`
	sessions           map[string]bool
}

func newDay(date string) *dayAnalytics {
	return &dayAnalytics{Date: date, EventTypes: map[string]int{}, ToolUsage: map[string]int{}, sessions: map[string]bool{}}
}

// add counts one log happening at local time t.
func (d *dayAnalytics) add(row schema.Row, t time.Time) {
	typ := row.Text("event_type")
	data := jsonObject(row["event_data"])
	d.TotalEvents++
	d.EventTypes[typ]++
	d.HourlyDistribution[t.Hour()]++
	if s := row.Text("session_id"); s != "" {
		d.sessions[s] = true
	}
	if typ == "tool_usage" {
		if name := strings.TrimSpace(data.Text("tool_name")); name != "" {
			d.ToolUsage[name]++
		}
	}
	hasErr, _ := row["has_error"].(bool)
	if isErrorEvent(typ, data, hasErr) {
		d.ErrorCount++
	}
}

func (d *dayAnalytics) finish() {
	d.UniqueSessions = len(d.sessions)
	d.ErrorRate = percent(int64(d.ErrorCount), int64(d.TotalEvents))
}

// dayStart is midnight of day in loc.
func dayStart(day string, loc *time.Location) time.Time {
	t, _ := parseDay(day)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// days aggregates the user's logs from start to end (dates in c's zone,
// both included) per day; every day of the range has an entry. It also
// answers the sessions seen over the whole range.
func (an *analytics) days(ctx context.Context, c Call, start, end string) ([]*dayAnalytics, map[string]bool, error) {
	loc := c.Now.Location()
	from, to := dayStart(start, loc), dayStart(end, loc).AddDate(0, 0, 1)
	var out []*dayAnalytics
	byDate := map[string]*dayAnalytics{}
	for d := start; d <= end; d = addDays(d, 1) {
		day := newDay(d)
		out = append(out, day)
		byDate[d] = day
	}
	all := map[string]bool{}
	q := schema.Query{Conditions: []schema.Condition{
		cond("timestamp", schema.OpGte, schema.FormatTimestamp(from)),
		cond("timestamp", schema.OpLt, schema.FormatTimestamp(to)),
	}}
	err := an.s.Each(ctx, c.User, "pam_analytics_logs", q, func(row schema.Row) error {
		t, ok := logTime(row)
		if !ok {
			return nil
		}
		t = t.In(loc)
		day := byDate[t.Format(schema.DateLayout)]
		if day == nil {
			return nil
		}
		day.add(row, t)
		if s := row.Text("session_id"); s != "" {
			all[s] = true
		}
		return nil
	})
	for _, d := range out {
		d.finish()
	}
	return out, all, err
}

// dailyAnalytics is pam_generate_daily_analytics's answer.
type dailyAnalytics struct {
	dayAnalytics
	TimeZone    string `json:"time_zone"`
	LogCount    int    `json:"log_count"`
	GeneratedAt string `json:"generated_at"`
	// Stored is always false: analytics_daily is written centrally.
	Stored bool   `json:"stored"`
	Note   string `json:"note"`
}

func (an *analytics) daily(ctx context.Context, c Call, a dailyArgs) (any, error) {
	day := a.TargetDate
	if day == "" {
		day = addDays(c.today(), -1)
	}
	days, _, err := an.days(ctx, c, day, day)
	if err != nil {
		return nil, err
	}
	d := days[0]
	return dailyAnalytics{dayAnalytics: *d, TimeZone: c.Now.Location().String(), LogCount: d.TotalEvents,
		GeneratedAt: schema.FormatTimestamp(c.Now),
		Note:        "computed from your own analytics logs; analytics_daily is written centrally, so nothing was stored"}, nil
}

// peakDay is the day with the most events.
type peakDay struct {
	Date   string `json:"date"`
	Events int    `json:"events"`
}

// analyticsSummary is pam_generate_analytics_summary's answer.
type analyticsSummary struct {
	SummaryType    string         `json:"summary_type"`
	Period         Period         `json:"period"`
	TimeZone       string         `json:"time_zone"`
	TotalEvents    int            `json:"total_events"`
	TotalErrors    int            `json:"total_errors"`
	ErrorRate      *float64       `json:"error_rate_percent"`
	UniqueSessions int            `json:"unique_sessions"`
	EventTypes     map[string]int `json:"event_types"`
	ToolUsage      map[string]int `json:"tool_usage"`
	PeakDay        *peakDay       `json:"peak_day"`
	DaysWithEvents int            `json:"days_with_events"`
	Averages       struct {
		EventsPerDay   float64 `json:"events_per_day"`
		ErrorsPerDay   float64 `json:"errors_per_day"`
		SessionsPerDay float64 `json:"sessions_per_day"`
	} `json:"averages_per_day"`
	Days        []*dayAnalytics `json:"days"`
	GeneratedAt string          `json:"generated_at"`
	Stored      bool            `json:"stored"`
}

func (an *analytics) summary(ctx context.Context, c Call, a summaryRangeArgs) (any, error) {
	typ := cmp.Or(a.SummaryType, "weekly")
	end := a.EndDate
	if end == "" {
		end = addDays(c.today(), -1)
		if a.StartDate != "" && a.StartDate > end {
			end = a.StartDate
		}
	}
	start := a.StartDate
	if start == "" {
		span := 7
		if typ == "monthly" {
			span = 30
		}
		start = addDays(end, -(span - 1))
	}
	if end < start || daysBetween(start, end) >= MaxSummaryDays {
		return nil, argError("pam_generate_analytics_summary", []schema.FieldError{{Field: "end_date", Reason: "must be on or after start_date, within 366 days"}})
	}
	days, sessions, err := an.days(ctx, c, start, end)
	if err != nil {
		return nil, err
	}
	out := analyticsSummary{SummaryType: typ, Period: period(start, end), TimeZone: c.Now.Location().String(),
		EventTypes: map[string]int{}, ToolUsage: map[string]int{}, Days: days, UniqueSessions: len(sessions),
		GeneratedAt: schema.FormatTimestamp(c.Now)}
	dailySessions := 0
	for _, d := range days {
		out.TotalEvents += d.TotalEvents
		out.TotalErrors += d.ErrorCount
		dailySessions += d.UniqueSessions
		for k, v := range d.EventTypes {
			out.EventTypes[k] += v
		}
		for k, v := range d.ToolUsage {
			out.ToolUsage[k] += v
		}
		if d.TotalEvents > 0 {
			out.DaysWithEvents++
			if out.PeakDay == nil || d.TotalEvents > out.PeakDay.Events {
				out.PeakDay = &peakDay{Date: d.Date, Events: d.TotalEvents}
			}
		}
	}
	out.ErrorRate = percent(int64(out.TotalErrors), int64(out.TotalEvents))
	n := float64(out.Period.Days)
	out.Averages.EventsPerDay = round(float64(out.TotalEvents)/n, 2)
	out.Averages.ErrorsPerDay = round(float64(out.TotalErrors)/n, 2)
	out.Averages.SessionsPerDay = round(float64(dailySessions)/n, 2)
	return out, nil
}

func (an *analytics) recommend(ctx context.Context, c Call, a recommendationArgs) (any, error) {
	meta := map[string]any{"source": AnalyticsSource, "status": "active"}
	if a.Content != nil {
		meta["content"] = a.Content
	}
	row := schema.Row{
		"title":          strings.TrimSpace(a.Title),
		"priority_level": cmp.Or(a.PriorityLevel, "medium"),
		"metadata":       meta,
		"dismissed":      false,
	}
	for k, v := range map[string]string{"description": a.Description, "category": a.Category,
		"recommendation_type": a.RecommendationType, "expires_at": a.ExpiresAt} {
		if v = strings.TrimSpace(v); v != "" {
			row[k] = v
		}
	}
	out, err := an.s.Create(ctx, c.User, "active_recommendations", row)
	if err != nil {
		return nil, err
	}
	return map[string]any{"created": true, "status": "active", "recommendation": out}, nil
}

// namedCount is a named count.
type namedCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// topOf is the largest count, ties broken by name; nil for none.
func topOf(m map[string]int) *namedCount {
	var best *namedCount
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if best == nil || m[k] > best.Count {
			best = &namedCount{Name: k, Count: m[k]}
		}
	}
	return best
}

// performanceInsight is the error rate of the latest logs.
type performanceInsight struct {
	LogsAnalysed     int         `json:"logs_analysed"`
	Errors           int         `json:"errors"`
	ErrorRate        *float64    `json:"error_rate_percent"`
	ThresholdPercent float64     `json:"warning_threshold_percent"`
	Warning          bool        `json:"warning"`
	MostUsedTool     *namedCount `json:"most_used_tool"`
	Message          string      `json:"message"`
}

// userInsight is what the user's latest logs are mostly about.
type userInsight struct {
	LogsAnalysed    int            `json:"logs_analysed"`
	MostCommonEvent *namedCount    `json:"most_common_event_type"`
	EventTypes      map[string]int `json:"event_types"`
	Message         string         `json:"message"`
}

// trendInsight is events per day over the last TrendDays days.
type trendInsight struct {
	Period  Period       `json:"period"`
	Days    []namedCount `json:"events_per_day"`
	Total   int          `json:"total_events"`
	Earlier int          `json:"first_week_events"`
	Later   int          `json:"second_week_events"`
	Change  *float64     `json:"change_percent"`
	// Direction is increasing, decreasing, stable or no_activity.
	Direction string `json:"direction"`
	Message   string `json:"message"`
}

// analyticsInsights is pam_get_analytics_insights's answer.
type analyticsInsights struct {
	InsightType string              `json:"insight_type"`
	Performance *performanceInsight `json:"performance,omitempty"`
	User        *userInsight        `json:"user,omitempty"`
	Trends      *trendInsight       `json:"trends,omitempty"`
}

func (an *analytics) insights(ctx context.Context, c Call, a insightArgs) (any, error) {
	typ := cmp.Or(a.InsightType, "general")
	out := analyticsInsights{InsightType: typ}
	if typ != "trends" {
		res, err := an.s.Find(ctx, c.User, "pam_analytics_logs", schema.Query{
			Order: []schema.Order{{Column: "timestamp", Desc: true}, {Column: "created_at", Desc: true}}, Limit: InsightLogWindow})
		if err != nil {
			return nil, err
		}
		types, tools := map[string]int{}, map[string]int{}
		errs := 0
		for _, row := range res.Rows {
			t := row.Text("event_type")
			data := jsonObject(row["event_data"])
			types[t]++
			if t == "tool_usage" {
				if name := strings.TrimSpace(data.Text("tool_name")); name != "" {
					tools[name]++
				}
			}
			hasErr, _ := row["has_error"].(bool)
			if isErrorEvent(t, data, hasErr) {
				errs++
			}
		}
		n := len(res.Rows)
		if typ == "general" || typ == "performance" {
			p := &performanceInsight{LogsAnalysed: n, Errors: errs, ErrorRate: percent(int64(errs), int64(n)),
				ThresholdPercent: ErrorRateWarnPercent, MostUsedTool: topOf(tools)}
			switch {
			case n == 0:
				p.Message = "no analytics logs yet"
			case *p.ErrorRate > ErrorRateWarnPercent:
				p.Warning = true
				p.Message = "error rate " + strconv.FormatFloat(*p.ErrorRate, 'f', -1, 64) + " % of the last " + strconv.Itoa(n) + " events is above the 5 % threshold"
			default:
				p.Message = "error rate " + strconv.FormatFloat(*p.ErrorRate, 'f', -1, 64) + " % of the last " + strconv.Itoa(n) + " events is within the 5 % threshold"
			}
			out.Performance = p
		}
		if typ == "general" || typ == "user" {
			u := &userInsight{LogsAnalysed: n, MostCommonEvent: topOf(types), EventTypes: types}
			if u.MostCommonEvent == nil {
				u.Message = "no analytics logs yet"
			} else {
				u.Message = "most common event type: " + u.MostCommonEvent.Name + " (" + strconv.Itoa(u.MostCommonEvent.Count) + " of " + strconv.Itoa(n) + ")"
			}
			out.User = u
		}
	}
	if typ == "general" || typ == "trends" {
		end := c.today()
		start := addDays(end, -(TrendDays - 1))
		days, _, err := an.days(ctx, c, start, end)
		if err != nil {
			return nil, err
		}
		tr := &trendInsight{Period: period(start, end)}
		half := TrendDays / 2
		for i, d := range days {
			tr.Days = append(tr.Days, namedCount{Name: d.Date, Count: d.TotalEvents})
			tr.Total += d.TotalEvents
			if i < half {
				tr.Earlier += d.TotalEvents
			} else {
				tr.Later += d.TotalEvents
			}
		}
		tr.Change = percent(int64(tr.Later-tr.Earlier), int64(tr.Earlier))
		switch {
		case tr.Total == 0:
			tr.Direction = "no_activity"
		case tr.Earlier == 0:
			tr.Direction = "increasing"
		case *tr.Change > TrendChangePercent:
			tr.Direction = "increasing"
		case *tr.Change < -TrendChangePercent:
			tr.Direction = "decreasing"
		default:
			tr.Direction = "stable"
		}
		tr.Message = strconv.Itoa(tr.Later) + " events in the last 7 days against " + strconv.Itoa(tr.Earlier) + " the 7 days before: " + tr.Direction
		out.Trends = tr
	}
	return out, nil
}
