// api.js: the token, calls to pamd (same origin), the offline outbox and
// the WebSockets. Everything here talks to pamd only.

const TOKEN_KEY = 'pam.token';
const OUTBOX_KEY = 'pam.outbox';

export const session = {
  token: localStorage.getItem(TOKEN_KEY) || '',
  user: localStorage.getItem('pam.user') || '',
};

export function setToken(tok) {
  session.token = tok;
  session.user = '';
  localStorage.removeItem('pam.user');
  if (tok) localStorage.setItem(TOKEN_KEY, tok);
  else localStorage.removeItem(TOKEN_KEY);
}

// ApiError carries the RFC 9457 problem pamd answered, or a network failure
// (status 0) when pamd could not be reached at all.
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || (status ? 'HTTP ' + status : 'pamd is not reachable'));
    this.status = status;
    this.problem = problem || {};
  }
}

// call sends body as JSON, or as it is when it is a Blob (a File: an
// upload), and answers the JSON pamd sent back.
export async function call(method, path, body) {
  const res = await fetchOK(method, path, body);
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return { detail: text }; }
}

// fetchOK makes the request and throws an ApiError unless it succeeded.
async function fetchOK(method, path, body, accept) {
  const headers = { Accept: accept || 'application/json' };
  if (session.token) headers.Authorization = 'Bearer ' + session.token;
  const raw = body instanceof Blob;
  if (body !== undefined) headers['Content-Type'] = raw ? 'application/octet-stream' : 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body), cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { title: 'pamd is not reachable' });
  }
  if (res.ok) return res;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (res.status === 401) window.dispatchEvent(new CustomEvent('pam:unauthorized'));
  throw new ApiError(res.status, data);
}

// blob fetches a file pamd serves behind the token (an export, a QR code).
export async function blob(path, accept) {
  const res = await fetchOK('GET', path, undefined, accept || '*/*');
  return res.blob();
}

export const get = (p) => call('GET', p);
export const post = (p, b) => call('POST', p, b ?? {});
export const patch = (p, b) => call('PATCH', p, b);
export const del = (p) => call('DELETE', p);

// whoami resolves the token's user: the WebSocket paths name it.
export async function whoami() {
  const me = await get('/api/v1/ui/me');
  session.user = me.user_id;
  localStorage.setItem('pam.user', me.user_id);
  return me.user_id;
}

// query builds the dashboard routes' list parameters (column.op=value).
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

// uuid7 mints a time-ordered id on the device, so a write queued offline
// and retried later is applied once (a repeat is a 409).
export function uuid7() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The outbox holds writes made while pamd itself was unreachable (a phone
// out of Wi-Fi range). pamd works without the central database, so this
// is only needed between the phone and the RV.
export function outbox() {
  try { return JSON.parse(localStorage.getItem(OUTBOX_KEY) || '[]'); } catch { return []; }
}
function saveOutbox(list) { localStorage.setItem(OUTBOX_KEY, JSON.stringify(list)); }

// write sends a bulk write, or queues it when pamd cannot be reached.
// It answers {queued: true} or pamd's answer.
export async function write(operations) {
  try {
    return await post('/api/v1/pam/database/bulk', { operations });
  } catch (e) {
    if (e.status !== 0) throw e;
    const list = outbox();
    list.push({ operations, at: new Date().toISOString() });
    saveOutbox(list);
    window.dispatchEvent(new CustomEvent('pam:outbox'));
    return { queued: true };
  }
}

// flushOutbox replays queued writes in order; a 409 means it was applied
// already. It stops at the first network failure.
export async function flushOutbox() {
  let list = outbox();
  let sent = 0;
  while (list.length) {
    try {
      await post('/api/v1/pam/database/bulk', { operations: list[0].operations });
    } catch (e) {
      if (e.status === 0) break;
      if (e.status !== 409) console.warn('dropped a queued write pamd refused', e.problem);
    }
    list = list.slice(1);
    saveOutbox(list);
    sent++;
  }
  if (sent) window.dispatchEvent(new CustomEvent('pam:outbox'));
  return sent;
}

// socket opens a WebSocket to pamd with the token in the query (browsers
// cannot set headers on the handshake) and reconnects with backoff.
export function socket(kind, onMessage, onState) {
  let ws = null;
  let closed = false;
  let delay = 1000;
  let timer = 0;
  const open = () => {
    if (closed || !session.user) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(`${proto}//${location.host}/ws/${kind}/${encodeURIComponent(session.user)}?token=${encodeURIComponent(session.token)}`);
    ws.onopen = () => { delay = 1000; onState && onState(true); };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      onMessage(m);
    };
    ws.onclose = () => {
      onState && onState(false);
      if (!closed) { timer = setTimeout(open, delay); delay = Math.min(delay * 2, 30000); }
    };
  };
  open();
  return {
    send(obj) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; } return false; },
    close() { closed = true; clearTimeout(timer); if (ws) ws.close(); },
    get open() { return !!ws && ws.readyState === 1; },
  };
}
