package chat

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pam-rv/pamd/llm"
)

// Embedder turns texts into vectors of one model, in order: an Ollama
// embedding model through llm/ollama's Client.Embed.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// shortList offers a model with a small context window at most
// MaxToolsOffered tools chosen by meaning, never a single arbitrary one:
//
//  1. the tools of the domain the intent parser recognises, in the whole
//     message and in each of its clauses ("filled up 20 gal, what's our
//     mpg" holds two requests);
//  2. the tools nearest to the message and to each clause by embedding
//     (Service.Embedder; the tools' vectors are computed once), taken in
//     turn from each ranking so that a second request is not crowded out,
//     and only those that stand out from the rest (minStandout);
//  3. as the last fallback, the tools whose keywords the message holds (the
//     words people use for them, toolKeywords): each rank of theirs comes
//     after the same rank of the embeddings; they fill the whole list when
//     no embedding is to be had (no Embedder, or it fails);
//  4. whatever room is left: the everyday tools (defaultTools).
func (s *Service) shortList(ctx context.Context, msg string) []llm.Tool {
	cat := s.catalog()
	var picked []string
	add := func(name string) {
		if _, ok := cat.byName[name]; ok && len(picked) < MaxToolsOffered && !slices.Contains(picked, name) {
			picked = append(picked, name)
		}
	}
	parts := clauses(msg)
	for _, p := range parts {
		for _, name := range cat.intents[cat.parser.Parse(p).Name] {
			add(name)
		}
	}
	rankings, err := s.embeddingRankings(ctx, parts)
	if err != nil {
		s.logger().Warn("tool selection: embeddings unavailable, ranking by keywords", "retry_in", EmbedRetry, "err", err)
	}
	lexical := make([][]string, len(parts))
	for i, p := range parts {
		lexical[i] = cat.lexicalRanking(p)
	}
	// Rank by rank: the embeddings' first of each text, then the
	// keywords' first, then the embeddings' second..., so that one
	// ranking's long tail does not crowd out the other's best.
	for r := 0; r < len(cat.tools) && len(picked) < MaxToolsOffered; r++ {
		for _, ranking := range [][][]string{rankings, lexical} {
			for _, list := range ranking {
				if r < len(list) {
					add(list[r])
				}
			}
		}
	}
	for _, name := range defaultTools() {
		add(name)
	}
	out := make([]llm.Tool, len(picked))
	for i, name := range picked {
		out[i] = cat.byName[name]
	}
	return out
}

// maxClauses bounds the clauses of a long message that are ranked apart.
const maxClauses = 4

// clauses returns msg and, when it holds more than one request, each of
// them (the first maxClauses): split at sentence ends, semicolons, commas
// and "and"/"then" joining two clauses.
func clauses(msg string) []string {
	out := []string{msg}
	f := strings.NewReplacer(" and ", "\x00", " then ", "\x00", " & ", "\x00", ";", "\x00", "?", "\x00",
		". ", "\x00", ", ", "\x00", " - ", "\x00", ": ", "\x00", "!", "\x00")
	for _, p := range strings.Split(f.Replace(strings.ToLower(msg)), "\x00") {
		p = strings.TrimSpace(p)
		if len(out) > maxClauses {
			break
		}
		if len(strings.Fields(p)) >= 2 && p != strings.ToLower(strings.TrimSpace(msg)) {
			out = append(out, p)
		}
	}
	return out
}

// minStandout is how far, in standard deviations of the similarities of
// all tools to a text, a tool's similarity must stand above their mean to
// be taken from the embedding ranking. A text that means nothing to any
// tool ("hello") leaves the similarities flat and takes none. Measured
// against the spread rather than as an absolute similarity, it does not
// depend on the level at which a model's similarities sit; 1.5 was tuned
// with the tests' embedding model only, not with a real one.
const minStandout = 1.5

// embeddingRankings ranks, for each text, the tools that stand out by
// cosine similarity (minStandout), the nearest first. It answers nil, nil
// without an Embedder.
func (s *Service) embeddingRankings(ctx context.Context, texts []string) ([][]string, error) {
	if s.Embedder == nil || s.embedPaused() {
		return nil, nil
	}
	tools, err := s.toolVectors(ctx)
	if err == nil && len(tools) != len(s.catalog().tools) {
		err = fmt.Errorf("%d vectors for %d tools", len(tools), len(s.catalog().tools))
	}
	var vecs [][]float32
	if err == nil {
		vecs, err = s.Embedder.Embed(ctx, texts)
	}
	if err == nil && len(vecs) != len(texts) {
		err = fmt.Errorf("%d vectors for %d texts", len(vecs), len(texts))
	}
	if err != nil {
		if ctx.Err() == nil {
			s.pauseEmbeddings()
		}
		return nil, fmt.Errorf("embed: %w", err)
	}
	cat := s.catalog()
	out := make([][]string, len(vecs))
	for i, v := range vecs {
		type scored struct {
			name string
			sim  float64
		}
		list := make([]scored, len(cat.tools))
		for j, t := range cat.tools {
			list[j] = scored{t.Name, cosine(v, tools[j])}
		}
		slices.SortStableFunc(list, func(a, b scored) int {
			switch {
			case a.sim > b.sim:
				return -1
			case a.sim < b.sim:
				return 1
			}
			return 0
		})
		var mean, sq float64
		for _, sc := range list {
			mean += sc.sim
		}
		mean /= float64(len(list))
		for _, sc := range list {
			sq += (sc.sim - mean) * (sc.sim - mean)
		}
		sd := math.Sqrt(sq / float64(len(list)))
		for _, sc := range list {
			if sd == 0 || (sc.sim-mean)/sd < minStandout {
				break
			}
			out[i] = append(out[i], sc.name)
		}
	}
	return out, nil
}

// embedPaused reports whether embeddings are paused after a failure.
func (s *Service) embedPaused() bool {
	s.vecMu.Lock()
	defer s.vecMu.Unlock()
	return s.now().Before(s.embedRetry)
}

func (s *Service) pauseEmbeddings() {
	s.vecMu.Lock()
	defer s.vecMu.Unlock()
	s.embedRetry = s.now().Add(EmbedRetry)
}

// toolVectors embeds every tool once (its document: name, the words people
// use, description) and keeps the vectors; a failure is not kept, so the
// next request tries again.
func (s *Service) toolVectors(ctx context.Context) ([][]float32, error) {
	s.vecMu.Lock()
	defer s.vecMu.Unlock()
	if s.vecs != nil {
		return s.vecs, nil
	}
	cat := s.catalog()
	docs := make([]string, len(cat.tools))
	for i, t := range cat.tools {
		docs[i] = cat.document(t)
	}
	vecs, err := s.Embedder.Embed(ctx, docs)
	if err != nil {
		return nil, err
	}
	s.vecs = vecs
	return vecs, nil
}

// document is the text a tool is embedded from.
func (c *catalog) document(t llm.Tool) string {
	return strings.ReplaceAll(strings.TrimPrefix(t.Name, "pam_"), "_", " ") + ": " +
		strings.Join(c.keywords[t.Name], ", ") + ". " + t.Description
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range min(len(a), len(b)) {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// lexicalRanking ranks the tools whose keywords or name the text holds,
// the most and longest matches first; tools with no match are left out.
func (c *catalog) lexicalRanking(text string) []string {
	words := normWords(text)
	type scored struct {
		name  string
		score float64
	}
	var list []scored
	for _, t := range c.tools {
		score := 0.0
		for _, phrase := range c.keywords[t.Name] {
			if pw := normWords(phrase); len(pw) > 0 && containsPhrase(words, pw) {
				score += float64(len(pw))
			}
		}
		if score > 0 {
			list = append(list, scored{t.Name, score})
		}
	}
	slices.SortStableFunc(list, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	out := make([]string, len(list))
	for i, sc := range list {
		out[i] = sc.name
	}
	return out
}

// normWords splits text into lower-case words (letters, digits and the
// symbols $ / 👍 👎 kept), dropping a plural s.
func normWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '$' || r == '/' || r == '-' || r > 0x1F000)
	}) {
		w = strings.Trim(w, "-/")
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// containsPhrase reports whether phrase occurs in words, in order; a word
// of five letters or more also matches with one letter wrong, missing,
// extra or swapped ("diesl", "chnage").
func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		ok := true
		for j, p := range phrase {
			if !sameWord(words[i+j], p) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func sameWord(w, p string) bool {
	if w == p {
		return true
	}
	if len(p) < 5 || len(w) < 4 {
		return false
	}
	return editDistanceAtMost1(w, p)
}

// editDistanceAtMost1 reports whether a becomes b with at most one
// insertion, deletion, substitution or swap of neighbours.
func editDistanceAtMost1(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}
