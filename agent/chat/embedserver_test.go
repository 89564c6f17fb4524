package chat_test

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pam-rv/pamd/llm/ollama"
)

// embedModel is the name the in-test Ollama serves its embeddings under.
const embedModel = "trigram-embed"

// embedDims is the size of the test model's vectors.
const embedDims = 1024

// testSynonyms is the test embedding model's small world knowledge: words
// it maps onto one meaning before hashing, as a real model places them
// near each other. It is general vocabulary, not the keyword table.
func testSynonyms() map[string]string {
	return map[string]string{
		"gas": "fuel", "diesel": "fuel", "petrol": "fuel", "gasoline": "fuel", "gassed": "fuel", "fueled": "fuel",
		"fuelled": "fuel", "diesl": "fuel",
		"gallons": "volume", "gallon": "volume", "gal": "volume", "litres": "volume", "liters": "volume", "litre": "volume", "l": "volume",
		"rig": "rv", "coach": "rv", "motorhome": "rv", "camper": "rv", "trailer": "rv", "van": "rv",
		"campground": "camp", "campgrounds": "camp", "campsite": "camp", "campsites": "camp", "camping": "camp",
		"gig": "hustle", "hustles": "hustle", "gigs": "hustle", "biz": "hustle",
		"bucks": "money", "dollars": "money", "cash": "money", "$": "money",
		"drive": "travel", "driving": "travel", "trip": "travel", "roadtrip": "travel", "route": "travel", "journey": "travel",
		"spent": "spend", "spending": "spend", "paid": "spend", "bought": "spend", "expenses": "spend", "expense": "spend",
		"repair": "service", "repairs": "service", "serviced": "service", "maintenance": "service", "mechanic": "service",
		"mpg": "economy", "l/100km": "economy", "consumption": "economy",
	}
}

// testEmbed is the in-test model: a hashed bag of words (after the
// synonym table) and of their character trigrams, L2-normalised. Words
// count more than trigrams; trigrams forgive typos and word forms.
func testEmbed(text string) []float32 {
	v := make([]float64, embedDims)
	syn := testSynonyms()
	bump := func(feature string, w float64) {
		h := fnv.New32a()
		h.Write([]byte(feature))
		v[h.Sum32()%embedDims] += w
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '$' || r == '/')
	}) {
		if len(w) < 2 && w != "$" && w != "l" {
			continue
		}
		if s, ok := syn[w]; ok {
			w = s
		}
		bump("w:"+w, 1)
		g := "^" + w + "$"
		for i := 0; i+3 <= len(g); i++ {
			bump("t:"+g[i:i+3], 0.25)
		}
	}
	var n float64
	for _, x := range v {
		n += x * x
	}
	out := make([]float32, embedDims)
	if n == 0 {
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// embedServer is an in-test Ollama that speaks /api/embed's wire format:
// {"model","input":[...]} in, {"model","embeddings":[[...]]} out. It
// counts the texts it embedded.
type embedServer struct {
	t     testing.TB
	texts atomic.Int64
}

func (e *embedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/embed" {
		e.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != embedModel || len(req.Input) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "bad request"})
		return
	}
	e.texts.Add(int64(len(req.Input)))
	out := struct {
		Model      string      `json:"model"`
		Embeddings [][]float32 `json:"embeddings"`
	}{Model: req.Model}
	for _, in := range req.Input {
		out.Embeddings = append(out.Embeddings, testEmbed(in))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(out)
}

// newEmbedder starts the in-test Ollama and returns the real ollama client
// for its embedding model.
func newEmbedder(tb testing.TB) (*ollama.Client, *embedServer) {
	tb.Helper()
	es := &embedServer{t: tb}
	srv := httptest.NewServer(es)
	tb.Cleanup(srv.Close)
	c, err := ollama.New(srv.URL, srv.Client(), embedModel, ollama.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return c, es
}
