package transfer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/transfer"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"
)

const user = "0190c1a2-7b3c-7def-8123-456789abcdef"

// mustOpenStore opens a store on a fresh SQLite file with a fixed clock.
func mustOpenStore(tb testing.TB) *localstore.Store {
	tb.Helper()
	return storetest.Open(tb, storetest.Options{Start: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)})
}

func importer(s *localstore.Store) *transfer.Importer {
	return &transfer.Importer{Store: s, Catalog: s.Catalog, Now: s.Now}
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// mustImport imports a testdata file and fails the test on error.
func mustImport(tb testing.TB, s *localstore.Store, kind transfer.Kind, file string, opt transfer.Options) *transfer.Summary {
	tb.Helper()
	sum, err := importer(s).Import(context.Background(), user, kind, readTestdata(tb, file), opt)
	if err != nil {
		tb.Fatalf("import %s %s: %v", kind, file, err)
	}
	return sum
}

// rows reads all of user's rows of a table by id.
func rows(tb testing.TB, s *localstore.Store, table string) []schema.Row {
	tb.Helper()
	var out []schema.Row
	q := schema.Query{Order: []schema.Order{{Column: "id"}}}
	if err := s.Each(context.Background(), user, table, q, func(r schema.Row) error { out = append(out, r); return nil }); err != nil {
		tb.Fatal(err)
	}
	return out
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return math.NaN()
}

var bankMap = map[string]string{"date": "Posted", "amount": "Amount", "description": "Payee", "category": "Category"}

// TestFuelEconomy checks each fill's consumption and the vehicle's
// economy against the figures Fuelly and LubeLogger show, computed by hand
// (1 US gal = 3.785411784 L, 1 mi = 1.609344 km, mpg = 235.2146 / L/100km):
//
// fuelly.csv (US units; the file's own mpg column holds the same figures):
//
//	01-05  10000 mi  10.0 gal  full     first fill: no figure
//	01-12  10300 mi  10.0 gal  full     300 mi / 10 gal = 30.0 mpg = 7.84 L/100km
//	01-20  10450 mi   4.0 gal  partial  carried into the next full fill
//	01-27  10750 mi   8.5 gal  full     450 mi / (4 + 8.5) gal = 36.0 mpg = 6.53 L/100km
//	02-03  11200 mi  12.0 gal  full, missed fill-up: no figure, the interval restarts
//	02-10  11500 mi  12.0 gal  full     300 mi / 12 gal = 25.0 mpg = 9.41 L/100km
//	overall: (300+450+300) mi / (10+12.5+12) gal = 1050/34.5 = 30.43 mpg
//	         = 130.597 L / 1689.8 km = 7.73 L/100km
//
// lubelogger_fuel.csv (US units):
//
//	03-01  50000 mi  15 gal  full     first fill
//	03-08  50240 mi   5 gal  partial  carried
//	03-15  50480 mi  15 gal  full     480 mi / 20 gal = 24.0 mpg = 9.80 L/100km
//	03-22  50800 mi  16 gal  full, missed fill-up: no figure
//	03-29  51125 mi  12.5 gal full    325 mi / 12.5 gal = 26.0 mpg = 9.05 L/100km
//	04-05  51400 mi  11 gal  full     275 mi / 11 gal = 25.0 mpg = 9.41 L/100km
//	overall: 1080 mi / 43.5 gal = 24.83 mpg = 9.47 L/100km
//
// fuelly_metric.csv: 500 km on 35 L = 7.00 L/100km (33.60 mpg).
func TestFuelEconomy(t *testing.T) {
	tests := []struct {
		name    string
		kind    transfer.Kind
		file    string
		perFill map[string]float64 // date -> L/100km stored; other fills have none
		l100    float64
		mpg     float64
		counted int
		vehicle string
	}{
		{"Fuelly", transfer.KindFuelly, "fuelly.csv",
			map[string]float64{"2024-01-12": 7.84, "2024-01-27": 6.53, "2024-02-10": 9.41}, 7.73, 30.43, 3, "Big Rig"},
		{"LubeLogger", transfer.KindLubeLoggerFuel, "lubelogger_fuel.csv",
			map[string]float64{"2024-03-15": 9.80, "2024-03-29": 9.05, "2024-04-05": 9.41}, 9.47, 24.83, 3, ""},
		{"FuellyMetric", transfer.KindFuelly, "fuelly_metric.csv",
			map[string]float64{"2024-05-08": 7.00}, 7.00, 33.60, 1, "Camper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpenStore(t)
			sum := mustImport(t, s, tt.kind, tt.file, transfer.Options{})
			if len(sum.Economy) != 1 {
				t.Fatalf("economy for %d vehicles, want 1: %+v", len(sum.Economy), sum.Economy)
			}
			e := sum.Economy[0]
			if e.Vehicle != tt.vehicle || e.L100 != tt.l100 || e.MPG != tt.mpg || e.Counted != tt.counted {
				t.Errorf("economy = %+v, want %s %.2f L/100km %.2f mpg over %d intervals", e, tt.vehicle, tt.l100, tt.mpg, tt.counted)
			}
			got := map[string]float64{}
			for _, r := range rows(t, s, "fuel_log") {
				if r["consumption"] != nil {
					got[r["date"].(string)] = num(r["consumption"])
				}
			}
			if !reflect.DeepEqual(got, tt.perFill) {
				t.Errorf("stored consumption = %v, want %v", got, tt.perFill)
			}
		})
	}
}

// TestFuelUnits checks the metric storage of a US fill: Fuelly's first
// line, 10.000 gal at $3.299/gal at 10000 mi.
func TestFuelUnits(t *testing.T) {
	s := mustOpenStore(t)
	mustImport(t, s, transfer.KindFuelly, "fuelly.csv", transfer.Options{})
	for _, r := range rows(t, s, "fuel_log") {
		if r["date"] != "2024-01-05" {
			continue
		}
		// 10 gal = 37.854 L; 10000 mi = 16093.4 km; 3.299/3.785411784 =
		// 0.8715 -> 0.872 per litre; 10 x 3.299 = 32.99.
		want := schema.Row{"volume": 37.854, "odometer": 16093.4, "price": "0.872", "total": "32.99", "filled_to_top": true, "location": "Shell"}
		for k, v := range want {
			if r[k] != v {
				t.Errorf("%s = %#v, want %#v", k, r[k], v)
			}
		}
		return
	}
	t.Fatal("the 2024-01-05 fill was not imported")
}

func TestImportTwiceAddsNothing(t *testing.T) {
	tests := []struct {
		kind  transfer.Kind
		file  string
		opt   transfer.Options
		table string
		n     int
	}{
		{transfer.KindFuelly, "fuelly.csv", transfer.Options{}, "fuel_log", 6},
		{transfer.KindLubeLoggerFuel, "lubelogger_fuel.csv", transfer.Options{}, "fuel_log", 6},
		{transfer.KindLubeLoggerService, "lubelogger_service.csv", transfer.Options{}, "maintenance_records", 3},
		// 5 lines: the paycheck is a credit, skipped; the two equal
		// coffees of 03-04 are two expenses.
		{transfer.KindExpensesCSV, "bank.csv", transfer.Options{Map: bankMap}, "expenses", 4},
		{transfer.KindGPX, "route500.gpx", transfer.Options{}, "manual_waypoints", 505},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			s := mustOpenStore(t)
			first := mustImport(t, s, tt.kind, tt.file, tt.opt)
			if first.Added[tt.table] != tt.n {
				t.Fatalf("first import added %v, want %d %s", first.Added, tt.n, tt.table)
			}
			before := rows(t, s, tt.table)
			second := mustImport(t, s, tt.kind, tt.file, tt.opt)
			for table, n := range second.Added {
				if n != 0 {
					t.Errorf("second import added %d %s", n, table)
				}
			}
			if second.Existing[tt.table] != tt.n {
				t.Errorf("second import found %d %s present, want %d", second.Existing[tt.table], tt.table, tt.n)
			}
			if after := rows(t, s, tt.table); !reflect.DeepEqual(before, after) {
				t.Errorf("rows changed by the second import: %d before, %d after", len(before), len(after))
			}
		})
	}
}

func TestBadRowWritesNothing(t *testing.T) {
	tests := []struct {
		name  string
		kind  transfer.Kind
		data  []byte
		opt   transfer.Options
		table string
		line  int
		says  string
	}{
		{"LubeLoggerVolume", transfer.KindLubeLoggerFuel, readTestdata(t, "lubelogger_fuel_bad.csv"), transfer.Options{}, "fuel_log", 5, "FuelConsumed"},
		{"FuellyDate", transfer.KindFuelly, []byte(strings.Replace(string(readTestdata(t, "fuelly.csv")), "2024-01-27,", "next tuesday,", 1)),
			transfer.Options{}, "fuel_log", 5, "fuelup_date"},
		{"BankAmount", transfer.KindExpensesCSV, []byte(strings.Replace(string(readTestdata(t, "bank.csv")), "-45.00", "forty", 1)),
			transfer.Options{Map: bankMap}, "expenses", 2, "Amount"},
		{"ServiceDescription", transfer.KindLubeLoggerService, []byte("Date,Description,Cost,Notes,Odometer,Tags\n1/10/2024,Oil change,89.99,,49500,\n2/20/2024,,40.00,,50100,\n"),
			transfer.Options{}, "maintenance_records", 3, "Description"},
		{"GPXLatitude", transfer.KindGPX, []byte(strings.Replace(string(readTestdata(t, "route500.gpx")), `lat="38.2000"`, `lat="138.2000"`, 1)),
			// The first trkpt is on line 14; the 201st (38.2000) on 214.
			transfer.Options{}, "manual_waypoints", 214, "bad coordinates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpenStore(t)
			_, err := importer(s).Import(context.Background(), user, tt.kind, tt.data, tt.opt)
			var re *transfer.RowsError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a RowsError", err)
			}
			if len(re.Problems) != 1 || re.Problems[0].Line != tt.line || !strings.Contains(re.Problems[0].Message, tt.says) {
				t.Errorf("problems = %v, want one on line %d about %s", re.Problems, tt.line, tt.says)
			}
			if !strings.Contains(err.Error(), "nothing imported") {
				t.Errorf("error %q does not say nothing was imported", err)
			}
			for _, table := range []string{tt.table, "offroad_routes", "profiles"} {
				if n := len(rows(t, s, table)); n != 0 {
					t.Errorf("%d %s rows written", n, table)
				}
			}
		})
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	s := mustOpenStore(t)
	sum := mustImport(t, s, transfer.KindGPX, "route500.gpx", transfer.Options{DryRun: true})
	if sum.Added["manual_waypoints"] != 505 || sum.Added["offroad_routes"] != 2 {
		t.Errorf("dry run would add %v, want 505 waypoints and 2 routes", sum.Added)
	}
	if n := len(rows(t, s, "manual_waypoints")); n != 0 {
		t.Errorf("dry run wrote %d waypoints", n)
	}
}

// TestGPX500 imports a 500-point track, a 3-point route and 2 waypoints.
// The track steps 0.001 degree of latitude 499 times: 0.499 degree x
// 111.195 km (2 pi x 6371.0088 / 360) = 55.49 km. The estimate uses the
// mean of the latest consumptions (LubeLogger's 9.80, 9.05, 9.41 ->
// 9.42 L/100km) and the latest price (04-05: 39.49 / 41.640 L = 0.948/L):
// 55.486 km x 9.42/100 = 5.2 L, x 0.948 = 4.96.
func TestGPX500(t *testing.T) {
	s := mustOpenStore(t)
	none := mustImport(t, s, transfer.KindGPX, "route500.gpx", transfer.Options{DryRun: true})
	if len(none.Routes) != 2 || none.Routes[1].Missing == "" {
		t.Fatalf("without fuel history: routes = %+v, want 2 with no cost", none.Routes)
	}
	mustImport(t, s, transfer.KindLubeLoggerFuel, "lubelogger_fuel.csv", transfer.Options{})
	sum := mustImport(t, s, transfer.KindGPX, "route500.gpx", transfer.Options{})
	if sum.Added["manual_waypoints"] != 505 || sum.Added["offroad_routes"] != 2 {
		t.Fatalf("added %v, want 505 waypoints and 2 routes", sum.Added)
	}
	want := transfer.Estimate{Route: "White Rim 500", Points: 500, KM: 55.5, Miles: 34.5, L100: 9.42, Litres: 5.2, Price: "0.948", Cost: "4.96", Currency: "USD"}
	if got := sum.Routes[1]; got != want {
		t.Errorf("estimate = %+v, want %+v", got, want)
	}
	var trips []string
	seen := map[string]bool{}
	for _, r := range rows(t, s, "manual_waypoints") {
		if id := r["trip_id"].(string); !seen[id] {
			seen[id] = true
			trips = append(trips, id)
		}
	}
	if len(trips) != 3 {
		t.Fatalf("%d trips, want 3 (track, route, waypoints)", len(trips))
	}
	routes := map[string]schema.Row{}
	for _, id := range trips {
		if r, err := s.Get(context.Background(), user, "offroad_routes", id); err == nil {
			routes[r["route_name"].(string)] = r
		}
	}
	wr, ok := routes["White Rim 500"]
	if !ok {
		t.Fatalf("no offroad_routes entry for the track: %v", routes)
	}
	if num(wr["distance_miles"]) != 34.48 || num(wr["latitude"]) != 38.0 {
		t.Errorf("track entry: %.2f mi from %v, want 34.48 mi (55.486 km) from 38.0", num(wr["distance_miles"]), wr["latitude"])
	}
}

func BenchmarkImportGPX500(b *testing.B) {
	data := readTestdata(b, "route500.gpx")
	for b.Loop() {
		b.StopTimer()
		s := mustOpenStore(b)
		im := importer(s)
		b.StartTimer()
		if _, err := im.Import(context.Background(), user, transfer.KindGPX, data, transfer.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExportRoundTrip exports a user's data and imports the zip into a
// fresh store: every exported table holds the same rows (updated_at
// aside: a restored row's is its created_at).
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := mustOpenStore(t)
	mustImport(t, a, transfer.KindFuelly, "fuelly.csv", transfer.Options{})
	mustImport(t, a, transfer.KindLubeLoggerService, "lubelogger_service.csv", transfer.Options{})
	mustImport(t, a, transfer.KindExpensesCSV, "bank.csv", transfer.Options{Map: bankMap})
	mustImport(t, a, transfer.KindGPX, "route500.gpx", transfer.Options{})
	if _, err := a.Create(ctx, user, "profiles", schema.Row{"full_name": "Pat Road", "units": "us"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Create(ctx, user, "budgets", schema.Row{"category": "fuel", "budgeted_amount": "400.00", "start_date": "2024-01-01", "end_date": "2024-12-31"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Create(ctx, user, "calendar_events", schema.Row{"title": "Moab", "start_date": "2024-04-01T09:00:00Z", "end_date": "2024-04-05T17:00:00Z", "event_type": "trip"}); err != nil {
		t.Fatal(err)
	}

	// Public groups are readable by all: only the user's own is theirs.
	const bob = "0190c1a2-7b3c-7def-8123-00000000b0b0"
	if _, err := a.Create(ctx, bob, "social_groups", schema.Row{"name": "Bob's convoy"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Create(ctx, user, "social_groups", schema.Row{"name": "Desert rats"}); err != nil {
		t.Fatal(err)
	}

	var zipped bytes.Buffer
	m, err := importer(a).Export(ctx, user, &zipped)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	for _, want := range []string{"manifest.json", "json/fuel_log.json", "csv/fuel_log.csv", "json/expenses.json", "csv/manual_waypoints.csv", "json/offroad_routes.json"} {
		if !contains(names, want) {
			t.Errorf("zip lacks %s: %v", want, names)
		}
	}
	gpx := 0
	for _, n := range names {
		if strings.HasPrefix(n, "gpx/") {
			gpx++
		}
	}
	if gpx != 3 {
		t.Errorf("%d GPX files, want 3 (track, route, waypoints)", gpx)
	}
	wantTables := map[string]int{"profiles": 1, "fuel_log": 6, "maintenance_records": 3, "expenses": 4, "manual_waypoints": 505,
		"offroad_routes": 2, "budgets": 1, "calendar_events": 1, "social_groups": 1}
	if !reflect.DeepEqual(m.Tables, wantTables) {
		t.Errorf("manifest tables = %v, want %v", m.Tables, wantTables)
	}

	b := mustOpenStore(t)
	sum, err := importer(b).Import(ctx, user, transfer.KindPAMExport, zipped.Bytes(), transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sum.Added, wantTables) {
		t.Errorf("restore added %v, want %v", sum.Added, wantTables)
	}
	for table := range wantTables {
		ra, rb := comparable(t, a, table), comparable(t, b, table)
		if table == "social_groups" {
			ra = ownedBy(ra, "owner_id", user)
		}
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("%s differs after the round trip:\n before %v\n after  %v", table, ra, rb)
		}
	}
	again, err := importer(b).Import(ctx, user, transfer.KindPAMExport, zipped.Bytes(), transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range again.Added {
		if n != 0 {
			t.Errorf("a second restore added %d %s", n, table)
		}
	}
	if _, err := importer(b).Import(ctx, "0190c1a2-7b3c-7def-8123-000000000000", transfer.KindPAMExport, zipped.Bytes(), transfer.Options{}); err == nil {
		t.Error("another user restored this user's export")
	}
}

// comparable is a table's rows without updated_at, JSON values as text.
func comparable(tb testing.TB, s *localstore.Store, table string) []map[string]string {
	tb.Helper()
	var out []map[string]string
	q := schema.Query{Order: []schema.Order{{Column: "id"}}}
	err := s.Each(context.Background(), user, table, q, func(r schema.Row) error {
		m := map[string]string{}
		for k, v := range r {
			if k != "updated_at" {
				m[k] = valueText(v)
			}
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case []byte:
		return string(x)
	}
	return strings.TrimSpace(strings.ReplaceAll(fmtValue(v), " ", ""))
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// bigGPX is a track of n points, one per line after line 3.
func bigGPX(n int) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk><name>Long haul</name><trkseg>\n")
	for i := range n {
		fmt.Fprintf(&b, "<trkpt lat=\"%.5f\" lon=\"-110.00000\"/>\n", 40+float64(i)*0.0005)
	}
	b.WriteString("</trkseg></trk>\n</gpx>\n")
	return []byte(b.String())
}

// bigBank is a bank CSV of n debits, one a day.
func bigBank(n int) []byte {
	var b strings.Builder
	b.WriteString("Posted,Payee,Amount,Category\n")
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, "%s,Shop %d,-%d.%02d,misc\n", day.AddDate(0, 0, i).Format("2006-01-02"), i, 1+i%90, i%100)
	}
	return []byte(b.String())
}

// TestLargeFile imports files over one batch (localstore.MaxBulkOps):
// they are written with Store.Load, one transaction per table, with their
// change records (so sync pushes them); a second import adds nothing and
// a bad last line writes nothing.
func TestLargeFile(t *testing.T) {
	tests := []struct {
		name  string
		kind  transfer.Kind
		data  []byte
		opt   transfer.Options
		table string
		n     int
		bad   func([]byte) []byte
		line  int
	}{
		{"GPX1500", transfer.KindGPX, bigGPX(1500), transfer.Options{}, "manual_waypoints", 1500,
			func(b []byte) []byte { return bytes.Replace(b, []byte(`lat="40.74950"`), []byte(`lat="x"`), 1) }, 1503},
		{"Bank2500", transfer.KindExpensesCSV, bigBank(2500), transfer.Options{Map: bankMap}, "expenses", 2500,
			func(b []byte) []byte { return append(b, "2026-13-45,Oops,-1.00,misc\n"...) }, 2502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := mustOpenStore(t)
			_, err := importer(s).Import(ctx, user, tt.kind, tt.bad(tt.data), tt.opt)
			var re *transfer.RowsError
			if !errors.As(err, &re) || re.Problems[0].Line != tt.line {
				t.Fatalf("bad file: %v, want line %d named", err, tt.line)
			}
			if n := len(rows(t, s, tt.table)); n != 0 {
				t.Fatalf("the bad file wrote %d rows", n)
			}
			sum, err := importer(s).Import(ctx, user, tt.kind, tt.data, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Added[tt.table] != tt.n || len(rows(t, s, tt.table)) != tt.n {
				t.Fatalf("added %v, want %d %s", sum.Added, tt.n, tt.table)
			}
			pending, err := s.PendingChanges(ctx)
			if err != nil || pending < tt.n {
				t.Errorf("%d changes to push (%v), want at least %d", pending, err, tt.n)
			}
			again, err := importer(s).Import(ctx, user, tt.kind, tt.data, tt.opt)
			if err != nil || again.Added[tt.table] != 0 || again.Existing[tt.table] != tt.n {
				t.Errorf("second import: %+v %v", again, err)
			}
		})
	}
}

// ownedBy keeps the rows of owner.
func ownedBy(rows []map[string]string, col, owner string) []map[string]string {
	var out []map[string]string
	for _, r := range rows {
		if r[col] == valueText(owner) {
			out = append(out, r)
		}
	}
	return out
}
