package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rsc.io/qr"

	"github.com/pam-rv/pamd/agent/web"
)

// TestQRSVG: the SVG's black runs are exactly the code's black modules,
// shifted by the quiet zone.
func TestQRSVG(t *testing.T) {
	const text = "http://192.168.1.10:8000/#/pair?code=ABCD-EF23"
	svg, err := web.QRSVG(text)
	if err != nil {
		t.Fatal(err)
	}
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	n := c.Size + 8
	if !strings.Contains(string(svg), fmt.Sprintf(`viewBox="0 0 %d %d"`, n, n)) {
		t.Fatalf("viewBox: %.120s", svg)
	}
	black := map[[2]int]bool{}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(string(svg), -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		run, _ := strconv.Atoi(m[3])
		for i := range run {
			black[[2]int{x + i - 4, y - 4}] = true
		}
	}
	count := 0
	for y := range c.Size {
		for x := range c.Size {
			if c.Black(x, y) != black[[2]int{x, y}] {
				t.Fatalf("module %d,%d: code %v, svg %v", x, y, c.Black(x, y), black[[2]int{x, y}])
			}
			if c.Black(x, y) {
				count++
			}
		}
	}
	if count != len(black) || count == 0 {
		t.Fatalf("%d black modules in the code, %d in the svg", count, len(black))
	}
	if _, err := web.QRSVG(strings.Repeat("x", web.MaxQRText+1)); err == nil {
		t.Error("a text over MaxQRText was encoded")
	}
}

func TestQRRoute(t *testing.T) {
	e := newEnv(t)
	auth := map[string]string{"Authorization": "Bearer " + e.token}
	a := e.get(t, "/api/v1/ui/qr?text="+url.QueryEscape("http://pam.local/#/pair?code=ABCD-EF23"), auth)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(a.body), "<svg") {
		t.Fatalf("qr: %d %q %.60s", a.status, a.header.Get("Content-Type"), a.body)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q: a pairing code must not be cached", a.header.Get("Cache-Control"))
	}
	if got := e.get(t, "/api/v1/ui/qr?text=x", nil).status; got != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", got)
	}
	if got := e.get(t, "/api/v1/ui/qr?text="+strings.Repeat("x", web.MaxQRText+1), auth).status; got != http.StatusBadRequest {
		t.Errorf("too long: %d, want 400", got)
	}
}
