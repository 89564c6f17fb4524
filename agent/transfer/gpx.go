package transfer

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// gpxPoint is a wpt, rtept or trkpt.
type gpxPoint struct {
	Lat  string `xml:"lat,attr"`
	Lon  string `xml:"lon,attr"`
	Name string `xml:"name"`
	Desc string `xml:"desc"`
	Cmt  string `xml:"cmt"`
}

// routePlan is one route or track of a GPX file, for its estimate.
type routePlan struct {
	name   string
	points int
	km     float64
}

// gpxGroup is the points of one rte, one trk (all segments) or the
// file's waypoints, in order.
type gpxGroup struct {
	kind  string // "rte", "trk" or "wpt"
	name  string
	desc  string
	lines []int
	pts   []gpxPoint
	lat   []float64
	lon   []float64
}

// parseGPX reads a GPX 1.1 file: each route and each track becomes an
// ordered set of manual_waypoints under one trip id, plus an
// offroad_routes entry with that id (name, anchor, ends, distance); the
// file's waypoints become one more set of manual_waypoints.
func parseGPX(user string, data []byte, opt Options) (*plan, error) {
	groups, p, err := readGPX(data)
	if err != nil {
		return nil, err
	}
	if len(p.problems) > 0 {
		return p, nil
	}
	total := 0
	for _, g := range groups {
		total += len(g.pts)
	}
	p.lines = total
	source := opt.Source
	if source == "" {
		source = "GPX file"
	}
	ids := newIDer(user, KindGPX)
	for i, g := range groups {
		if len(g.pts) == 0 {
			continue
		}
		name := g.name
		if name == "" {
			switch g.kind {
			case "wpt":
				name = "Waypoints of " + source
			default:
				name = fmt.Sprintf("%s %s %d", source, map[string]string{"rte": "route", "trk": "track"}[g.kind], i+1)
			}
		}
		var content strings.Builder
		content.WriteString(g.kind + "\x00" + name)
		for _, pt := range g.pts {
			fmt.Fprintf(&content, "\x00%s,%s,%s", pt.Lat, pt.Lon, pt.Name)
		}
		trip := ids.id(content.String())
		km := 0.0
		for j, pt := range g.pts {
			if j > 0 {
				km += schema.HaversineKm(g.lat[j-1], g.lon[j-1], g.lat[j], g.lon[j])
			}
			row := schema.Row{"id": rowID(user, KindGPX, trip, j), "trip_id": trip, "waypoint_order": int64(j),
				"latitude": g.lat[j], "longitude": g.lon[j], "is_locked": true}
			if pt.Name != "" {
				row["name"] = clean(pt.Name)
			}
			if n := joinNotes(clean(pt.Desc), "", clean(pt.Cmt)); n != "" {
				row["notes"] = n
			}
			p.items = append(p.items, item{table: "manual_waypoints", line: g.lines[j], row: row})
		}
		if g.kind == "wpt" {
			continue
		}
		last := len(g.pts) - 1
		desc := fmt.Sprintf("Imported from %s: %d points", source, len(g.pts))
		if g.desc != "" {
			desc = clean(g.desc) + " — " + desc
		}
		p.items = append(p.items, item{table: "offroad_routes", line: g.lines[0], load: true, row: schema.Row{
			"id": trip, "route_name": name, "route_description": desc,
			"latitude": g.lat[0], "longitude": g.lon[0],
			"start_location": map[string]any{"latitude": g.lat[0], "longitude": g.lon[0], "name": g.pts[0].Name},
			"end_location":   map[string]any{"latitude": g.lat[last], "longitude": g.lon[last], "name": g.pts[last].Name},
			"distance_miles": round(km/kmPerMile, 2),
		}})
		p.routes = append(p.routes, routePlan{name: name, points: len(g.pts), km: km})
	}
	return p, nil
}

// readGPX streams the file's points with their line numbers.
func readGPX(data []byte) ([]*gpxGroup, *plan, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	p := &plan{}
	wpts := &gpxGroup{kind: "wpt"}
	var groups []*gpxGroup
	var cur *gpxGroup
	var stack []string
	sawGPX := false
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("not a GPX file: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			switch {
			case name == "gpx" && len(stack) == 0:
				sawGPX = true
			case (name == "rte" || name == "trk") && parent == "gpx":
				cur = &gpxGroup{kind: name}
				groups = append(groups, cur)
			case (name == "name" || name == "desc") && (parent == "rte" || parent == "trk") && cur != nil:
				var s string
				if err := d.DecodeElement(&s, &t); err != nil {
					return nil, nil, fmt.Errorf("line %d: %w", line, err)
				}
				if name == "name" {
					cur.name = clean(s)
				} else {
					cur.desc = clean(s)
				}
				continue
			case name == "wpt" && parent == "gpx", name == "rtept" && parent == "rte", name == "trkpt" && parent == "trkseg":
				// InputPos is past the start tag: the point's line is
				// where its tag ended, which is where it starts in
				// one-point-per-line files.
				line, _ = d.InputPos()
				var pt gpxPoint
				if err := d.DecodeElement(&pt, &t); err != nil {
					return nil, nil, fmt.Errorf("line %d: %w", line, err)
				}
				g := cur
				if name == "wpt" {
					g = wpts
				}
				lat, err1 := strconv.ParseFloat(strings.TrimSpace(pt.Lat), 64)
				lon, err2 := strconv.ParseFloat(strings.TrimSpace(pt.Lon), 64)
				if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
					p.bad(line, "%s: bad coordinates lat=%q lon=%q", name, pt.Lat, pt.Lon)
					continue
				}
				g.pts, g.lines = append(g.pts, pt), append(g.lines, line)
				g.lat, g.lon = append(g.lat, lat), append(g.lon, lon)
				continue
			}
			stack = append(stack, name)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if !sawGPX {
		return nil, nil, fmt.Errorf("not a GPX file: no <gpx> root")
	}
	return append(groups, wpts), p, nil
}

// estimates costs each route with the user's fuel economy (the mean of
// their latest five recorded consumptions) and latest price per litre.
func (im *Importer) estimates(ctx context.Context, user string, routes []routePlan) ([]Estimate, error) {
	var l100s []float64
	price := int64(-1)
	q := schema.Query{Order: []schema.Order{{Column: "date", Desc: true}, {Column: "odometer", Desc: true}}}
	errDone := errors.New("done")
	err := im.Store.Each(ctx, user, "fuel_log", q, func(r schema.Row) error {
		if x, ok := r["consumption"].(float64); ok && x > 0 && len(l100s) < 5 {
			l100s = append(l100s, x)
		}
		if price < 0 && r["price"] != nil {
			if n, err := schema.ParseDecimal(r["price"], 3); err == nil && n > 0 {
				price = n
			}
		}
		if len(l100s) == 5 && price >= 0 {
			return errDone
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return nil, err
	}
	currency := "USD" // the profiles default
	if p, err := im.Store.Get(ctx, user, "profiles", user); err == nil {
		if c, _ := p["currency"].(string); c != "" {
			currency = c
		}
	} else if schema.ErrorCode(err) != schema.ENOTFOUND {
		return nil, err
	}
	l100 := 0.0
	for _, x := range l100s {
		l100 += x / float64(len(l100s))
	}
	out := make([]Estimate, 0, len(routes))
	for _, r := range routes {
		e := Estimate{Route: r.name, Points: r.points, KM: round(r.km, 1), Miles: round(r.km/kmPerMile, 1)}
		switch {
		case l100 == 0:
			e.Missing = "no fuel economy recorded yet (log or import two full fill-ups)"
		default:
			e.L100 = round(l100, 2)
			e.Litres = round(r.km*l100/100, 1)
			if price < 0 {
				e.Missing = "no fuel price recorded yet"
				break
			}
			e.Price = schema.FormatDecimal(price, 3)
			e.Cost = schema.FormatDecimal(int64(math.Round(r.km*l100/100*float64(price)/10)), 2)
			e.Currency = currency
		}
		out = append(out, e)
	}
	return out, nil
}
