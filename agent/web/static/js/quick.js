// quick.js: an expense or a fill-up in two taps and a number. The last
// category and the vehicle are remembered on this device; a write made
// while pamd is out of reach waits in the outbox.
import { write, uuid7, get, query } from './api.js';
import { h, field, sheet, toast, today, fromCents, cents, errorBox } from './ui.js';

const CATEGORIES = ['fuel', 'groceries', 'camping', 'dining', 'maintenance', 'propane', 'entertainment', 'other'];

function names() {
  try { return JSON.parse(localStorage.getItem('pam.vehicles') || '{}'); } catch { return {}; }
}
export function vehicleName(id) {
  if (!id) return 'Vehicle';
  return names()[id] || 'Vehicle ' + id.slice(-4);
}
function nameVehicle(id, name) {
  const n = names();
  n[id] = name;
  localStorage.setItem('pam.vehicles', JSON.stringify(n));
}

// vehicles: the ones named on this device and the ones seen in the fuel log.
async function vehicles() {
  const ids = new Set(Object.keys(names()));
  try {
    const res = await get('/api/v1/wheels/fuel' + query({ order: '-date', limit: 200 }));
    for (const f of res.data || []) if (f.vehicle_id) ids.add(f.vehicle_id);
  } catch { /* offline: the named ones will do */ }
  return [...ids];
}

function chips(name, label, options, selected, onPick) {
  const group = h('fieldset', { class: 'chips' }, h('legend', {}, label));
  for (const [value, text] of options) {
    const id = `${name}-${value}`.replace(/[^a-z0-9-]/gi, '');
    group.append(h('input', { type: 'radio', name, id, value, checked: value === selected, onchange: () => onPick && onPick(value) }),
      h('label', { for: id }, text));
  }
  return group;
}

function amountInput(id, label) {
  return h('input', { id, name: id, type: 'text', inputmode: 'decimal', autocomplete: 'off', required: true,
    pattern: '[0-9]+([.,][0-9]{1,2})?', 'aria-label': label, autofocus: true, placeholder: '0.00', class: 'amount' });
}

function parseAmount(v) {
  const t = String(v).trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  return fromCents(cents(t));
}

export async function openQuick(kind) {
  if (kind === 'fuel') return quickFuel();
  return quickExpense();
}

function quickExpense() {
  let category = localStorage.getItem('pam.lastCategory') || 'groceries';
  const amount = amountInput('qe-amount', 'Amount');
  const desc = h('input', { id: 'qe-desc', type: 'text', autocomplete: 'off', maxlength: 200 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'quick', onsubmit: async (ev) => {
    ev.preventDefault();
    const a = parseAmount(amount.value);
    if (!a) { out.replaceChildren(errorBox('Type an amount like 45.10')); amount.focus(); return; }
    const data = { id: uuid7(), amount: a, category, date: today() };
    if (desc.value.trim()) data.description = desc.value.trim();
    try {
      const res = await write([{ op: 'create', table: 'expenses', data }]);
      localStorage.setItem('pam.lastCategory', category);
      d.close();
      toast(res.queued ? `Saved on this phone: ${a} ${category}, sent when PAM is back` : `Logged ${a} for ${category}`);
      window.dispatchEvent(new CustomEvent('pam:changed'));
    } catch (e) { out.replaceChildren(errorBox(e)); }
  } },
  field('Amount', amount),
  chips('qe-cat', 'Category', CATEGORIES.map((c) => [c, c]), category, (v) => { category = v; }),
  field('Note (optional)', desc),
  out,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save expense')));
  const d = sheet('Add an expense', form);
}

async function quickFuel() {
  let vehicle = localStorage.getItem('pam.vehicle') || '';
  const total = amountInput('qf-total', 'Amount paid');
  const litres = h('input', { id: 'qf-litres', type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  const odo = h('input', { id: 'qf-odo', type: 'text', inputmode: 'numeric', autocomplete: 'off' });
  const full = h('input', { id: 'qf-full', type: 'checkbox', checked: true });
  const out = h('div', { 'aria-live': 'polite' });
  const list = await vehicles();
  if (!vehicle && list.length) vehicle = list[0];
  const vbox = h('div');
  const drawVehicles = () => {
    const ids = [...new Set([...list, ...(vehicle ? [vehicle] : [])])];
    vbox.replaceChildren(chips('qf-veh', 'Vehicle', [...ids.map((v) => [v, vehicleName(v)])], vehicle, (v) => { vehicle = v; }),
      h('button', { type: 'button', class: 'link', onclick: () => {
        const name = prompt('Name of the vehicle (e.g. "the rig", "the car")');
        if (!name) return;
        vehicle = uuid7();
        nameVehicle(vehicle, name.trim());
        list.push(vehicle);
        drawVehicles();
      } }, '+ Add a vehicle'));
  };
  drawVehicles();
  const form = h('form', { class: 'quick', onsubmit: async (ev) => {
    ev.preventDefault();
    const a = parseAmount(total.value);
    if (!a) { out.replaceChildren(errorBox('Type the amount paid, like 85.40')); total.focus(); return; }
    const date = today();
    const fill = { id: uuid7(), date, total: a, filled_to_top: full.checked };
    if (vehicle) fill.vehicle_id = vehicle;
    const l = parseFloat(litres.value.replace(',', '.'));
    if (l > 0) { fill.volume = l; fill.price = (parseFloat(a) / l).toFixed(3); }
    const o = parseFloat(odo.value.replace(',', '.'));
    if (o > 0) fill.odometer = o;
    // The fill and its expense (same date and amount) are one purchase,
    // counted once (README "Fuel is counted once").
    const expense = { id: uuid7(), amount: a, category: 'fuel', date, description: 'Fill-up' + (vehicle ? ', ' + vehicleName(vehicle) : '') };
    try {
      const res = await write([{ op: 'create', table: 'fuel_log', data: fill }, { op: 'create', table: 'expenses', data: expense }]);
      if (vehicle) localStorage.setItem('pam.vehicle', vehicle);
      d.close();
      toast(res.queued ? `Fill-up saved on this phone, sent when PAM is back` : `Logged a fill-up of ${a}`);
      window.dispatchEvent(new CustomEvent('pam:changed'));
    } catch (e) { out.replaceChildren(errorBox(e)); }
  } },
  field('Amount paid', total),
  vbox,
  h('details', {}, h('summary', {}, 'Litres, odometer'),
    field('Litres', litres), field('Odometer (km)', odo),
    h('div', { class: 'check' }, full, h('label', { for: 'qf-full' }, 'Filled to the top'))),
  out,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save fill-up')));
  const d = sheet('Add a fill-up', form);
}
