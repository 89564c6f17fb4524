package chat

import (
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/intent"
)

// catalog is the registry's whole tool list rendered once for the models,
// with its measured size. The registry does not change while the daemon
// runs, so it is built on first use and kept.
type catalog struct {
	tools  []llm.Tool
	byName map[string]llm.Tool
	// tokens is the list measured the way a prompt is (tokens): what
	// offering every tool costs.
	tokens int

	keywords map[string][]string      // toolKeywords
	intents  map[intent.Name][]string // intentTools
	parser   *intent.Parser
}

func (s *Service) catalog() *catalog {
	s.catOnce.Do(func() {
		c := &catalog{byName: map[string]llm.Tool{}, keywords: toolKeywords(), intents: intentTools(),
			parser: intent.NewParser()}
		for _, info := range s.Tools.List() {
			t := llm.Tool{Name: info.Name, Description: info.Description, Parameters: info.Parameters}
			c.tools = append(c.tools, t)
			c.byName[t.Name] = t
		}
		c.tokens = tokens(nil, c.tools)
		s.cat = c
	})
	return s.cat
}

// CatalogTokens is the measured size, in prompt tokens, of the whole tool
// list a large model is offered.
func (s *Service) CatalogTokens() int { return s.catalog().tokens }

// answerer is the provider expected to answer the next request: the
// Router's first candidate (see llm.Router.Next), else the model itself.
func (s *Service) answerer() llm.Provider {
	if r, ok := s.Model.(interface{ Next() llm.Provider }); ok {
		if p := r.Next(); p != nil {
			return p
		}
	}
	return s.Model
}

// wholeList reports whether a model with context window w is offered every
// tool: when the rendered list takes at most a quarter of what the window
// leaves for the prompt (a cloud model: 128k tokens against about 11k).
// Smaller windows get a short list chosen by meaning (shortList).
func (s *Service) wholeList(w int) bool {
	return w > 0 && s.catalog().tokens <= (w-AnswerReserve)/4
}

// toolsFor is llm.Request.ToolsFor: every tool for a provider with a large
// window whose prompt then still fits, the short list for the others.
func (s *Service) toolsFor(messages []llm.Message, short []llm.Tool) func(int) []llm.Tool {
	all := s.catalog().tools
	need := tokens(messages, all)
	return func(w int) []llm.Tool {
		if s.wholeList(w) && need <= w-AnswerReserve {
			return all
		}
		return short
	}
}
