package transfer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// ExportFormat names PAM's export zip in its manifest.
const ExportFormat = "pam-export"

// Manifest is manifest.json, the first entry of an export zip.
type Manifest struct {
	Format     string         `json:"format"`
	Version    int            `json:"version"`
	User       string         `json:"user"`
	ExportedAt string         `json:"exported_at"`
	Tables     map[string]int `json:"tables"` // rows per table
	Routes     int            `json:"gpx_files"`
}

// exported says whether a table's rows are part of a user's export: every
// table with an owner column but views and the device-local tables
// (login sessions, the audio cache).
func exported(t *schema.Table) bool {
	return t.Owner != "" && !t.View && t.Role != schema.RoleLocal
}

// Export writes everything user owns to w as a zip: manifest.json, then
// per table json/<table>.json (an array of rows in API form) and
// csv/<table>.csv, the offroad_routes entries of the user's imported
// routes, and gpx/<n>.gpx per set of manual_waypoints.
func (im *Importer) Export(ctx context.Context, user string, w io.Writer) (*Manifest, error) {
	user, err := schema.ParseUUID(user)
	if err != nil {
		return nil, fmt.Errorf("export: user: %w", err)
	}
	m := &Manifest{Format: ExportFormat, Version: 1, User: user, ExportedAt: im.Now().UTC().Format(time.RFC3339), Tables: map[string]int{}}
	type table struct {
		t    *schema.Table
		rows []schema.Row
	}
	var tables []table
	for _, t := range im.Catalog.Tables {
		if !exported(t) {
			continue
		}
		var rows []schema.Row
		q := schema.Query{Order: []schema.Order{{Column: "id"}}}
		keep := func(r schema.Row) error {
			// Tables others may read (public groups, a shared catalogue)
			// show more than the user's own rows: export only those.
			if r[t.Owner] == user {
				rows = append(rows, r)
			}
			return nil
		}
		if err := im.Store.Each(ctx, user, t.Name, q, keep); err != nil {
			return nil, fmt.Errorf("export %s: %w", t.Name, err)
		}
		if len(rows) == 0 {
			continue
		}
		tables = append(tables, table{t, rows})
		m.Tables[t.Name] = len(rows)
	}
	// The user's routes: their waypoints grouped by trip, with the
	// offroad_routes entry an import made for them.
	groups := map[string][]schema.Row{}
	var trips []string
	for _, tb := range tables {
		if tb.t.Name != "manual_waypoints" {
			continue
		}
		for _, r := range tb.rows {
			trip, _ := r["trip_id"].(string)
			if _, ok := groups[trip]; !ok {
				trips = append(trips, trip)
			}
			groups[trip] = append(groups[trip], r)
		}
	}
	sort.Strings(trips)
	routes := map[string]schema.Row{}
	var routeRows []schema.Row
	for _, trip := range trips {
		if trip == "" {
			continue
		}
		r, err := im.Store.Get(ctx, user, "offroad_routes", trip)
		if schema.ErrorCode(err) == schema.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("export offroad_routes: %w", err)
		}
		routes[trip] = r
		routeRows = append(routeRows, r)
	}
	if len(routeRows) > 0 {
		t, _ := im.Catalog.Table("offroad_routes")
		tables = append(tables, table{t, routeRows})
		m.Tables["offroad_routes"] = len(routeRows)
	}
	m.Routes = len(trips)

	zw := zip.NewWriter(w)
	if err := writeJSON(zw, "manifest.json", m); err != nil {
		return nil, err
	}
	for _, tb := range tables {
		if err := writeJSON(zw, "json/"+tb.t.Name+".json", tb.rows); err != nil {
			return nil, err
		}
		if err := writeCSV(zw, "csv/"+tb.t.Name+".csv", tb.t, tb.rows); err != nil {
			return nil, err
		}
	}
	for i, trip := range trips {
		name := fmt.Sprintf("gpx/%03d-%s.gpx", i+1, slug(routeName(routes[trip], trip)))
		if err := writeGPX(zw, name, routeName(routes[trip], trip), routes[trip] != nil, groups[trip]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return m, nil
}

func routeName(r schema.Row, trip string) string {
	if s, _ := r["route_name"].(string); s != "" {
		return s
	}
	if len(trip) >= 8 {
		return "waypoints " + trip[:8]
	}
	return "waypoints"
}

func slug(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Trim(s, "-")
}

func writeJSON(zw *zip.Writer, name string, v any) error {
	f, err := zw.Create(name)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return nil
}

func writeCSV(zw *zip.Writer, name string, t *schema.Table, rows []schema.Row) error {
	f, err := zw.Create(name)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	cw := csv.NewWriter(f)
	cols := t.ColumnNames()
	cw.Write(cols)
	rec := make([]string, len(cols))
	for _, r := range rows {
		for i, c := range cols {
			rec[i] = cell(r[c])
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return nil
}

// cell is a value as a CSV cell: JSON for structured values.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case json.RawMessage:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

type gpxOut struct {
	XMLName xml.Name   `xml:"gpx"`
	Version string     `xml:"version,attr"`
	Creator string     `xml:"creator,attr"`
	NS      string     `xml:"xmlns,attr"`
	Wpts    []gpxOutPt `xml:"wpt"`
	Rte     *gpxOutRte `xml:"rte,omitempty"`
}

type gpxOutRte struct {
	Name string     `xml:"name"`
	Pts  []gpxOutPt `xml:"rtept"`
}

type gpxOutPt struct {
	Lat  float64 `xml:"lat,attr"`
	Lon  float64 `xml:"lon,attr"`
	Name string  `xml:"name,omitempty"`
	Desc string  `xml:"desc,omitempty"`
}

// writeGPX writes one set of waypoints, in order: as a route when an
// import made it from a route or track, else as waypoints.
func writeGPX(zw *zip.Writer, name, title string, route bool, rows []schema.Row) error {
	sort.SliceStable(rows, func(i, j int) bool { return order(rows[i]) < order(rows[j]) })
	pts := make([]gpxOutPt, len(rows))
	for i, r := range rows {
		lat, _ := r["latitude"].(float64)
		lon, _ := r["longitude"].(float64)
		n, _ := r["name"].(string)
		d, _ := r["notes"].(string)
		pts[i] = gpxOutPt{Lat: lat, Lon: lon, Name: n, Desc: d}
	}
	g := gpxOut{Version: "1.1", Creator: "pamd", NS: "http://www.topografix.com/GPX/1/1"}
	if route {
		g.Rte = &gpxOutRte{Name: title, Pts: pts}
	} else {
		g.Wpts = pts
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(g); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	b.WriteString("\n")
	f, err := zw.Create(name)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	_, err = f.Write(b.Bytes())
	return err
}

func order(r schema.Row) int64 {
	switch x := r["waypoint_order"].(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// parseExport reads an export zip back: every row with its id and
// created_at, restored through Load (updated_at becomes created_at: the
// store sets it). The zip must be user's own export.
func (im *Importer) parseExport(user string, data []byte) (*plan, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a zip: %w", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	var m Manifest
	if err := readZipJSON(files["manifest.json"], &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if m.Format != ExportFormat {
		return nil, fmt.Errorf("manifest.json: format %q, want %q", m.Format, ExportFormat)
	}
	if m.User != user {
		return nil, fmt.Errorf("this is the export of user %s: import it as that user (--user %s)", m.User, m.User)
	}
	p := &plan{}
	names := make([]string, 0, len(m.Tables))
	for n := range m.Tables {
		names = append(names, n)
	}
	// Catalog order, so that parents come before children.
	pos := map[string]int{}
	for i, n := range im.Catalog.Names() {
		pos[n] = i
	}
	sort.Slice(names, func(i, j int) bool { return pos[names[i]] < pos[names[j]] })
	for _, name := range names {
		t, err := im.Catalog.Table(name)
		if err != nil {
			return nil, err
		}
		if !exported(t) && t.Name != "offroad_routes" {
			return nil, fmt.Errorf("json/%s.json: not a table an export holds", name)
		}
		var rows []map[string]any
		entry := "json/" + name + ".json"
		if err := readZipJSON(files[entry], &rows); err != nil {
			return nil, fmt.Errorf("%s: %w", entry, err)
		}
		for i, r := range rows {
			line := i + 1
			if t.Owner != "" && r[t.Owner] != user {
				p.bad(line, "%s row %d: owner %v is not the user", entry, line, r[t.Owner])
				continue
			}
			delete(r, "updated_at")
			p.items = append(p.items, item{table: name, line: line, row: schema.Row(r), load: true})
		}
		p.lines += len(rows)
	}
	return p, nil
}

func readZipJSON(f *zip.File, v any) error {
	if f == nil {
		return fmt.Errorf("missing from the zip")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	dec.UseNumber()
	return dec.Decode(v)
}
