package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/pam-rv/pamd/agent/transfer"
	"github.com/pam-rv/pamd/schema"
)

// Transfer is the import and export of files as the API sees them
// (transfer.Importer).
type Transfer interface {
	Import(ctx context.Context, user string, kind transfer.Kind, data []byte, opt transfer.Options) (*transfer.Summary, error)
	Export(ctx context.Context, user string, w io.Writer) (*transfer.Manifest, error)
}

var _ Transfer = (*transfer.Importer)(nil)

// MaxUploadBytes bounds an imported file.
const MaxUploadBytes = 32 << 20

// MountTransfer adds the upload and download routes: they run inside the
// daemon, so its read cache sees what an import writes.
//
//	POST /api/v1/transfer/import/{kind}?dry_run=true&units=us&day_first=true&vehicle=UUID&map=date=Posted,...
//	     body: the file; 200 with the summary, 422 naming the bad lines
//	GET  /api/v1/transfer/export: the caller's export zip
func (s *Server) MountTransfer(t Transfer) {
	s.Handle("POST /api/v1/transfer/import/{kind}", func(w http.ResponseWriter, r *http.Request, user string) {
		kind := transfer.Kind(r.PathValue("kind"))
		if !slices.Contains(transfer.Kinds, kind) {
			s.writeError(w, r, schema.Errorf(schema.EINVALID, "unknown kind %q (one of %v)", schema.Truncate(string(kind), 32), transfer.Kinds))
			return
		}
		q := r.URL.Query()
		opt := transfer.Options{DryRun: q.Get("dry_run") == "true" || q.Get("dry_run") == "1", Units: q.Get("units"), Source: q.Get("name"),
			DayFirst: q.Get("day_first") == "true" || q.Get("day_first") == "1"}
		if opt.Units != "" && opt.Units != transfer.UnitsUS && opt.Units != transfer.UnitsMetric {
			s.writeError(w, r, schema.Errorf(schema.EINVALID, "units must be us or metric"))
			return
		}
		var err error
		if v := q.Get("vehicle"); v != "" {
			if opt.VehicleID, err = schema.ParseUUID(v); err != nil {
				s.writeError(w, r, schema.Errorf(schema.EINVALID, "vehicle: %v", err))
				return
			}
		}
		if opt.Map, err = transfer.ParseMap(q.Get("map")); err != nil {
			s.writeError(w, r, schema.Errorf(schema.EINVALID, "map: %v", err))
			return
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUploadBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.writeError(w, r, schema.Errorf(schema.ETOOLARGE, "file over %d bytes", MaxUploadBytes))
				return
			}
			s.writeError(w, r, schema.Errorf(schema.EINVALID, "reading the file: %v", err))
			return
		}
		sum, err := t.Import(r.Context(), user, kind, data, opt)
		var rows *transfer.RowsError
		if errors.As(err, &rows) {
			s.writeError(w, r, &schema.Error{Code: schema.EUNPROCESSABLE, Message: rows.Error(), Fields: rows.Fields()})
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, sum)
	})
	s.Handle("GET /api/v1/transfer/export", func(w http.ResponseWriter, r *http.Request, user string) {
		var buf bytes.Buffer
		if _, err := t.Export(r.Context(), user, &buf); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="pam-export-%s.zip"`, s.Now().UTC().Format("2006-01-02")))
		w.Write(buf.Bytes())
	})
}
