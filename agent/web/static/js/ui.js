// ui.js: small DOM helpers shared by the views. Text always goes in as
// text nodes, never as HTML.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v; // CSSOM: allowed by the page's CSP, unlike a style attribute
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// The SVG namespace is a name, not a place: spelt in pieces so that no
// asset holds anything that looks like an external address.
const SVGNS = ['http:', '', 'www.w3.org', '2000', 'svg'].join('/');
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// Money is a decimal string ("45.10") end to end; sums are done in cents.
export const cents = (v) => (v === null || v === undefined || v === '' ? 0 : Math.round(parseFloat(v) * 100));
export const fromCents = (c) => (c / 100).toFixed(2);
let currency = localStorage.getItem('pam.currency') || '';
export function money(v, isCents) {
  const c = isCents ? v : cents(v);
  const n = (c / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${n} ${currency}` : n;
}
export function setCurrency(c) { if (c) { currency = c; localStorage.setItem('pam.currency', c); } }

export const today = () => localDate(new Date());
export function localDate(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
export function fmtDate(v) {
  if (!v) return '';
  const d = new Date(v.length === 10 ? v + 'T12:00:00' : v);
  if (isNaN(d)) return v;
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: d.getFullYear() === new Date().getFullYear() ? undefined : 'numeric' });
}
export function ago(v) {
  if (!v) return 'never';
  const t = new Date(v).getTime();
  if (!t || t < 0) return 'never';
  const m = Math.round((Date.now() - t) / 60000);
  if (m < 1) return 'just now';
  if (m < 60) return `${m} min ago`;
  if (m < 48 * 60) return `${Math.round(m / 60)} h ago`;
  return fmtDate(v);
}

export function toast(msg, kind) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  t.className = 'toast show ' + (kind || '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = 'toast'; }, 4000);
}

// confirm asks in a modal dialog and resolves true or false; focus returns
// to where it was.
export function confirmDialog(question, action) {
  const d = document.getElementById('confirm');
  const back = document.activeElement;
  d.querySelector('#confirm-text').textContent = question;
  d.querySelector('#confirm-yes').textContent = action || 'Delete';
  return new Promise((resolve) => {
    d.onclose = () => {
      // The close event is queued: the one of the previous question can
      // arrive after this one was asked. It is not this answer.
      if (d.open) return;
      d.onclose = null;
      resolve(d.returnValue === 'yes');
      if (back) back.focus();
    };
    d.returnValue = '';
    d.showModal();
    d.querySelector('#confirm-no').focus();
  });
}

// sheet opens a modal dialog holding a form; it resolves when closed.
export function sheet(title, body) {
  const d = h('dialog', { class: 'sheet', 'aria-labelledby': 'sheet-title' },
    h('div', { class: 'sheet-head' },
      h('h2', { id: 'sheet-title' }, title),
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Close', onclick: () => d.close() }, '✕')),
    body);
  const back = document.activeElement;
  document.body.append(d);
  d.addEventListener('close', () => { d.remove(); if (back && back.focus) back.focus(); });
  d.showModal();
  const first = d.querySelector('[autofocus]') || d.querySelector('input, select, button:not(.icon)');
  if (first) first.focus();
  return d;
}

export function field(label, input, hint) {
  const id = input.id || (input.id = 'f' + Math.random().toString(36).slice(2, 9));
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', {}, hint) : null);
}

export function empty(msg) { return h('p', { class: 'empty' }, msg); }

export function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, e && e.message ? e.message : String(e));
}
