package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

type ideaArgs struct {
	Title       string   `json:"title" schema:"required,minLength=1,maxLength=200"`
	Description string   `json:"description,omitempty" schema:"maxLength=5000"`
	Tags        []string `json:"tags,omitempty" schema:"maxItems=20"`
	AvgEarnings *Money   `json:"avg_earnings,omitempty" schema:"min=0" desc:"expected average monthly earnings in the user's currency; default 0"`
}

func registerMoneymaker(r *Registry) {
	m := &moneymaker{s: r.store}
	register(r, "add_idea", CategoryMoneymaker,
		"Add a side-hustle idea (title, description, tags, expected average monthly earnings); it starts pending review.",
		true, false, m.add)
	register(r, "list_active_ideas", CategoryMoneymaker,
		"List the user's own hustle ideas that were not rejected, oldest first.",
		false, false, m.list)
	register(r, "estimate_monthly_income", CategoryMoneymaker,
		"Estimate monthly income as the sum of avg_earnings over the user's approved hustle ideas, listing them.",
		false, false, m.estimate)
}

type moneymaker struct{ s Store }

// IdeaRef cites one hustle idea.
type IdeaRef struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Tags        []string `json:"tags"`
	AvgEarnings string   `json:"avg_earnings"`
	Status      string   `json:"status"`
	CreatedAt   string   `json:"created_at"`
}

func ideaRef(r schema.Row) IdeaRef {
	return IdeaRef{ID: r.Text("id"), Title: r.Text("title"), Description: r.Text("description"), Tags: stringsOf(r["tags"]),
		AvgEarnings: money(r.Cents("avg_earnings")), Status: r.Text("status"), CreatedAt: r.Text("created_at")}
}

// stringsOf reads a stored text array; NULL is empty.
func stringsOf(v any) []string {
	out := []string{}
	switch x := v.(type) {
	case json.RawMessage:
		_ = json.Unmarshal(x, &out)
	case []string:
		out = append(out, x...)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (m *moneymaker) add(ctx context.Context, c Call, a ideaArgs) (any, error) {
	var earn int64
	if a.AvgEarnings != nil {
		earn = int64(*a.AvgEarnings)
	}
	row := schema.Row{"title": strings.TrimSpace(a.Title), "tags": anyList(a.Tags), "avg_earnings": money(earn), "status": "pending"}
	if d := strings.TrimSpace(a.Description); d != "" {
		row["description"] = d
	}
	created, err := m.s.Create(ctx, c.User, "hustle_ideas", row)
	if err != nil {
		return nil, err
	}
	return map[string]any{"idea": ideaRef(created), "currency": c.Currency}, nil
}

// own reads the caller's own ideas (not the unowned catalogue), oldest first.
func (m *moneymaker) own(ctx context.Context, c Call, keep func(status string) bool) ([]IdeaRef, int64, error) {
	out := []IdeaRef{}
	var sum int64
	q := schema.Query{Conditions: []schema.Condition{eq("user_id", c.User)}, Order: []schema.Order{{Column: "created_at"}, {Column: "id"}}}
	err := m.s.Each(ctx, c.User, "hustle_ideas", q, func(r schema.Row) error {
		if keep(r.Text("status")) {
			out = append(out, ideaRef(r))
			sum += r.Cents("avg_earnings")
		}
		return nil
	})
	return out, sum, err
}

func (m *moneymaker) list(ctx context.Context, c Call, _ noArgs) (any, error) {
	ideas, _, err := m.own(ctx, c, func(s string) bool { return s != "rejected" })
	if err != nil {
		return nil, err
	}
	return map[string]any{"ideas": ideas, "count": len(ideas), "currency": c.Currency,
		"basis": "your own ideas whose status is not rejected, oldest first"}, nil
}

func (m *moneymaker) estimate(ctx context.Context, c Call, _ noArgs) (any, error) {
	ideas, sum, err := m.own(ctx, c, func(s string) bool { return s == "approved" })
	if err != nil {
		return nil, err
	}
	return map[string]any{"monthly_income": money(sum), "currency": c.Currency, "approved_ideas": ideas, "count": len(ideas),
		"basis": fmt.Sprintf("sum of avg_earnings over your %d approved idea(s)", len(ideas))}, nil
}
