package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/contextengine"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/runner"
)

// The browser tests need Chromium (Debian's chromium package) and are
// asked for explicitly, so that `make test` does not depend on a browser:
//
//	PAM_E2E=1 go test -run E2E -artifacts ./agent/web
//
// Screenshots go to the test's artifact directory (kept with -artifacts).
const e2eEnv = "PAM_E2E"

func chromiumPath(t *testing.T) string {
	t.Helper()
	if os.Getenv(e2eEnv) != "1" {
		t.Skipf("browser test: set %s=1 (needs chromium)", e2eEnv)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("%s=1 but no chromium on PATH (apt-get install chromium)", e2eEnv)
	return ""
}

// fullEnv is pamd's API as cmd/pamd wires it with no central database
// and no model: the real store, the 44 tools, the offline answerer behind
// the router, the notifications hub and a sync runner that is local only.
func fullEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	s := localstore.New(filepath.Join(t.TempDir(), localstore.FileName), schema.Default())
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
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
	sy := runner.New(nil)
	sy.Logger = logger
	if err := sy.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sy.Close() })
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
func seed(t *testing.T, s *localstore.Store) {
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
	e := fullEnv(t)
	seed(t, e.store)
	out := t.ArtifactDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // the CI container runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1024, 600),
	)
	// A safety net for a wedged browser, not a performance budget.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	// The browser lives as long as the context of its first run: start it
	// here, with no step timeout on it.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.CaptureScreenshot()(ctx, tg) // the viewport, as the person sees it
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(out, name), png, 0o644)
		})
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](expr)(ctx, tg)
			return err
		})
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

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
	run(t, bctx, "sign in",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.getElementById('token').value = ''; true`)(ctx, tg)
			return err
		}),
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

	// A notification pushed by pamd arrives live on the overview.
	run(t, bctx, "notifications socket", poll(`document.getElementById('live').textContent === 'Live'`))
	if n := e.hub.Publish(alice, notify.Notification{Type: "maintenance_due", Title: "Oil change due in 12 days", Body: "Oil and filter at 92,200 km", TS: time.Now().UTC()}); n != 1 {
		t.Fatalf("the notification reached %d subscribers, want the page", n)
	}
	run(t, bctx, "notification arrives", poll(`document.querySelector('.feed') && document.querySelector('.feed').textContent.includes('Oil change due in 12 days')`))

	// Quick entry: tap "+ Expense", type a number, tap save. There is no
	// central database at all: the write is local.
	before := total
	run(t, bctx, "quick expense",
		chromedp.Click(css("#quick-expense")),
		chromedp.WaitVisible(css("#qe-amount")),
		chromedp.SendKeys(css("#qe-amount"), "57.25"),
		chromedp.Click(css(`dialog.sheet button[type="submit"]`)),
		chromedp.WaitNotPresent(css("dialog.sheet")),
		poll(fmt.Sprintf(`!!document.querySelector('#month-total') && document.querySelector('#month-total').textContent !== %q`, before)),
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
	t.Logf("month total %q -> %q", before, total)

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

	// Chat: the offline answerer streams its answer over /ws/chat.
	run(t, bctx, "chat",
		chromedp.Click(css(`nav a[data-view="chat"]`)),
		chromedp.WaitVisible(css("#chat-input")),
		chromedp.SendKeys(css("#chat-input"), "How much did we spend on groceries this month?"),
		chromedp.Click(css(`.chat-form button[type="submit"]`)),
		chromedp.WaitVisible(css(".msg.pam .provider")),
	)
	reply, provider := text(".msg.pam .text"), text(".msg.pam .provider .badge")
	run(t, bctx, "chat screenshot", shot("chat-1024x600.png"))
	if strings.TrimSpace(reply) == "" || provider != "offline" {
		t.Errorf("chat: reply %q from %q, want an answer from offline", reply, provider)
	}
	t.Logf("chat answer (%s): %q", provider, reply)

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

	// The phone: a second tab on the same browser profile (the token is
	// remembered), portrait, touch, then the night theme.
	phone, cancelP := chromedp.NewContext(bctx)
	defer cancelP()
	if err := chromedp.Do(phone); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	run(t, phone, "phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(css("#month-total")),
		chromedp.WaitVisible(css("#fuel svg.chart")),
		shot("phone-390x844.png"),
		chromedp.Click(css("#theme")),
		shot("phone-390x844-night.png"),
		chromedp.Click(css(`nav a[data-view="lists"]`)),
		chromedp.WaitVisible(css(".record")),
		shot("phone-lists-night.png"),
		chromedp.Click(css(`nav a[data-view="today"]`)),
		chromedp.WaitVisible(css("#month-total")),
	)
	phoneTotal, err := chromedp.Run(phone, chromedp.Text(css("#month-total")))
	if err != nil {
		t.Fatal(err)
	}
	if phoneTotal != total {
		t.Errorf("the phone shows %q, the dashboard %q", phoneTotal, total)
	}
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
	// Accessibility audit with axe-core, when its script is at hand
	// (PAM_AXE=path/to/axe.min.js, from npm's axe-core): no serious or
	// critical violation on the overview, chat, records and sync pages,
	// in both themes.
	if src := os.Getenv("PAM_AXE"); src != "" {
		axe, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("PAM_AXE: %v", err)
		}
		for _, view := range []struct {
			ctx        context.Context
			name, page string
		}{
			{phone, "phone, night", "today"}, {phone, "phone, night", "chat"}, {phone, "phone, night", "lists"}, {phone, "phone, night", "sync"},
			{bctx, "dashboard, day", "today"}, {bctx, "dashboard, day", "lists"},
		} {
			run(t, view.ctx, "open "+view.page, chromedp.Click(css(`nav a[data-view="`+view.page+`"]`)), poll(`!document.querySelector('main[aria-busy]')`))
			// DevTools evaluation is not subject to the page's CSP.
			if _, err := chromedp.Run(view.ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
				t.Fatalf("load axe: %v", err)
			}
			found, err := chromedp.Run(view.ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations
				.filter((v) => v.impact === 'serious' || v.impact === 'critical')
				.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe on %s %s: %v", view.name, view.page, err)
			}
			for _, v := range found {
				t.Errorf("axe, %s, %s: %s", view.name, view.page, v)
			}
		}
	}
	t.Logf("screenshots in %s", out)
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
func run(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
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
