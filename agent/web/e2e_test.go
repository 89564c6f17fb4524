package web_test

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/contextengine"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/agent/transfer"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/replica"
	"github.com/pam-rv/pamd/sync/runner"
)

// The browser test runs wherever Chromium is installed (Debian's
// chromium; .ci/deps installs it, with axe-core from npm): `make test` runs
// it. Without a browser it is skipped, except under CI=true, where a
// missing browser or axe-core fails it. Screenshots go to the test's
// artifact directory:
//
//	go test -run E2E -artifacts -outputdir /tmp/ui ./agent/web
func chromiumPath(t testing.TB) string {
	t.Helper()
	if testing.Short() && !underCI() {
		t.Skip("browser test: not in -short mode")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if underCI() {
		t.Fatal("CI=true but no chromium on PATH: .ci/deps installs it (apt-get install chromium)")
	}
	t.Skip("browser test: no chromium on PATH (apt-get install chromium, or run .ci/deps as root)")
	return ""
}

func underCI() bool { return os.Getenv("CI") == "true" }

// axePath finds axe-core's axe.min.js: $PAM_AXE, else where .ci/deps puts
// it ($PAM_CACHE, else the user's cache directory, /pamd). "" when absent
// outside CI; under CI a missing axe-core fails the test.
func axePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PAM_AXE"); p != "" {
		return p
	}
	cache := os.Getenv("PAM_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err == nil {
			cache = filepath.Join(dir, "pamd")
		}
	}
	p := filepath.Join(cache, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if underCI() {
		t.Fatalf("CI=true but no axe-core at %s: .ci/deps installs it with npm", p)
	}
	t.Logf("no axe-core at %s (run .ci/deps): the accessibility audit is left out", p)
	return ""
}

// newBrowser starts headless Chromium with a fresh profile, closed to
// everything but the test's server: no sandbox (CI runs as root), no GPU,
// no QUIC, no first-run, component update, sync or background traffic.
func newBrowser(t testing.TB, ctx context.Context, exe string) context.Context {
	bctx, _ := newBrowserDownloads(t, ctx, exe)
	return bctx
}

// newBrowserDownloads is newBrowser that also answers the directory its
// downloads go to (a temporary one, never the user's).
func newBrowserDownloads(t testing.TB, ctx context.Context, exe string) (context.Context, string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 600),
	)
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelA)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	// The browser lives as long as the context of its first run: start it
	// here, with no step timeout on it.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	downloads := t.TempDir()
	if _, err := cdp.Call(bctx, chromedp.FromContext(bctx).Browser, browser.SetDownloadBehavior,
		browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("downloads: %v", err)
	}
	return bctx, downloads
}

// fullEnv is pamd's API as cmd/pamd wires it with no model and a central
// database that cannot be reached (a closed port): the real store owned
// by alice, the 44 tools, the offline answerer behind the router, the
// notifications hub, the sync runner trying and failing, import and
// export.
func fullEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	s := localstore.New(filepath.Join(t.TempDir(), localstore.FileName), schema.Default())
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.SetOwner(ctx, alice); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := api.NewServer(s, s, s.Catalog)
	a.Logger = logger
	reg := tools.NewRegistry(s)
	gate := offline.New(reg)
	router := llm.NewRouter(gate)
	router.Logger = logger
	a.MountAssistant(&chat.Service{Model: router, Tools: reg, Memory: s, Gate: gate, Logger: logger,
		Knowledge: &contextengine.Engine{Store: s}}, reg)
	hub := &notify.Hub{}
	a.MountIntelligence(reg, hub)
	a.MountTransfer(&transfer.Importer{Store: s, Catalog: s.Catalog, Now: s.Now})

	// The central database: a port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	pool, err := pgxpool.New(ctx, "postgres://pam@"+dead+"/pam?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	rep := replica.New(s, pool)
	rep.Logger = logger
	sy := runner.New(rep)
	sy.Logger = logger
	sy.Probe = func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return pool.Ping(ctx)
	}
	s.OnWrite = sy.Poke
	if err := sy.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sy.Close)
	a.MountSync(sy, s)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	tok, err := s.IssueToken(ctx, alice, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, store: s, token: tok, hub: hub}
}

const rig = "0190b000-0000-7000-8000-0000000000a1"

// seed gives alice a month that looks like a month on the road: budgets,
// expenses, fills of the rig, a service due, a trip ahead.
func seed(t testing.TB, s *localstore.Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.Local)
	last := first.AddDate(0, 1, -1)
	inMonth := func(d int) string { // a day of this month, d days after the 1st, never after today
		x := first.AddDate(0, 0, d)
		if x.After(now) {
			x = now
		}
		return x.Format(time.DateOnly)
	}
	rows := []struct {
		table string
		row   schema.Row
	}{
		{"budgets", schema.Row{"category": "groceries", "name": "Groceries", "budgeted_amount": "600.00", "start_date": first.Format(time.DateOnly), "end_date": last.Format(time.DateOnly)}},
		{"budgets", schema.Row{"category": "camping", "name": "Camping", "budgeted_amount": "450.00", "start_date": first.Format(time.DateOnly), "end_date": last.Format(time.DateOnly)}},
		{"budgets", schema.Row{"category": "fuel", "name": "Fuel", "budgeted_amount": "500.00", "start_date": first.Format(time.DateOnly), "end_date": last.Format(time.DateOnly)}},
		{"expenses", schema.Row{"amount": "142.60", "category": "groceries", "date": inMonth(1), "description": "Market, Moab"}},
		{"expenses", schema.Row{"amount": "88.15", "category": "groceries", "date": inMonth(3), "description": "Co-op, Moab"}},
		{"expenses", schema.Row{"amount": "396.00", "category": "camping", "date": inMonth(2), "description": "Sand Flats, 6 nights"}},
		{"expenses", schema.Row{"amount": "34.50", "category": "dining", "date": inMonth(4), "description": "Diner"}},
		{"maintenance_records", schema.Row{"task": "Oil and filter", "date": day(-80), "mileage": 84200, "status": "completed", "cost": "189.00", "next_due_date": day(12), "next_due_mileage": 92200}},
		{"maintenance_records", schema.Row{"task": "Generator service", "date": day(-200), "mileage": 79000, "status": "completed", "next_due_date": day(40)}},
		{"calendar_events", schema.Row{"title": "Zion, Watchman campground", "event_type": "trip", "location_name": "Springdale, UT",
			"start_date": now.AddDate(0, 0, 5).UTC().Format(time.RFC3339), "end_date": now.AddDate(0, 0, 9).UTC().Format(time.RFC3339)}},
	}
	odo := 84000.0
	for i, l := range []float64{118, 96, 131, 104, 122, 99} {
		odo += l * 100 / (29 + float64(i%3)*1.7)
		rows = append(rows, struct {
			table string
			row   schema.Row
		}{"fuel_log", schema.Row{"vehicle_id": rig, "date": day(-62 + i*12), "volume": l, "price": "1.459",
			"total": fmt.Sprintf("%.2f", l*1.459), "odometer": float64(int(odo)), "filled_to_top": true}})
	}
	for _, r := range rows {
		if _, err := s.Create(ctx, alice, r.table, r.row); err != nil {
			t.Fatalf("seed %s: %v", r.table, err)
		}
	}
}

func TestE2EDashboard(t *testing.T) {
	exe := chromiumPath(t)
	axe := axePath(t)
	e := fullEnv(t)
	seed(t, e.store)
	out := t.ArtifactDir()
	// A safety net for a wedged browser, not a performance budget.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bctx, downloads := newBrowserDownloads(t, ctx, exe)

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.CaptureScreenshot()(ctx, tg) // the viewport, as the person sees it
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(out, name), png, 0o644)
		})
	}
	textIn := func(c context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	text := func(sel string) string { t.Helper(); return textIn(bctx, sel) }
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](expr)(ctx, tg)
			return err
		})
	}
	eval := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](expr+";true")(ctx, tg)
			return err
		})
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	// audit runs axe-core on the page as it is: no serious or critical
	// violation. DevTools evaluation is not subject to the page's CSP.
	audits := 0
	violations := func(c context.Context, where string) []string {
		t.Helper()
		src, err := os.ReadFile(axe)
		if err != nil {
			t.Fatalf("axe-core: %v", err)
		}
		if _, err := chromedp.Run(c, chromedp.Evaluate[bool](`typeof axe !== 'undefined' || (function () {`+string(src)+`
}).call(window), true`)); err != nil {
			t.Fatalf("load axe: %v", err)
		}
		found, err := chromedp.Run(c, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations
			.filter((v) => v.impact === 'serious' || v.impact === 'critical')
			.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("axe on %s: %v", where, err)
		}
		return found
	}
	audit := func(c context.Context, where string) {
		t.Helper()
		if axe == "" {
			return
		}
		audits++
		for _, v := range violations(c, where) {
			t.Errorf("axe, %s: %s", where, v)
		}
	}

	// Sign in by pasting the token, as a person would; a wrong one is
	// refused in words.
	run(t, bctx, "wrong token",
		chromedp.EmulateViewport(1024, 600, chromedp.EmulateLandscape),
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(css("#token")),
		chromedp.SendKeys(css("#token"), "pam_not-a-token"),
		chromedp.Click(css(`form button[type="submit"]`)),
		poll(`!!document.querySelector('[role="alert"]') && document.querySelector('[role="alert"]').textContent.includes('does not know this token')`),
	)
	audit(bctx, "dashboard, sign-in")
	run(t, bctx, "sign in",
		eval(`document.getElementById('token').value = ''`),
		chromedp.SendKeys(css("#token"), e.token),
		chromedp.Click(css(`form button[type="submit"]`)),
		chromedp.WaitVisible(css("#month-total")),
		chromedp.WaitVisible(css("#fuel svg.chart")),
	)
	// What the first load transferred, as the browser counts it: the page
	// and every /ui/ file (the API's answers are data, not the app).
	transferred, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
		.filter((e) => e.entryType === 'navigation' || new URL(e.name).pathname.startsWith('/ui/'))
		.reduce((a, e) => a + e.transferSize, 0)`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first load transferred %.0f bytes (budget %d)", transferred, firstLoadBudget)
	if transferred <= 0 || transferred >= firstLoadBudget {
		t.Errorf("first load transferred %.0f bytes, budget %d", transferred, firstLoadBudget)
	}
	total := text("#month-total")
	budgets, maint, trips := text("#spend"), text("#maint"), text("#trips")
	run(t, bctx, "dashboard screenshot", shot("dashboard-1024x600.png"))
	for _, want := range []struct{ where, text string }{
		{total, "spent in"}, {budgets, "Groceries"}, {budgets, "of 600.00"}, {maint, "Oil and filter"}, {maint, "92,200 km"}, {trips, "Zion"},
	} {
		if !strings.Contains(want.where, want.text) {
			t.Errorf("overview lacks %q in %q", want.text, want.where)
		}
	}
	audit(bctx, "dashboard, day, today")

	// The central database is configured and cannot be reached: the sync
	// indicator says offline, and everything below still works.
	run(t, bctx, "central unreachable",
		poll(`document.getElementById('sync-pill').dataset.state === 'offline' && document.querySelector('#sync-pill .label').textContent.startsWith('Offline')`))
	t.Logf("sync indicator: %q", text("#sync-pill .label"))

	// A notification pushed by pamd arrives live on the overview.
	run(t, bctx, "notifications socket", poll(`document.getElementById('live').textContent === 'Live'`))
	if n := e.hub.Publish(alice, notify.Notification{Type: "maintenance_due", Title: "Oil change due in 12 days", Body: "Oil and filter at 92,200 km", TS: time.Now().UTC()}); n != 1 {
		t.Fatalf("the notification reached %d subscribers, want the page", n)
	}
	run(t, bctx, "notification arrives", poll(`document.querySelector('.feed') && document.querySelector('.feed').textContent.includes('Oil change due in 12 days')`))

	// Quick entry: tap "+ Expense", type a number, tap save, with the
	// central database out of reach: the write is local, the overview
	// changes, and the change waits to sync.
	before := total
	run(t, bctx, "quick expense",
		chromedp.Click(css("#quick-expense")),
		chromedp.WaitVisible(css("#qe-amount")),
		chromedp.SendKeys(css("#qe-amount"), "57.25"),
		chromedp.Click(css(`dialog.sheet button[type="submit"]`)),
		chromedp.WaitNotPresent(css("dialog.sheet")),
		poll(fmt.Sprintf(`!!document.querySelector('#month-total') && document.querySelector('#month-total').textContent !== %q`, before)),
		poll(`document.querySelector('#sync-pill .label').textContent.startsWith('Offline') && / \d+ pending/.test(document.querySelector('#sync-pill .label').textContent)`),
	)
	if total = text("#month-total"); total == before {
		t.Errorf("month total did not change: %q", total)
	}
	res, err := e.store.Find(context.Background(), alice, "expenses", schema.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range res.Rows {
		if fmt.Sprint(r["amount"]) == "57.25" {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d expenses of 57.25 in the store, want the quick one", found)
	}
	t.Logf("central unreachable: month total %q -> %q; sync indicator %q", before, total, text("#sync-pill .label"))

	// A fill-up: tap "+ Fill-up", the amount, litres and odometer, save.
	// The vehicle is the one the fuel log knows; the fill and its fuel
	// expense are written together.
	run(t, bctx, "quick fill-up",
		chromedp.Click(css("#quick-fuel")),
		chromedp.WaitVisible(css("#qf-total")),
		chromedp.SendKeys(css("#qf-total"), "96.30"),
		chromedp.Click(css("dialog.sheet details summary")),
		chromedp.SendKeys(css("#qf-litres"), "66"),
		chromedp.SendKeys(css("#qf-odo"), "86120"),
		chromedp.Click(css(`dialog.sheet button[type="submit"]`)),
		chromedp.WaitNotPresent(css("dialog.sheet")),
		poll(`localStorage.getItem('pam.vehicle') === '`+rig+`'`),
		poll(fmt.Sprintf(`!!document.querySelector('#month-total') && document.querySelector('#month-total').textContent !== %q`, total)),
	)
	// Counted once: the fill and its expense add 96.30, not twice that.
	before, total = total, text("#month-total")
	t.Logf("after the fill-up: %q -> %q", before, total)
	if !strings.HasPrefix(total, "959.24") {
		t.Errorf("month total after a 96.30 fill-up is %q, want 959.24 (862.94 + 96.30, counted once)", total)
	}
	fills, err := e.store.Find(context.Background(), alice, "fuel_log", schema.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var fill schema.Row
	for _, f := range fills.Rows {
		if fmt.Sprint(f["total"]) == "96.30" {
			fill = f
		}
	}
	if fill == nil || fill["vehicle_id"] != rig || fmt.Sprint(fill["price"]) != "1.459" || fmt.Sprint(fill["odometer"]) != "86120" {
		t.Errorf("the fill-up in the store: %v", fill)
	}
	if !has(t, e.store, "96.30") {
		t.Error("the fill-up's fuel expense is not in the store")
	}

	// The overview interactive with the CPU throttled ×4: fresh loads
	// with the cache off, timed from navigation start to the overview's
	// data on screen (the app's pam:view:today mark) or the end of the
	// last long task, whichever is later.
	interactive := measureInteractive(t, bctx, e.srv.URL, 3)
	t.Logf("overview interactive at CPU ×4: %v (median of 3 cold loads; target < 1 s)", interactive)
	// Tests carry no wall-clock budget (CI shares its cores): only a bound
	// that catches a broken page; BenchmarkOverviewInteractive reports it.
	if interactive > interactiveBound {
		t.Errorf("overview interactive at CPU ×4 after %v, over the sanity bound %v", interactive, interactiveBound)
	}

	// Chat: the offline answerer streams its answer over /ws/chat; the
	// page shows the text as it arrives, then who answered.
	run(t, bctx, "chat",
		chromedp.Click(css(`nav a[data-view="chat"]`)),
		chromedp.WaitVisible(css("#chat-input")),
		eval(`window.__stream = [];
			new MutationObserver(() => {
				const m = [...document.querySelectorAll('.msg.pam')].pop();
				if (!m) return;
				const t = m.querySelector('.text');
				window.__stream.push({ len: t ? t.textContent.length : 0, done: !!m.querySelector('.provider') });
			}).observe(document.querySelector('.chat-log'), { subtree: true, childList: true, characterData: true })`),
		chromedp.SendKeys(css("#chat-input"), "How much did we spend on groceries this month?"),
		chromedp.Click(css(`.chat-form button[type="submit"]`)),
		chromedp.WaitVisible(css(".msg.pam .provider")),
	)
	reply, provider := text(".msg.pam .text"), text(".msg.pam .provider .badge")
	run(t, bctx, "chat screenshot", shot("chat-1024x600.png"))
	if strings.TrimSpace(reply) == "" || provider != "offline" {
		t.Errorf("chat: reply %q from %q, want an answer from offline", reply, provider)
	}
	pieces, err := chromedp.Run(bctx, chromedp.Evaluate[int](`new Set(window.__stream.filter((s) => !s.done && s.len > 0).map((s) => s.len)).size`))
	if err != nil {
		t.Fatal(err)
	}
	if pieces == 0 {
		t.Error("the answer did not arrive before the turn was done: nothing was streamed")
	}
	t.Logf("chat answer (%s), on screen in %d streamed step(s) before done: %q", provider, pieces, reply)

	// Review a conflict: a merge kept the other device's note on the
	// Co-op expense; both values are shown and the user picks theirs.
	coop := findExpense(t, e.store, "Co-op, Moab")
	err = e.store.ApplyRemote(context.Background(), func(tx *localstore.SyncTx) error {
		return tx.AddConflict(context.Background(), localstore.ConflictRecord{Table: "expenses", RowID: coop, Column: "description",
			UserID: alice, Winner: []byte(`"Co-op, Moab"`), Loser: []byte(`"Co-op (bulk oats)"`), Reason: "concurrent update"})
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, bctx, "review a conflict",
		chromedp.Click(css(`nav a[data-view="sync"]`)),
		chromedp.WaitVisible(css(".conflict .pick")),
		shot("sync-conflict-1024x600.png"),
	)
	if got := text(".conflict"); !strings.Contains(got, "Co-op, Moab") || !strings.Contains(got, "Co-op (bulk oats)") {
		t.Errorf("the conflict does not show both values: %q", got)
	}
	run(t, bctx, "pick the other value",
		chromedp.Click(css(".conflict .pick button:last-child")),
		chromedp.WaitNotPresent(css(".conflict")),
	)
	if findExpense(t, e.store, "Co-op (bulk oats)") != coop {
		t.Error("picking the other value did not restore it")
	}
	// The review is the daemon's record, not this browser's: the sync
	// indicator stops counting it and the ledger keeps it, marked.
	run(t, bctx, "the indicator stops asking",
		poll(`!document.querySelector('#sync-pill .label').textContent.includes('to review')`),
	)
	if list, err := e.store.Conflicts(context.Background(), alice, 10); err != nil || len(list) != 1 || list[0].ReviewedAt == "" {
		t.Errorf("the ledger after the review: %+v, %v", list, err)
	}

	// Pair a phone: the dashboard shows a one-time code and its QR code;
	// the phone, a browser context of its own (no token, no storage),
	// opens the address the QR code holds and becomes the owner's phone.
	run(t, bctx, "show a pairing code",
		chromedp.Click(css("#go-pair")),
		chromedp.WaitVisible(css("#pair-show")),
		chromedp.Click(css("#pair-show")),
		chromedp.WaitVisible(css("#pair-qr")),
		poll(`document.getElementById('pair-qr').complete && document.getElementById('pair-qr').naturalWidth > 0`),
		shot("pair-1024x600.png"),
	)
	code := text("#pair-code")
	pairURL, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById('pair-url').href`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pairURL, e.srv.URL+"/#/pair?code=") || !strings.Contains(pairURL, code) {
		t.Fatalf("the pairing address %q does not carry the code %q", pairURL, code)
	}
	audit(bctx, "dashboard, day, pair")
	phone, cancelP := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	defer cancelP()
	if err := chromedp.Do(phone); err != nil {
		t.Fatalf("open the phone's browser context: %v", err)
	}
	run(t, phone, "phone opens the pairing address",
		chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(pairURL),
		chromedp.WaitVisible(css("#join-code")),
		poll(fmt.Sprintf(`document.getElementById('join-code').value === %q`, code)),
		shot("phone-pair-390x844.png"),
	)
	audit(phone, "phone, day, join")
	run(t, phone, "phone pairs",
		chromedp.SendKeys(css("#join-name"), "Alice's phone"),
		chromedp.Click(css("#join-go")),
		chromedp.WaitVisible(css("#month-total")),
		chromedp.WaitVisible(css("#fuel svg.chart")),
		shot("phone-390x844.png"),
	)
	phoneToken, err := chromedp.Run(phone, chromedp.Evaluate[string](`localStorage.getItem('pam.token') + ' ' + localStorage.getItem('pam.user')`))
	if err != nil {
		t.Fatal(err)
	}
	if tok, user, _ := strings.Cut(phoneToken, " "); tok == e.token || !strings.HasPrefix(tok, "pam_") || user != alice {
		t.Errorf("the phone holds token %q for %q: want a device token of its own, for %s", tok, user, alice)
	}
	if phoneTotal := textIn(phone, "#month-total"); phoneTotal != total {
		t.Errorf("the phone shows %q, the dashboard %q", phoneTotal, total)
	}
	run(t, phone, "phone, night",
		chromedp.Click(css("#theme")),
		shot("phone-390x844-night.png"),
		chromedp.Click(css(`nav a[data-view="lists"]`)),
		chromedp.WaitVisible(css(".record")),
		shot("phone-lists-night.png"),
		chromedp.Click(css(`nav a[data-view="today"]`)),
		chromedp.WaitVisible(css("#month-total")),
	)
	audit(phone, "phone, night, today")
	// Touch targets: everything one can tap is at least 44 px each way, on
	// the phone and on the dashboard.
	for _, vp := range []struct {
		ctx  context.Context
		name string
	}{{phone, "phone"}, {bctx, "dashboard"}} {
		small, err := chromedp.Run(vp.ctx, chromedp.Evaluate[[]string](smallTargetsJS))
		if err != nil {
			t.Fatal(err)
		}
		measured, err := chromedp.Run(vp.ctx, chromedp.Evaluate[int](`document.querySelectorAll('button, a[href], input, select, textarea').length`))
		if err != nil || measured < 8 {
			t.Fatalf("%s: %d interactive elements to measure (%v): the check sees nothing", vp.name, measured, err)
		}
		if len(small) > 0 {
			t.Errorf("%s: touch targets under 44 px: %v", vp.name, small)
		}
	}

	// Delete asks first: cancel keeps the row, confirm removes it.
	countRecords := func() int {
		n, err := chromedp.Run(phone, chromedp.Evaluate[int](`document.querySelectorAll('.record').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	run(t, phone, "lists", chromedp.Click(css(`nav a[data-view="lists"]`)), chromedp.WaitVisible(css(".record")))
	audit(phone, "phone, night, lists")
	rows := countRecords()
	// Edit: the first row (the newest expense, 57.25) becomes 57.52.
	run(t, phone, "edit",
		chromedp.Click(css(".record button:not(.danger)")),
		chromedp.WaitVisible(css("#e-amount")),
		chromedp.SetValue(css("#e-amount"), "57.52"),
		chromedp.Click(css(`dialog.sheet button[type="submit"]`)),
		chromedp.WaitNotPresent(css("dialog.sheet")),
		poll(`document.querySelector('.record .sum') && document.querySelector('.record .sum').textContent.startsWith('57.52')`),
	)
	if !has(t, e.store, "57.52") || has(t, e.store, "57.25") {
		t.Error("the edit did not reach the store")
	}
	run(t, phone, "delete, then cancel",
		chromedp.Click(css(".record button.danger")),
		poll(`document.getElementById('confirm').open && document.activeElement.id === 'confirm-no'`),
		chromedp.Click(css("#confirm-no")),
		chromedp.WaitNotVisible(css("#confirm")),
	)
	if got := countRecords(); got != rows {
		t.Errorf("cancel deleted a row: %d rows, were %d", got, rows)
	}
	run(t, phone, "delete, then confirm",
		chromedp.Click(css(".record button.danger")),
		poll(`document.getElementById('confirm').open && document.activeElement.id === 'confirm-no'`),
		chromedp.Click(css("#confirm-yes")),
		chromedp.WaitNotVisible(css("#confirm")),
		poll(fmt.Sprintf(`document.querySelectorAll('.record').length === %d`, rows-1)),
	)

	// The phone out of reach of pamd: a quick expense waits on the phone
	// and reaches pamd when the phone is back.
	offline := func(off bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}})
			return err
		})
	}
	run(t, phone, "quick expense with pamd out of reach",
		offline(true),
		chromedp.Click(css("#quick-expense")),
		chromedp.WaitVisible(css("#qe-amount")),
		chromedp.SendKeys(css("#qe-amount"), "11.40"),
		chromedp.Click(css(`dialog.sheet button[type="submit"]`)),
		chromedp.WaitNotPresent(css("dialog.sheet")),
		poll(`JSON.parse(localStorage.getItem('pam.outbox') || '[]').length === 1`),
	)
	if has(t, e.store, "11.40") {
		t.Fatal("the expense reached pamd while the phone was offline")
	}
	run(t, phone, "back in reach",
		offline(false),
		chromedp.Click(css(`nav a[data-view="today"]`)),
		poll(`JSON.parse(localStorage.getItem('pam.outbox') || '[]').length === 0`),
	)
	if !has(t, e.store, "11.40") {
		t.Error("the queued expense did not reach pamd")
	}
	for _, page := range []string{"chat", "sync"} {
		run(t, phone, "open "+page, chromedp.Click(css(`nav a[data-view="`+page+`"]`)), poll(`!document.querySelector('main[aria-busy]')`))
		audit(phone, "phone, night, "+page)
	}

	// Import: upload a Fuelly file from the dashboard, check it first,
	// import it, see the summary; a second time adds nothing; a file with
	// a bad line is refused naming the line.
	fuelly, err := filepath.Abs(filepath.Join("..", "transfer", "testdata", "fuelly.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(fuelly)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(good), "\n")
	lines[3] = strings.Replace(lines[3], "4.000", "four", 1)
	bad := filepath.Join(t.TempDir(), "fuelly-bad.csv")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	fillsBefore := count(t, e.store, "fuel_log")
	summary := func(want string) chromedp.Action[chromedp.Void] {
		return poll(fmt.Sprintf(`!!document.querySelector('#imp-summary') && document.querySelector('#imp-summary').textContent.includes(%q)`, want))
	}
	run(t, bctx, "import: check first",
		chromedp.Click(css(`nav a[data-view="sync"]`)),
		chromedp.WaitVisible(css("#go-data")),
		chromedp.Click(css("#go-data")),
		chromedp.WaitVisible(css("#imp-file")),
		chromedp.SetValue(css("#imp-kind"), "fuelly"),
		chromedp.SetUploadFiles(css("#imp-file"), []string{fuelly}),
		chromedp.Click(css("#imp-check")),
		summary("Checked fuelly.csv"),
	)
	if got := count(t, e.store, "fuel_log"); got != fillsBefore {
		t.Errorf("the dry run wrote %d fill-ups", got-fillsBefore)
	}
	run(t, bctx, "import",
		chromedp.Click(css("#imp-go")),
		summary("Imported fuelly.csv"),
		shot("import-1024x600.png"),
	)
	imported := text("#imp-summary")
	added := count(t, e.store, "fuel_log") - fillsBefore
	if added == 0 || !strings.Contains(imported, "fuel log") || !strings.Contains(imported, "L/100 km") {
		t.Errorf("import: %d fill-ups added, summary %q", added, imported)
	}
	audit(bctx, "dashboard, day, import")
	run(t, bctx, "import again",
		eval(`document.querySelector('#imp-summary').replaceChildren()`),
		chromedp.Click(css("#imp-go")),
		summary("Imported fuelly.csv"),
		summary(", 0 added"),
	)
	if got := count(t, e.store, "fuel_log") - fillsBefore; got != added {
		t.Errorf("importing twice: %d fill-ups, after once %d", got, added)
	}
	run(t, bctx, "import a bad file",
		chromedp.SetUploadFiles(css("#imp-file"), []string{bad}),
		chromedp.Click(css("#imp-go")),
		summary("Nothing was imported"),
		summary("line 4"),
	)
	t.Logf("import summary: %q; bad file: %q", imported, text("#imp-summary"))
	// Export: the zip comes down behind the token.
	run(t, bctx, "export",
		chromedp.Click(css("#exp-go")),
		poll(`document.getElementById('exp-h').parentElement.textContent.includes('Downloaded')`),
	)
	zips, err := filepath.Glob(filepath.Join(downloads, "pam-export-*.zip"))
	for wait := 0; err == nil && len(zips) == 0 && wait < 300; wait++ { // the file is written after the page says so
		time.Sleep(100 * time.Millisecond)
		zips, err = filepath.Glob(filepath.Join(downloads, "pam-export-*.zip"))
	}
	if len(zips) != 1 {
		t.Fatalf("export: %v in the downloads (%v)", zips, err)
	}
	zr, err := zip.OpenReader(zips[0])
	if err != nil {
		t.Fatalf("the exported zip: %v", err)
	}
	names := []string{}
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	if !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "expenses") }) {
		t.Errorf("the export holds no expenses: %v", names)
	}
	t.Logf("export: %q, %d files in %s", text("#exp-h + p + .actions + div"), len(names), filepath.Base(zips[0]))
	run(t, bctx, "dashboard, night", chromedp.Click(css("#theme")), poll(`document.documentElement.dataset.theme === 'night'`))
	audit(bctx, "dashboard, night, import")

	// The audit is not blind: an input with no label is a critical
	// violation it reports.
	if axe != "" {
		run(t, bctx, "an unlabelled input", eval(`document.getElementById('main').append(Object.assign(document.createElement('input'), { id: 'unlabelled' }))`))
		if found := violations(bctx, "control"); !slices.ContainsFunc(found, func(v string) bool { return strings.HasPrefix(v, "label (critical)") }) {
			t.Errorf("axe did not report an input with no label: %v", found)
		}
		run(t, bctx, "remove it", eval(`document.getElementById('unlabelled').remove()`))
	}
	if axe != "" && audits < 10 {
		t.Errorf("axe ran on %d pages, want every page above", audits)
	}
	t.Logf("axe-core: %d pages audited; screenshots in %s", audits, out)
}

// BenchmarkOverviewInteractive reports how long the overview takes to be
// interactive with the CPU throttled ×4 (the issue's target: under 1 s),
// over b.N cold loads: the median as ms-interactive, the slowest as
// ms-interactive-max. The browser and the signed-in page are set up once.
func BenchmarkOverviewInteractive(b *testing.B) {
	exe := chromiumPath(b)
	e := fullEnv(b)
	seed(b, e.store)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bctx := newBrowser(b, ctx, exe)
	run(b, bctx, "sign in",
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](fmt.Sprintf(`localStorage.setItem('pam.token', %q); true`, e.token))(ctx, tg)
			return err
		}),
	)
	// One load first, not counted: a browser just started compiles its
	// own code on first use, which is not the page's cost.
	coldLoads(b, bctx, e.srv.URL, 1)
	b.ResetTimer()
	times := coldLoads(b, bctx, e.srv.URL, b.N)
	b.StopTimer()
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-interactive")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "ms-interactive-max")
}

// interactiveBound is not a budget (the issue's is 1 s at CPU ×4, and
// BenchmarkOverviewInteractive reports the figure): it only catches a
// page that never becomes usable on a shared, loaded CI box.
const interactiveBound = 15 * time.Second

// longTasksJS runs before the page's scripts: it records when each long
// task (over 50 ms on the main thread) ends.
const longTasksJS = `window.__longEnds = [];
try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longEnds.push(e.startTime + e.duration); }).observe({ type: 'longtask', buffered: true }); } catch (e) {}`

// measureInteractive loads the overview n times, cold (cache off) with
// the CPU throttled ×4, and answers the median time from navigation start
// to interactive: the overview's data on screen (the pam:view:today mark)
// or the end of the last long task, whichever is later.
func measureInteractive(tb testing.TB, bctx context.Context, base string, n int) time.Duration {
	tb.Helper()
	times := coldLoads(tb, bctx, base, n)
	return times[len(times)/2].Round(time.Millisecond)
}

// coldLoads loads the overview n times as measureInteractive says and
// answers the times sorted.
func coldLoads(tb testing.TB, bctx context.Context, base string, n int) []time.Duration {
	tb.Helper()
	var script page.ScriptIdentifier
	setup := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
		r, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: longTasksJS})
		if err != nil {
			return err
		}
		script = r.Identifier
		_, err = cdp.Call(ctx, tg, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4})
		return err
	})
	teardown := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 1}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: script}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: false})
		return err
	})
	run(tb, bctx, "throttle the CPU ×4", setup)
	defer run(tb, bctx, "unthrottle", teardown)
	var times []time.Duration
	for i := range n {
		run(tb, bctx, "cold load "+fmt.Sprint(i+1),
			chromedp.Navigate(fmt.Sprintf("%s/?load=%d#/today", base, i)),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Poll[bool](`performance.getEntriesByName('pam:view:today').length > 0`)(ctx, tg)
				return err
			}),
			chromedp.Sleep(300*time.Millisecond), // let a trailing long task end and be counted
		)
		ms, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`Math.max(performance.getEntriesByName('pam:view:today')[0].startTime, ...window.__longEnds)`))
		if err != nil {
			tb.Fatal(err)
		}
		times = append(times, time.Duration(ms*float64(time.Millisecond)))
	}
	slices.Sort(times)
	return times
}

// smallTargetsJS lists the visible interactive elements smaller than
// 44×44 CSS px (radio inputs styled as chips are measured by their label).
const smallTargetsJS = `[...document.querySelectorAll('button, a[href], input, select, textarea, summary, .chips label')]
  .filter((el) => !el.closest('.chips') || el.tagName === 'LABEL')
  .filter((el) => !el.classList.contains('skip'))
  .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; })
  .filter((el) => { const r = el.getBoundingClientRect(); const c = el.type === 'checkbox' ? 28 : 44; return r.width < c - 0.5 || r.height < c - 0.5; })
  .map((el) => el.tagName + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || el.name || '').trim().slice(0, 20) + ' ' + Math.round(el.getBoundingClientRect().width) + 'x' + Math.round(el.getBoundingClientRect().height))`

func findExpense(t *testing.T, s *localstore.Store, description string) string {
	t.Helper()
	res, err := s.Find(context.Background(), alice, "expenses", schema.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if r["description"] == description {
			return fmt.Sprint(r["id"])
		}
	}
	return ""
}

func count(t *testing.T, s *localstore.Store, table string) int {
	t.Helper()
	res, err := s.Find(context.Background(), alice, table, schema.Query{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Rows)
}

func has(t *testing.T, s *localstore.Store, amount string) bool {
	t.Helper()
	res, err := s.Find(context.Background(), alice, "expenses", schema.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if fmt.Sprint(r["amount"]) == amount {
			return true
		}
	}
	return false
}

// run runs one step; a step that fails leaves a screenshot of the page.
func run(t testing.TB, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second) // a wedged step, not a budget
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		if png, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
			name := filepath.Join(t.ArtifactDir(), "failed-"+strings.ReplaceAll(step, " ", "-")+".png")
			os.WriteFile(name, png, 0o644)
			t.Logf("page at failure: %s", name)
		}
		if text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`)); err == nil {
			t.Logf("page text at failure:\n%s", text)
		}
		t.Fatalf("%s: %v", step, err)
	}
}
