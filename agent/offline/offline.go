// Package offline is the assistant's last resort and first gate: with no
// network and no local model it still answers the common questions and
// takes the common entries of life on the road, by matching the message to
// an intent (llm/intent) and running the tool that answers it. It is an
// llm.Provider, so the router falls back to it like to any model.
package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/intent"
)

// Tools is what the answerer needs of the tool registry.
type Tools interface {
	Execute(ctx context.Context, call tools.Call, name string, args json.RawMessage) (tools.Result, error)
}

// Provider answers without a model.
type Provider struct {
	tools   Tools
	metric  *intent.Parser
	us      *intent.Parser
	context int
}

var _ llm.Provider = (*Provider)(nil)

// New returns the offline answerer over the tool registry.
func New(t Tools) *Provider {
	us := intent.NewParser()
	us.Units = intent.UnitsUS
	return &Provider{tools: t, metric: intent.NewParser(), us: us, context: 1 << 20}
}

func (p *Provider) Name() string       { return "offline" }
func (p *Provider) Model() string      { return "intent-rules" }
func (p *Provider) ContextWindow() int { return p.context }

// Understands reports whether the answerer can answer msg with confidence,
// so the agent can skip a local model for it.
func (p *Provider) Understands(msg, units string) bool {
	return !p.parser(units).Parse(msg).NeedsModel()
}

func (p *Provider) parser(units string) *intent.Parser {
	if units == tools.UnitsUS {
		return p.us
	}
	return p.metric
}

// Chat answers the last user message of req.
func (p *Provider) Chat(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
	call, ok := tools.CallFrom(ctx) // who asks: tools run for that user only
	if !ok {
		return nil, fmt.Errorf("offline: %w: no caller in context", llm.ErrUnavailable)
	}
	var msg string
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == llm.RoleUser {
			msg = req.Messages[i].Content
			break
		}
	}
	text := p.answer(ctx, call, msg)
	if onEvent != nil {
		onEvent(llm.Event{Token: text})
	}
	return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: text}, Provider: p.Name(), Model: p.Model(), FinishReason: "stop"}, nil
}

// answer maps the message to a tool and renders its figures.
func (p *Provider) answer(ctx context.Context, call tools.Call, msg string) string {
	in := p.parser(call.Units).Parse(msg)
	if in.NeedsModel() {
		return "I'm offline and no local model is available, so I can only handle the common things right now: " +
			"spending, budgets, fuel and expense entries, and maintenance due. Try \"how much did I spend this month\" or " +
			"\"spent $45 on groceries at Walmart\"."
	}
	name, args := toolFor(in, call.Now)
	if name == "" {
		return fmt.Sprintf("I understood that (%s), but I can't answer it offline yet.", strings.ReplaceAll(string(in.Name), "_", " "))
	}
	raw, _ := json.Marshal(args)
	res, err := p.tools.Execute(ctx, call, name, raw)
	if err != nil {
		return "I couldn't do that: " + err.Error()
	}
	out, _ := json.Marshal(res.Output)
	return fmt.Sprintf("(offline, %s) %s", strings.ReplaceAll(name, "_", " "), out)
}

// toolFor picks the tool and arguments that answer an intent.
func toolFor(in intent.Intent, now time.Time) (string, map[string]any) {
	s := in.Slots
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	}
	switch in.Name {
	case intent.SpendingTotal, intent.IncomeTotal:
		month := now.Format("2006-01")
		if s.Period != nil {
			month = s.Period.From.Format("2006-01")
		}
		return "fetch_summary", map[string]any{"month": month}
	case intent.BudgetLeft:
		args := map[string]any{}
		if s.Category != "" {
			args["category"] = s.Category
		}
		return "suggest_budget_adjustment", args
	case intent.NextMaintenance:
		return "pam_get_maintenance_schedule", map[string]any{"upcoming_days": 365}
	case intent.LogExpense:
		args := map[string]any{"amount": fmt.Sprintf("%d.%02d", s.AmountCents/100, s.AmountCents%100), "category": s.Category}
		if s.Merchant != "" {
			args["description"] = s.Merchant
		}
		if d := day(s.Date); d != "" {
			args["date"] = d
		}
		return "log_expense", args
	case intent.LogFuel:
		if s.TotalCents == 0 || s.VolumeL == 0 {
			return "", nil
		}
		args := map[string]any{"litres": s.VolumeL, "total_cost": fmt.Sprintf("%d.%02d", s.TotalCents/100, s.TotalCents%100), "partial": s.Partial}
		if s.OdometerKM > 0 {
			args["odometer_km"] = s.OdometerKM
		}
		if s.Merchant != "" {
			args["location"] = s.Merchant
		}
		if d := day(s.Date); d != "" {
			args["date"] = d
		}
		return "pam_log_fuel", args
	}
	return "", nil
}
