package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var goldenUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestGoldenIntelligence: every intelligence endpoint's answer on the demo
// set (server and tools on the pinned clock demoNow) is the one kept under
// testdata/golden/intelligence, reviewed by hand; ids minted during the
// run read <new-N>. go test ./agent/api -run TestGoldenIntelligence -update
// rewrites them.
func TestGoldenIntelligence(t *testing.T) {
	d := newDemoAPI(t)
	known := map[string]bool{}
	for _, table := range schema.Default().Names() {
		for _, u := range []string{demo.UserA, demo.UserB} {
			d.env.store.Each(context.Background(), u, table, schema.Query{}, func(r schema.Row) error {
				for _, v := range r {
					if s, ok := v.(string); ok {
						for _, id := range goldenUUID.FindAllString(s, -1) {
							known[id] = true
						}
					}
				}
				return nil
			})
		}
	}
	known[demo.UserA], known[demo.UserB] = true, true
	fresh := map[string]string{}
	user := demo.UserA
	calls := []struct{ name, method, path string }{
		{"user_360", "GET", "/api/v1/pam/intelligence/user-360/" + user},
		{"trip_expenses", "POST", "/api/v1/pam/intelligence/trip-expenses"},
		{"maintenance_prediction", "POST", "/api/v1/pam/intelligence/maintenance-prediction"},
		{"hustle_roi", "GET", "/api/v1/pam/intelligence/hustle-roi/" + user},
		{"spending_patterns", "POST", "/api/v1/pam/intelligence/spending-patterns"},
		{"insights_report", "POST", "/api/v1/pam/intelligence/insights-report"},
		{"recommendations", "GET", "/api/v1/pam/intelligence/recommendations/" + user},
	}
	dir := filepath.Join("testdata", "golden", "intelligence")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range calls {
		var body any
		if c.method == "POST" {
			body = map[string]any{}
		}
		status, got := d.env.do(t, d.token[user], c.method, c.path, body)
		if status != 200 {
			t.Fatalf("%s: %d %v", c.path, status, got)
		}
		raw, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		text := goldenUUID.ReplaceAllStringFunc(string(raw), func(id string) string {
			if known[id] {
				return id
			}
			if r, ok := fresh[id]; ok {
				return r
			}
			fresh[id] = fmt.Sprintf("<new-%d>", len(fresh)+1)
			return fresh[id]
		}) + "\n"
		path := filepath.Join(dir, c.name+".json")
		if *update {
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to write it)", c.name, err)
		}
		if !bytes.Equal([]byte(text), want) {
			w, g := strings.Split(string(want), "\n"), strings.Split(text, "\n")
			for i := range min(len(w), len(g)) {
				if w[i] != g[i] {
					t.Errorf("%s differs from %s at line %d:\n want %s\n  got %s", c.name, path, i+1, w[i], g[i])
					break
				}
			}
			if len(w) != len(g) {
				t.Errorf("%s: %d lines, want %d", c.name, len(g), len(w))
			}
		}
	}
}
