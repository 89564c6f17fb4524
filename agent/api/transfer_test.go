package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/transfer"
)

// TestTransferEndpoints uploads a bank CSV through the daemon: the
// expenses list, read (and cached) before, shows the new rows at once.
func TestTransferEndpoints(t *testing.T) {
	e := newTestEnv(t)
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.MountTransfer(&transfer.Importer{Store: e.store, Catalog: e.store.Catalog, Now: e.store.Now})
	e.srv.Config.Handler = a.Handler()

	bank, err := os.ReadFile(filepath.Join("..", "transfer", "testdata", "bank.csv"))
	if err != nil {
		t.Fatal(err)
	}
	mapping := url.QueryEscape("date=Posted,amount=Amount,description=Payee,category=Category")
	if status, body := e.do(t, e.alice, "GET", "/api/v1/wins/expenses", nil); status != 200 {
		t.Fatalf("list: %d %v", status, body)
	}
	status, body := e.do(t, e.alice, "POST", "/api/v1/transfer/import/expenses-csv?dry_run=true&map="+mapping, bank)
	if status != 200 || body["dry_run"] != true || body["added"].(map[string]any)["expenses"].(interface{ String() string }).String() != "4" {
		t.Fatalf("dry run: %d %v", status, body)
	}
	status, body = e.do(t, e.alice, "POST", "/api/v1/transfer/import/expenses-csv?map="+mapping, bank)
	if status != 200 {
		t.Fatalf("import: %d %v", status, body)
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/wins/expenses", nil)
	if status != 200 || !strings.Contains(jsonText(t, body), "KOA Campground") {
		t.Fatalf("the list after the upload does not show it: %d %v", status, body)
	}

	bad := strings.Replace(string(bank), "-45.00", "forty", 1)
	status, body = e.do(t, e.alice, "POST", "/api/v1/transfer/import/expenses-csv?map="+mapping, bad)
	if status != http.StatusUnprocessableEntity || !strings.Contains(jsonText(t, body), "line 2") {
		t.Fatalf("bad file: %d %v", status, body)
	}
	if status, body := e.do(t, e.alice, "POST", "/api/v1/transfer/import/nope", bank); status != http.StatusBadRequest {
		t.Fatalf("unknown kind: %d %v", status, body)
	}
	if status, _ := e.do(t, "", "POST", "/api/v1/transfer/import/gpx", bank); status != http.StatusUnauthorized {
		t.Fatalf("upload without a token: %d", status)
	}

	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/transfer/export", nil)
	req.Header.Set("Authorization", "Bearer "+e.alice)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zipped, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" || len(zipped) < 100 {
		t.Fatalf("export: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(zipped))
	}
}

// jsonText is a decoded answer as JSON text, for substring checks.
func jsonText(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
