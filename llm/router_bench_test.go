package llm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pam-rv/pamd/llm"
)

// BenchmarkRouterDecision measures the Router's own overhead (goal: well under
// 5 ms per decision) with in-process providers that answer at once: picking a
// provider, running the watchdog and breakers, and failing over.
func BenchmarkRouterDecision(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, s *stack, wantModel string) {
		b.Helper()
		b.ReportAllocs()
		for b.Loop() {
			resp, err := s.router.Chat(ctx, hello, nil)
			if err != nil || resp.Model != wantModel {
				b.Fatalf("resp %+v, err %v", resp, err)
			}
		}
	}

	b.Run("FirstHealthy", func(b *testing.B) {
		run(b, newStack(b), "gpt-4-turbo")
	})

	b.Run("OfflineSkipsCloud", func(b *testing.B) {
		s := newStack(b)
		s.online.Store(false)
		run(b, s, "llama3.2:3b")
	})

	b.Run("FailoverOnError", func(b *testing.B) {
		s := newStack(b)
		s.router.BreakerThreshold = 1 << 30 // never opens: every request pays for the failure
		s.primary.chatFn = fails(llm.ErrUnavailable)
		run(b, s, "gpt-3.5-turbo")
	})

	b.Run("SkipThreeOpenBreakers", func(b *testing.B) {
		s := newStack(b)
		s.router.BreakerThreshold = 1
		s.router.BreakerCooldown = time.Hour
		dead := fails(errors.Join(llm.ErrUnavailable, errors.New("connection refused")))
		s.primary.chatFn, s.fallback.chatFn, s.ollama.chatFn = dead, dead, dead
		if _, err := s.router.Chat(ctx, hello, nil); err != nil { // opens all three
			b.Fatal(err)
		}
		for _, st := range s.router.Status()[:3] {
			if st.State != llm.BreakerOpen {
				b.Fatalf("status = %+v", st)
			}
		}
		run(b, s, "rules")
	})
}
