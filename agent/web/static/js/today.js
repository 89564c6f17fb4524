// today.js: the overview. Spending this month against each budget, the
// next maintenance due, upcoming trips, fuel economy per vehicle and the
// recommendations, with notifications arriving live.
import { get, post, query, session } from './api.js';
import { h, s, cents, money, fmtDate, today, localDate, empty, errorBox, setCurrency } from './ui.js';
import { vehicleName } from './quick.js';

const feed = []; // notifications received since the page was loaded
let feedList = null;

export function onNotification(n) {
  feed.unshift(n);
  feed.length = Math.min(feed.length, 20);
  if (feedList && feedList.isConnected) drawFeed();
}

function drawFeed() {
  feedList.replaceChildren(...feed.map((n) => h('li', { class: 'note ' + (n.type || '') },
    h('strong', {}, n.title || n.type), n.body ? h('span', {}, n.body) : null,
    h('time', { datetime: n.ts }, fmtDate(n.ts)))));
}

function card(id, title, ...body) {
  return h('section', { class: 'card', id, 'aria-labelledby': id + '-h' }, h('h2', { id: id + '-h' }, title), ...body);
}

// settle runs a loader and turns a failure into a message in its card.
async function settle(fn) {
  try { return await fn(); } catch (e) { return errorBox(e); }
}

export async function renderToday(root) {
  const now = new Date();
  const monthStart = localDate(new Date(now.getFullYear(), now.getMonth(), 1));
  const grid = h('div', { class: 'grid' });
  root.append(h('h1', { class: 'visually-hidden' }, 'Today'), grid);
  // The recommendations carry the user's currency: the spending is
  // fetched alongside and written once the currency is known.
  const recsP = settle(recommendations);
  const [spend, maint, trips, fuel, recs] = await Promise.all([
    settle(() => spending(monthStart, recsP)),
    settle(maintenance),
    settle(upcomingTrips),
    settle(fuelEconomy),
    recsP,
  ]);
  feedList = h('ul', { class: 'feed', 'aria-live': 'polite', 'aria-label': 'Notifications' });
  drawFeed();
  grid.append(
    card('spend', 'This month', spend),
    card('maint', 'Maintenance due', maint),
    card('trips', 'Upcoming trips', trips),
    card('fuel', 'Fuel economy', fuel),
    card('recs', 'For you', recs, feedList),
  );
}

// spending: the budgets covering today with what was spent against them,
// then the month's spending per category. Fuel is counted once (README):
// a fill-up that no fuel expense of its date and amount stands for counts
// as a fuel expense of its date and total.
const FUEL = new Set(['fuel', 'gas', 'gasoline', 'petrol', 'diesel']);
async function spending(monthStart, currencyKnown) {
  const d = today();
  const budgets = await post('/api/v1/pam/database/read', { table: 'budget_summary',
    filters: { start_date: { op: 'lte', value: d }, end_date: { op: 'gte', value: d } }, order: 'category', limit: 100 });
  const from = (budgets.data || []).reduce((m, b) => (b.start_date < m ? b.start_date : m), monthStart);
  const [expenses, fills] = await Promise.all([
    get('/api/v1/wins/expenses' + query({ 'date.gte': from, limit: 1000, order: '-date' })),
    get('/api/v1/wheels/fuel' + query({ 'date.gte': from, limit: 1000, order: '-date' })),
  ]);
  const all = ((expenses && expenses.data) || []).map((e) => ({ date: e.date, category: e.category, c: cents(e.amount) }));
  const fuelKeys = new Set(all.filter((e) => FUEL.has(e.category)).map((e) => `${e.date}|${e.c}`));
  for (const f of (fills && fills.data) || []) {
    const c = cents(f.total);
    if (c > 0 && !fuelKeys.has(`${f.date}|${c}`)) all.push({ date: f.date, category: 'fuel', c, fill: true });
  }
  await currencyKnown; // fetched alongside; money is written once the currency is set
  const rows = all.filter((e) => e.date >= monthStart && e.date <= d);
  const byCat = new Map();
  let total = 0;
  for (const e of rows) {
    total += e.c;
    byCat.set(e.category, (byCat.get(e.category) || 0) + e.c);
  }
  const out = [h('p', { class: 'big', id: 'month-total' }, money(total, true),
    h('small', {}, ` spent in ${rows.length} purchase${rows.length === 1 ? '' : 's'}`))];
  const list = h('ul', { class: 'bars' });
  const seen = new Set();
  for (const b of budgets.data || []) {
    seen.add(b.category);
    const budget = cents(b.budgeted_amount);
    // budget_summary sums expenses; add the fills no expense stands for.
    const extra = all.filter((e) => e.fill && e.category === b.category && e.date >= b.start_date && e.date <= b.end_date).reduce((a, e) => a + e.c, 0);
    const spent = cents(b.spent) + extra;
    const pct = budget > 0 ? Math.round((spent * 100) / budget) : 0;
    const state = pct >= 100 ? 'over' : pct >= 80 ? 'warn' : 'ok';
    list.append(h('li', { class: 'bar ' + state },
      h('div', { class: 'bar-label' }, h('span', {}, b.name || b.category),
        h('span', {}, `${money(spent, true)} of ${money(budget, true)}`)),
      h('div', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100,
        'aria-valuenow': Math.min(pct, 100), 'aria-label': `${b.category}: ${pct} % of budget used` },
      h('span', { style: `width:${Math.min(pct, 100)}%` }))));
  }
  for (const [cat, c] of [...byCat].sort((a, b) => b[1] - a[1])) {
    if (seen.has(cat)) continue;
    list.append(h('li', { class: 'bar plain' }, h('div', { class: 'bar-label' }, h('span', {}, cat), h('span', {}, money(c, true)))));
  }
  if (!list.children.length) out.push(empty('No spending yet this month.'));
  else out.push(list);
  return out;
}

async function maintenance() {
  const res = await get('/api/v1/wheels/maintenance' + query({ order: '-date', limit: 500 }));
  const rows = res.data || [];
  const odo = rows.reduce((m, r) => Math.max(m, r.mileage || 0), 0);
  const due = rows.filter((r) => r.next_due_date || r.next_due_mileage || r.status === 'scheduled' || r.status === 'upcoming' || r.status === 'overdue')
    .map((r) => ({ r, when: r.next_due_date || (r.status !== 'completed' ? r.date : '') }))
    .sort((a, b) => (a.when || '9999').localeCompare(b.when || '9999') || (a.r.next_due_mileage || 1e12) - (b.r.next_due_mileage || 1e12));
  if (!due.length) return empty('Nothing scheduled.');
  const d = today();
  return h('ul', { class: 'rows' }, due.slice(0, 4).map(({ r, when }) => {
    const overdue = r.status === 'overdue' || (when && when < d) || (r.next_due_mileage && odo && r.next_due_mileage <= odo);
    return h('li', { class: overdue ? 'overdue' : '' },
      h('strong', {}, r.task),
      h('span', {}, [when ? fmtDate(when) : null, r.next_due_mileage ? `at ${r.next_due_mileage.toLocaleString()} km` : null].filter(Boolean).join(' · ')),
      overdue ? h('span', { class: 'tag' }, 'Overdue') : null);
  }));
}

async function upcomingTrips() {
  const res = await get('/api/v1/wheels/trips' + query({ 'end_date.gte': new Date().toISOString().slice(0, 19) + 'Z', order: 'start_date', limit: 5 }));
  const rows = res.data || [];
  if (!rows.length) return empty('No trips planned.');
  return h('ul', { class: 'rows' }, rows.map((t) => h('li', {},
    h('strong', {}, t.title),
    h('span', {}, `${fmtDate(t.start_date)} – ${fmtDate(t.end_date)}${t.location_name ? ' · ' + t.location_name : ''}`))));
}

// economy computes L/100 km per vehicle from full fills: the litres put in
// since the previous full fill over the distance driven since then. A
// recorded consumption wins when present.
export function economy(fills) {
  const byVehicle = new Map();
  for (const f of [...fills].sort((a, b) => (a.date + (a.odometer || 0)).localeCompare(b.date + (b.odometer || 0)))) {
    const v = f.vehicle_id || '';
    if (!byVehicle.has(v)) byVehicle.set(v, { last: null, litres: 0, points: [] });
    const s = byVehicle.get(v);
    if (s.last !== null) s.litres += f.volume || 0;
    if (f.consumption) {
      s.points.push({ date: f.date, value: f.consumption });
    } else if (f.filled_to_top !== false && f.odometer) {
      if (s.last !== null && f.odometer > s.last && s.litres > 0) {
        s.points.push({ date: f.date, value: (s.litres * 100) / (f.odometer - s.last) });
      }
    }
    if (f.filled_to_top !== false && f.odometer) { s.last = f.odometer; s.litres = 0; }
  }
  return byVehicle;
}

async function fuelEconomy() {
  const since = new Date();
  since.setFullYear(since.getFullYear() - 1);
  const res = await get('/api/v1/wheels/fuel' + query({ 'date.gte': localDate(since), order: 'date', limit: 1000 }));
  const series = [...economy(res.data || [])].filter(([, s]) => s.points.length);
  if (!series.length) return empty('Log two full fill-ups with the odometer to see economy.');
  return series.map(([v, s]) => chart(vehicleName(v), s.points));
}

// chart draws one vehicle's economy as an inline SVG line, with a table
// of the same figures for screen readers.
function chart(name, points) {
  const W = 320, H = 110, P = 24;
  const vals = points.map((p) => p.value);
  const lo = Math.min(...vals), hi = Math.max(...vals);
  const span = hi - lo || 1;
  const x = (i) => P + (points.length === 1 ? (W - 2 * P) / 2 : (i * (W - 2 * P)) / (points.length - 1));
  const y = (v) => H - P + 6 - ((v - lo) / span) * (H - 2 * P);
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const last = vals[vals.length - 1];
  const avg = vals.reduce((a, b) => a + b, 0) / vals.length;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${name}: latest ${last.toFixed(1)} L/100 km, average ${avg.toFixed(1)}` },
    s('line', { x1: P, x2: W - P, y1: y(avg), y2: y(avg), class: 'avg' }),
    s('path', { d: line, class: 'line' }),
    ...points.map((p, i) => s('circle', { cx: x(i), cy: y(p.value), r: 3.5, class: 'dot' }, s('title', {}, `${p.date}: ${p.value.toFixed(1)} L/100 km`))),
    s('text', { x: P, y: 12, class: 'axis' }, `${hi.toFixed(1)}`),
    s('text', { x: P, y: H - 2, class: 'axis' }, `${lo.toFixed(1)} L/100 km`));
  return h('figure', { class: 'econ' },
    h('figcaption', {}, h('strong', {}, name), ` ${last.toFixed(1)} L/100 km latest · ${avg.toFixed(1)} average`),
    svg);
}

async function recommendations() {
  let res;
  try {
    res = await get(`/api/v1/pam/intelligence/recommendations/${encodeURIComponent(session.user)}`);
  } catch (e) {
    if (e.status === 404) return empty('Recommendations are not available on this daemon.');
    throw e;
  }
  if (res.figures && res.figures.currency) setCurrency(res.figures.currency);
  const list = [...(res.recommendations || []), ...((res.figures && res.figures.existing) || [])];
  const seen = new Set();
  const items = list.filter((r) => r && r.title && !seen.has(r.title) && seen.add(r.title)).slice(0, 5);
  if (!items.length) return empty('Nothing needs your attention.');
  return h('ul', { class: 'rows recs' }, items.map((r) => h('li', { class: 'prio-' + (r.priority || 'normal') },
    h('strong', {}, r.title), r.description ? h('span', {}, r.description) : null)));
}
