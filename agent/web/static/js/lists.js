// lists.js: expenses, fuel, maintenance, trips and camping as lists with
// search and filters, each row editable and deletable (delete asks first).
import { get, patch, del, post, query } from './api.js';
import { h, field, sheet, toast, confirmDialog, money, fmtDate, cents, fromCents, empty, errorBox } from './ui.js';
import { vehicleName } from './quick.js';

const KINDS = {
  expenses: {
    title: 'Expenses', path: '/api/v1/wins/expenses', date: 'date', order: '-date',
    filter: { column: 'category', label: 'Category' },
    line: (r) => [r.description || r.category, `${fmtDate(r.date)} · ${r.category}`, money(r.amount)],
    fields: [['amount', 'Amount', 'money'], ['category', 'Category', 'text'], ['date', 'Date', 'date'], ['description', 'Note', 'text']],
  },
  fuel: {
    title: 'Fuel', path: '/api/v1/wheels/fuel', date: 'date', order: '-date',
    line: (r) => [`${r.volume ? r.volume.toFixed(1) + ' L' : 'Fill-up'}${r.location ? ' · ' + r.location : ''}`,
      `${fmtDate(r.date)}${r.vehicle_id ? ' · ' + vehicleName(r.vehicle_id) : ''}${r.odometer ? ' · ' + r.odometer.toLocaleString() + ' km' : ''}`,
      r.total ? money(r.total) : ''],
    fields: [['total', 'Amount paid', 'money'], ['volume', 'Litres', 'number'], ['price', 'Price per litre', 'text'],
      ['odometer', 'Odometer (km)', 'number'], ['date', 'Date', 'date'], ['filled_to_top', 'Filled to the top', 'bool'],
      ['location', 'Place', 'text'], ['notes', 'Notes', 'text']],
  },
  maintenance: {
    title: 'Maintenance', path: '/api/v1/wheels/maintenance', date: 'date', order: '-date',
    filter: { column: 'status', label: 'Status', options: ['completed', 'overdue', 'upcoming', 'scheduled'] },
    line: (r) => [r.task, `${fmtDate(r.date)} · ${r.mileage.toLocaleString()} km${r.status ? ' · ' + r.status : ''}${r.next_due_date ? ' · next ' + fmtDate(r.next_due_date) : ''}`, r.cost ? money(r.cost) : ''],
    fields: [['task', 'Task', 'text'], ['date', 'Date', 'date'], ['mileage', 'Odometer (km)', 'int'], ['cost', 'Cost', 'money'],
      ['status', 'Status', ['completed', 'overdue', 'upcoming', 'scheduled']], ['next_due_date', 'Next due date', 'date'],
      ['next_due_mileage', 'Next due at (km)', 'int'], ['notes', 'Notes', 'text']],
  },
  trips: {
    title: 'Trips', path: '/api/v1/wheels/trips', date: 'start_date', order: '-start_date',
    line: (r) => [r.title, `${fmtDate(r.start_date)} – ${fmtDate(r.end_date)}${r.location_name ? ' · ' + r.location_name : ''}`, ''],
    fields: [['title', 'Title', 'text'], ['start_date', 'Starts', 'datetime'], ['end_date', 'Ends', 'datetime'],
      ['location_name', 'Where', 'text'], ['description', 'Notes', 'text']],
  },
  camping: {
    title: 'Camping', path: '/api/v1/wheels/camping', order: 'name',
    filter: { column: 'type', label: 'Type' },
    line: (r) => [r.name, [r.type, r.address].filter(Boolean).join(' · '), r.is_free ? 'free' : r.price_per_night ? money(r.price_per_night) + '/night' : ''],
    fields: [['name', 'Name', 'text'], ['type', 'Type', 'text'], ['latitude', 'Latitude', 'number'], ['longitude', 'Longitude', 'number'],
      ['address', 'Address', 'text'], ['price_per_night', 'Price per night', 'money'], ['is_free', 'Free', 'bool']],
  },
};

const PAGE = 100;

export async function renderLists(root) {
  const kind = new URLSearchParams(location.hash.split('?')[1] || '').get('kind') || 'expenses';
  const k = KINDS[kind] ? kind : 'expenses';
  // Plain links (each list has its own address), the current one marked.
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Record type' },
    Object.entries(KINDS).map(([name, def]) => h('a', { href: `#/lists?kind=${name}`,
      'aria-current': name === k ? 'page' : undefined, class: name === k ? 'active' : '' }, def.title)));
  const panel = h('section', { 'aria-label': KINDS[k].title });
  root.append(h('h1', { class: 'visually-hidden' }, 'Records'), tabs, panel);
  await listPanel(panel, KINDS[k]);
}

async function listPanel(panel, def) {
  const state = { rows: [], count: 0, offset: 0 };
  const search = h('input', { id: 'q', type: 'search', placeholder: 'Search', autocomplete: 'off' });
  const from = h('input', { id: 'from', type: 'date' });
  const to = h('input', { id: 'to', type: 'date' });
  const filterSel = def.filter ? h('select', { id: 'filter' }, h('option', { value: '' }, 'All')) : null;
  const list = h('ul', { class: 'records', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(true) }, 'Show more');
  const summary = h('p', { class: 'muted', role: 'status' });

  const params = (offset) => {
    const p = { order: def.order, limit: PAGE, offset };
    if (def.date && from.value) p[def.date + '.gte'] = def.date === 'date' ? from.value : from.value + 'T00:00:00Z';
    if (def.date && to.value) p[def.date + '.lte'] = def.date === 'date' ? to.value : to.value + 'T23:59:59Z';
    if (filterSel && filterSel.value) p[def.filter.column] = filterSel.value;
    return p;
  };
  async function load(append) {
    const offset = append ? state.rows.length : 0;
    try {
      const res = await get(def.path + query(params(offset)));
      state.rows = append ? state.rows.concat(res.data || []) : res.data || [];
      state.count = res.count ?? state.rows.length;
      if (filterSel && !def.filter.options && !append && filterSel.options.length === 1) {
        for (const v of [...new Set(state.rows.map((r) => r[def.filter.column]).filter(Boolean))].sort()) filterSel.append(h('option', { value: v }, v));
      }
      draw();
    } catch (e) {
      list.replaceChildren(h('li', {}, errorBox(e)));
    }
  }
  function draw() {
    const q = search.value.trim().toLowerCase();
    const shown = q ? state.rows.filter((r) => def.line(r).join(' ').toLowerCase().includes(q) ||
      Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(q))) : state.rows;
    list.replaceChildren(...shown.map((r) => row(r)));
    if (!shown.length) list.append(h('li', {}, empty(q ? 'Nothing matches.' : 'Nothing here yet.')));
    summary.textContent = `${shown.length} shown of ${state.count}`;
    more.hidden = state.rows.length >= state.count;
  }
  function row(r) {
    const [title, sub, amount] = def.line(r);
    return h('li', { class: 'record' },
      h('div', { class: 'record-main' }, h('strong', {}, title), h('span', { class: 'muted' }, sub)),
      amount ? h('span', { class: 'sum' }, amount) : null,
      h('div', { class: 'record-actions' },
        h('button', { type: 'button', onclick: () => edit(def, r, () => load(false)), 'aria-label': `Edit ${title}` }, 'Edit'),
        h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${title}`, onclick: async () => {
          if (!(await confirmDialog(`Delete “${title}”? This cannot be undone here.`))) return;
          try { await del(`${def.path}/${encodeURIComponent(r.id)}`); toast('Deleted'); window.dispatchEvent(new CustomEvent('pam:changed')); load(false); }
          catch (e) { toast(e.message, 'bad'); }
        } }, 'Delete')));
  }
  if (filterSel && def.filter.options) for (const v of def.filter.options) filterSel.append(h('option', { value: v }, v));
  search.addEventListener('input', draw);
  for (const el of [from, to, filterSel]) if (el) el.addEventListener('change', () => load(false));

  panel.append(h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
    field('Search', search),
    def.date ? field('From', from) : null,
    def.date ? field('To', to) : null,
    filterSel ? field(def.filter.label, filterSel) : null,
    h('button', { type: 'button', class: 'primary', onclick: () => edit(def, null, () => load(false)) }, 'New')),
  summary, list, more);
  await load(false);
}

// localDateTime writes a stored UTC timestamp the way a datetime-local
// field shows it: in the device's time zone, to the minute.
function localDateTime(v) {
  const d = new Date(v);
  if (isNaN(d)) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// edit opens a form for one row (or a new one) and sends only what changed.
function edit(def, row, done) {
  const inputs = {};
  const body = [];
  for (const [name, label, type] of def.fields) {
    const v = row ? row[name] : undefined;
    let el;
    if (Array.isArray(type)) {
      el = h('select', { id: 'e-' + name }, h('option', { value: '' }, '—'), type.map((o) => h('option', { value: o }, o)));
      el.value = v || '';
    } else if (type === 'bool') {
      el = h('input', { id: 'e-' + name, type: 'checkbox', checked: row ? !!v : name === 'filled_to_top' });
      body.push(h('div', { class: 'check' }, el, h('label', { for: el.id }, label)));
      inputs[name] = { el, type };
      continue;
    } else {
      const t = { date: 'date', datetime: 'datetime-local' }[type] || 'text';
      el = h('input', { id: 'e-' + name, type: t, autocomplete: 'off',
        inputmode: type === 'money' || type === 'number' ? 'decimal' : type === 'int' ? 'numeric' : undefined,
        value: v === null || v === undefined ? '' : type === 'datetime' ? localDateTime(v) : String(v) });
    }
    inputs[name] = { el, type };
    body.push(field(label, el));
  }
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'edit', onsubmit: async (e) => {
    e.preventDefault();
    const data = {};
    for (const [name, { el, type }] of Object.entries(inputs)) {
      let v;
      if (type === 'bool') v = el.checked;
      else if (el.value === '') v = null;
      else if (type === 'money') v = fromCents(cents(el.value.replace(',', '.')));
      else if (type === 'number') v = parseFloat(el.value.replace(',', '.'));
      else if (type === 'int') v = parseInt(el.value, 10);
      else if (type === 'datetime') v = new Date(el.value).toISOString().replace(/\.\d+Z$/, 'Z');
      else v = el.value;
      const old = row ? row[name] : undefined;
      if (row && (v === old || (v === null && (old === undefined || old === null)) || (type === 'datetime' && old && v === new Date(old).toISOString().replace(/\.\d+Z$/, 'Z')))) continue;
      if (!row && v === null) continue;
      data[name] = v;
    }
    if (!Object.keys(data).length) { d.close(); return; }
    try {
      if (row) await patch(`${def.path}/${encodeURIComponent(row.id)}`, data);
      else await post(def.path, data);
      d.close();
      toast(row ? 'Saved' : 'Added');
      window.dispatchEvent(new CustomEvent('pam:changed'));
      done();
    } catch (err) {
      const errs = (err.problem && err.problem.errors) || [];
      out.replaceChildren(errorBox(err), ...errs.map((x) => h('p', { class: 'error' }, typeof x === 'string' ? x : `${x.field || x.column || ''} ${x.message || x.detail || ''}`)));
    }
  } }, body, out, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, row ? 'Save' : 'Add')));
  const d = sheet(row ? `Edit ${def.title.toLowerCase()}` : `New ${def.title.toLowerCase()}`, form);
}
