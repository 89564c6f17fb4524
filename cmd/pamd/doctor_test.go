package main_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/sync/central/pgtest"
)

// TestDoctor runs `pamd doctor` on a healthy device (with a central and a
// local model), then on each thing that goes wrong in the field: every
// failure exits 1 and says how to fix it; warnings alone exit 0.
func TestDoctor(t *testing.T) {
	bin := mustBuild(t)
	const user = "0190a000-0000-7000-8000-0000000000d1"
	adminURL := pgtest.NewDB(t)
	if out, err := runPamd(t, bin, nil, "central", "init", "--central-url", adminURL); err != nil {
		t.Fatalf("central init: %v %s", err, out)
	}
	deviceURL, err := runPamd(t, bin, nil, "central", "add-device", "--central-url", adminURL, "--user", user)
	if err != nil {
		t.Fatal(err)
	}
	ollama := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tags" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"models":[{"name":"llama3.1:8b","model":"llama3.1:8b","size":4920753328,"digest":"46e0c10c039e"}]}`))
	}))
	defer ollama.Close()
	dataDir := t.TempDir()
	if out, err := runPamd(t, bin, nil, "demo", "--data-dir", dataDir, "--log-level", "warn"); err != nil {
		t.Fatalf("demo: %v %s", err, out)
	}
	healthy := []string{"doctor", "--data-dir", dataDir, "--central-url", deviceURL, "--ollama-url", ollama.URL, "--jwt-secret", strings.Repeat("s", 32)}

	tests := []struct {
		name  string
		args  []string
		setup func(t *testing.T)
		code  int
		want  []string // each must appear on stdout
	}{
		{"Healthy", healthy, nil, 0, []string{"ok    database", "ok    central   sync contract", "may push", "ok    ollama    model llama3.1:8b", "No failures."}},
		{"ModelMissing", append(slices(healthy), "--ollama-model", "qwen2.5:7b"), nil, 0, []string{"warn  ollama", "fix: ollama pull qwen2.5:7b"}},
		{"CentralDown", append(slices(healthy), "--central-url", "postgres://dev:pw@127.0.0.1:1/test"), nil, 1, []string{"FAIL  central   cannot connect", "postgres://dev:xxxxx@", "fix: check the link"}},
		{"AdminRole", append(slices(healthy), "--central-url", adminURL), nil, 0, []string{"bypasses row-level security", "pamd central add-device"}},
		{"NoCentralSchema", append(slices(healthy), "--central-url", pgtest.NewDB(t)), nil, 1, []string{"FAIL  central   central has no pam_sync schema", "pamd central init"}},
		{"Damaged", healthy, func(t *testing.T) {
			path := filepath.Join(dataDir, "pam.db")
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			const pageSize = 4096
			page := len(body) / pageSize / 2
			for i := range 60 {
				body[page*pageSize+i] ^= 0xa5
			}
			os.WriteFile(path, body, 0o600)
		}, 1, []string{"FAIL  database", "damaged", "pamd restore --data-dir"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(t)
			}
			code, stdout, stderr := runExit(t, bin, nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout does not say %q:\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout, "pw@") {
				t.Errorf("a password was printed:\n%s", stdout)
			}
		})
	}
}

func slices(s []string) []string { return append([]string(nil), s...) }
