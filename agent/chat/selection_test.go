package chat_test

import (
	"context"
	"testing"

	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/llm"
)

// Context windows of the two modes: a cloud model (gpt-4-turbo) and the
// default local one (Ollama num_ctx).
const (
	cloudWindow = 128_000
	localWindow = 8192
)

// offerer runs real turns against a model that records what it is offered
// and returns the names of the tools of the first request.
func offerer(tb testing.TB, svc *chat.Service, m *scripted) func(msg string) []string {
	tb.Helper()
	return func(msg string) []string {
		before := len(m.seen)
		if _, err := svc.Turn(context.Background(), alice, chat.Request{Message: msg}, nil); err != nil {
			tb.Fatalf("%q: %v", msg, err)
		}
		if len(m.seen) == before {
			tb.Fatalf("%q: the model was not asked", msg)
		}
		return toolNames(m.seen[before].Tools)
	}
}

func toolNames(list []llm.Tool) []string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = t.Name
	}
	return out
}

// TestCloudOffersEveryTool: a model with a large window is offered every
// registered tool, so every request of the set is served (recall 100 % by
// construction), and the measured size of the list leaves it room.
func TestCloudOffersEveryTool(t *testing.T) {
	m := &scripted{window: cloudWindow}
	svc, _ := newService(t, m)
	svc.Knowledge = nil
	n := svc.CatalogTokens()
	t.Logf("the whole tool list measures %d tokens", n)
	if n <= 0 || n > (cloudWindow-chat.AnswerReserve)/4 {
		t.Fatalf("the whole tool list measures %d tokens", n)
	}
	offer := offerer(t, svc, m)
	if got := len(offer("hello")); got != 44 {
		t.Fatalf("offered %d tools, want all 44", got)
	}
	for _, part := range []string{partTune, partHeld} {
		pct, missed := recall(evalPart(t, part), offer)
		if pct != 100 {
			t.Errorf("%s part: recall %.1f %%, missed %v", part, pct, missed)
		}
	}
}

// down records the request and fails as an unreachable provider does.
type down struct{ scripted }

func (m *down) Chat(ctx context.Context, req llm.Request, on func(llm.Event)) (*llm.Response, error) {
	_, _ = m.scripted.Chat(ctx, req, on)
	return nil, llm.ErrUnavailable
}

// TestRouterFallbackGetsShortList: through the Router the cloud model is
// offered every tool, and the local model it falls back on the short list.
func TestRouterFallbackGetsShortList(t *testing.T) {
	cloud := &down{scripted{window: cloudWindow}}
	local := &scripted{window: localWindow}
	router := llm.NewRouter(cloud, local)
	svc, _ := newService(t, router)
	reply, err := svc.Turn(context.Background(), alice, chat.Request{Message: "Work out a drive from Denver to Moab for us"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cloud.seen) != 1 || len(local.seen) != 1 {
		t.Fatalf("cloud asked %d times, local %d", len(cloud.seen), len(local.seen))
	}
	if n := len(cloud.seen[0].Tools); n != 44 {
		t.Errorf("the cloud model was offered %d tools, want 44", n)
	}
	if n := len(local.seen[0].Tools); n == 0 || n > chat.MaxToolsOffered {
		t.Errorf("the local model was offered %d tools", n)
	}
	if n := tokenCount(local.seen[0]); n > localWindow-chat.AnswerReserve {
		t.Errorf("the local model's prompt measures %d tokens", n)
	}
	if reply.PromptTokens > cloudWindow-chat.AnswerReserve {
		t.Errorf("prompt tokens %d", reply.PromptTokens)
	}
}

// TestLocalRecallTune reports the short list's recall on the tune part,
// with the in-test embedding model and with keywords alone, and holds it
// to the goal: at least 95 % with at most MaxToolsOffered tools.
func TestLocalRecallTune(t *testing.T) {
	for _, mode := range []string{"embeddings", "keywords"} {
		t.Run(mode, func(t *testing.T) {
			m := &scripted{window: localWindow}
			svc, _ := newService(t, m)
			svc.Knowledge = nil
			if mode == "embeddings" {
				svc.Embedder, _ = newEmbedder(t)
			}
			offer := offerer(t, svc, m)
			sizes := func(msg string) []string {
				names := offer(msg)
				if len(names) == 0 || len(names) > chat.MaxToolsOffered {
					t.Fatalf("%q: offered %d tools", msg, len(names))
				}
				return names
			}
			pct, missed := recall(evalPart(t, partTune), sizes)
			t.Logf("local mode (%s), tune part: recall %.1f %%", mode, pct)
			for _, it := range missed {
				t.Logf("missed #%d %q: offered %v, want %v", it.ID, it.Text, offer(it.Text), it.Accept)
			}
			if pct < 95 {
				t.Errorf("recall %.1f %% on the tune part, want at least 95 %%", pct)
			}
		})
	}
}
