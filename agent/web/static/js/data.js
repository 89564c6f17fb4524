// data.js: the user's data in and out. Upload a file from another app
// (Fuelly, LubeLogger, a bank, a GPS) with a dry run first and a summary
// after; download everything as a zip.
import { call, blob, ApiError } from './api.js';
import { h, field, errorBox, toast } from './ui.js';

const kinds = [
  ['fuelly', 'Fuelly fill-ups (CSV)', '.csv,text/csv'],
  ['lubelogger-fuel', 'LubeLogger fuel (CSV)', '.csv,text/csv'],
  ['lubelogger-service', 'LubeLogger service records (CSV)', '.csv,text/csv'],
  ['expenses-csv', 'Bank statement (CSV)', '.csv,text/csv'],
  ['gpx', 'Routes and waypoints (GPX)', '.gpx,application/gpx+xml,application/xml'],
  ['pam-export', 'A PAM export (zip)', '.zip,application/zip'],
];

export function renderData(root) {
  root.append(h('h1', { class: 'visually-hidden' }, 'Import and export'),
    h('div', { class: 'grid two' }, importCard(), exportCard()));
}

function importCard() {
  const kind = h('select', { id: 'imp-kind' }, kinds.map(([v, label]) => h('option', { value: v }, label)));
  kind.value = localStorage.getItem('pam.import.kind') || 'fuelly';
  const file = h('input', { id: 'imp-file', type: 'file', required: true });
  const units = h('select', { id: 'imp-units' }, h('option', { value: '' }, 'As the file says'),
    h('option', { value: 'us' }, 'US: miles, gallons'), h('option', { value: 'metric' }, 'Metric: km, litres'));
  const dayFirst = h('input', { id: 'imp-dayfirst', type: 'checkbox' });
  const map = h('input', { id: 'imp-map', spellcheck: 'false', placeholder: 'date=Posted,amount=Amount,description=Payee' });
  const mapField = field('Columns', map, 'Which column holds the date, amount, description and category');
  const unitsField = field('Units', units);
  const sync = () => {
    file.accept = kinds.find(([v]) => v === kind.value)[2];
    mapField.hidden = kind.value !== 'expenses-csv';
    unitsField.hidden = !['fuelly', 'lubelogger-fuel', 'lubelogger-service'].includes(kind.value);
  };
  kind.addEventListener('change', sync);
  sync();
  const out = h('div', { id: 'imp-summary', 'aria-live': 'polite' });
  const send = async (dry) => {
    if (!file.files.length) { out.replaceChildren(errorBox('Choose a file first.')); file.focus(); return; }
    localStorage.setItem('pam.import.kind', kind.value);
    const f = file.files[0];
    const q = new URLSearchParams({ name: f.name });
    if (dry) q.set('dry_run', 'true');
    if (units.value && !unitsField.hidden) q.set('units', units.value);
    if (dayFirst.checked) q.set('day_first', 'true');
    if (map.value.trim() && !mapField.hidden) q.set('map', map.value.trim());
    for (const b of form.querySelectorAll('button')) b.disabled = true;
    out.replaceChildren(h('p', { class: 'muted' }, dry ? 'Checking…' : 'Importing…'));
    try {
      const sum = await call('POST', `/api/v1/transfer/import/${encodeURIComponent(kind.value)}?${q}`, f);
      out.replaceChildren(summary(sum, f.name));
      if (!dry) { toast('Imported ' + f.name); window.dispatchEvent(new CustomEvent('pam:changed')); }
    } catch (e) {
      out.replaceChildren(problems(e));
    }
    for (const b of form.querySelectorAll('button')) b.disabled = false;
  };
  const form = h('form', { class: 'card', 'aria-labelledby': 'imp-h', onsubmit: (ev) => { ev.preventDefault(); send(false); } },
    h('h2', { id: 'imp-h' }, 'Import a file'),
    field('What is it?', kind), field('File', file), unitsField, mapField,
    h('div', { class: 'field check' }, dayFirst, h('label', { for: 'imp-dayfirst' }, 'Dates are day first (31/12/2026)')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'imp-check', onclick: () => send(true) }, 'Check first'),
      h('button', { type: 'submit', class: 'primary', id: 'imp-go' }, 'Import')),
    out);
  return form;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + 's'}`;
const tableName = (t) => t.replace(/_/g, ' ');

function summary(sum, name) {
  const tables = [...new Set([...Object.keys(sum.added || {}), ...Object.keys(sum.already_present || {})])].sort();
  const added = tables.reduce((a, t) => a + ((sum.added || {})[t] || 0), 0);
  return h('div', { class: 'summary', role: 'status' },
    h('p', {}, h('strong', {}, sum.dry_run ? `Checked ${name}: ` : `Imported ${name}: `),
      `${plural(sum.lines, 'line')} read, ${added} ${sum.dry_run ? 'would be added' : 'added'}.`),
    tables.length ? h('table', { class: 'sum-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Records'), h('th', { scope: 'col' }, sum.dry_run ? 'New' : 'Added'), h('th', { scope: 'col' }, 'Already here'))),
      h('tbody', {}, tables.map((t) => h('tr', {}, h('th', { scope: 'row' }, tableName(t)),
        h('td', {}, String((sum.added || {})[t] || 0)), h('td', {}, String((sum.already_present || {})[t] || 0)))))) : null,
    (sum.economy || []).map((e) => h('p', {}, `${e.vehicle || 'Vehicle'}: `, e.counted_intervals
      ? `${e.l_per_100km.toFixed(1)} L/100 km (${e.mpg.toFixed(1)} mpg) over ${Math.round(e.distance_km)} km, ${plural(e.fills, 'fill')}`
      : `${plural(e.fills, 'fill')}, not enough full fills for an economy`)),
    (sum.routes || []).map((r) => h('p', {}, `${r.route}: ${plural(r.points, 'point')}, ${r.distance_km.toFixed(1)} km`,
      r.cost ? `, about ${r.cost} ${r.currency || ''} in fuel` : r.missing ? ` (${r.missing})` : '')),
    (sum.skipped || []).length ? h('details', {}, h('summary', {}, `${plural(sum.skipped.length, 'line')} skipped`),
      h('ul', {}, sum.skipped.map((p) => h('li', {}, p.line ? `line ${p.line}: ${p.message}` : p.message)))) : null);
}

function problems(e) {
  const errs = (e instanceof ApiError && e.problem && e.problem.errors) || [];
  if (!errs.length) return errorBox(e);
  return h('div', { role: 'alert', class: 'error-list' },
    h('p', { class: 'error' }, 'Nothing was imported: fix these lines and try again.'),
    h('ul', {}, errs.map((x) => h('li', {}, `${x.field}: ${x.reason}`))));
}

function exportCard() {
  const out = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'card', 'aria-labelledby': 'exp-h' },
    h('h2', { id: 'exp-h' }, 'Export everything'),
    h('p', {}, 'Every record you own, as JSON and CSV in one zip, with your routes as GPX. Your data is yours.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'exp-go', onclick: async (ev) => {
      ev.target.disabled = true;
      out.replaceChildren();
      try {
        const zip = await blob('/api/v1/transfer/export', 'application/zip');
        const a = h('a', { href: URL.createObjectURL(zip), download: `pam-export-${new Date().toISOString().slice(0, 10)}.zip` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60000);
        out.append(h('p', {}, `Downloaded ${Math.round(zip.size / 1024)} KB.`));
      } catch (e) { out.append(errorBox(e)); }
      ev.target.disabled = false;
    } }, 'Download a zip')),
    out);
}
