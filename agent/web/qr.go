package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"rsc.io/qr"
)

// MaxQRText bounds what GET /api/v1/ui/qr encodes: a pairing address is
// well under it.
const MaxQRText = 512

// QRSVG draws text as a QR code (error correction M, a 4-module quiet
// zone) in SVG: one path of black runs on a white square, scalable, a few
// KB. The page shows it to a phone's camera.
func QRSVG(text string) ([]byte, error) {
	if text == "" || len(text) > MaxQRText {
		return nil, fmt.Errorf("qr: text of %d bytes, want 1 to %d", len(text), MaxQRText)
	}
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	const quiet = 4
	n := c.Size + 2*quiet
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}

// serveQR answers GET /api/v1/ui/qr?text=...: the QR code of text as SVG.
// It is behind the token like the API (the page fetches it and shows it
// as an image), and never cached: it may carry a pairing code.
func serveQR(w http.ResponseWriter, r *http.Request, _ string) {
	svg, err := QRSVG(r.URL.Query().Get("text"))
	if err != nil {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Bad Request", "status": http.StatusBadRequest, "detail": err.Error()})
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "image/svg+xml")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Write(svg)
}
