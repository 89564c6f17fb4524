// chat.js: talk to PAM over /ws/chat. Tokens stream into the answer, tool
// results become cards, and a small badge says which model answered.
import { socket, post } from './api.js';
import { h, money, errorBox } from './ui.js';

const history = []; // kept while the page is open
let sessionID = sessionStorage.getItem('pam.chatSession') || '';

const PROVIDERS = { openai: 'cloud', ollama: 'local', offline: 'offline' };

export function renderChat(root) {
  const log = h('ol', { class: 'chat-log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
  const input = h('textarea', { id: 'chat-input', rows: 2, required: true, placeholder: 'Ask PAM… e.g. "how much did we spend on fuel this month?"' });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const state = h('span', { class: 'muted', id: 'chat-state' });
  let current = null; // the answer being streamed
  let ws = null;

  const scroll = () => log.lastElementChild && log.lastElementChild.scrollIntoView({ block: 'end' });
  const bubble = (who, text) => {
    const body = h('div', { class: 'text' }, text || '');
    const li = h('li', { class: 'msg ' + who }, h('span', { class: 'visually-hidden' }, who === 'me' ? 'You said: ' : 'PAM said: '), body);
    log.append(li);
    return { li, body, cards: null };
  };
  const addCard = (m, ev) => {
    if (quiet(ev)) return;
    if (!m.cards) { m.cards = h('div', { class: 'cards' }); m.li.append(m.cards); }
    m.cards.append(toolCard(ev));
  };
  const finish = (m, done) => {
    if (done.reply && !m.body.textContent) m.body.textContent = done.reply;
    if (done.session_id) { sessionID = done.session_id; sessionStorage.setItem('pam.chatSession', sessionID); }
    if (!m.cards && done.tool_calls) for (const tc of done.tool_calls) addCard(m, { name: tc.name, result: tc.result, error: tc.error });
    const kind = PROVIDERS[done.provider] || done.provider || '';
    m.li.append(h('p', { class: 'provider', title: done.model || '' },
      h('span', { class: 'badge ' + kind }, kind), done.model ? ` ${done.model}` : '', done.latency_ms ? ` · ${(done.latency_ms / 1000).toFixed(1)} s` : ''));
    m.li.removeAttribute('aria-busy');
    history.push({ who: 'pam', el: m.li });
    send.disabled = false;
    scroll();
  };

  for (const item of history) log.append(item.el);

  ws = socket('chat', (ev) => {
    if (!current) current = bubble('pam');
    switch (ev.type) {
      case 'token': current.body.textContent += ev.content || ''; break;
      case 'tool_call': state.textContent = `Using ${label(ev.name)}…`; break;
      case 'tool_result': addCard(current, ev); break;
      case 'done': finish(current, ev); current = null; state.textContent = ''; break;
      case 'error': current.li.append(errorBox(ev.error || 'PAM could not answer.')); current.li.removeAttribute('aria-busy'); current = null; send.disabled = false; state.textContent = ''; break;
    }
    scroll();
  }, (up) => { state.textContent = up ? '' : 'Reconnecting…'; });

  const form = h('form', { class: 'chat-form', onsubmit: async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const mine = bubble('me', text);
    history.push({ who: 'me', el: mine.li });
    input.value = '';
    send.disabled = true;
    current = bubble('pam');
    current.li.setAttribute('aria-busy', 'true');
    scroll();
    const msg = { type: 'message', content: text };
    if (sessionID) msg.session_id = sessionID;
    if (!ws.send(msg)) {
      // The socket is down: the same turn over plain HTTP.
      try {
        const done = await post('/api/v1/pam/chat', { message: text, session_id: sessionID || undefined });
        finish(current, done);
      } catch (err) {
        current.li.append(errorBox(err));
        send.disabled = false;
      }
      current = null;
    }
  } },
  h('label', { for: 'chat-input', class: 'visually-hidden' }, 'Message to PAM'), input, send);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });

  root.append(h('section', { class: 'chat', 'aria-labelledby': 'chat-h' },
    h('h1', { id: 'chat-h', class: 'visually-hidden' }, 'Chat with PAM'), log, state, form));
  input.focus();
  return () => ws.close();
}

// quiet: lookups that found nothing are how PAM checks, not news.
function quiet(ev) {
  const r = ev.result;
  return !ev.error && r && typeof r === 'object' && (r.returned === 0 || (Array.isArray(r.rows) && !r.rows.length));
}

function label(name) { return (name || 'a tool').replace(/^pam_/, '').replace(/_/g, ' '); }

// toolCard shows a tool's result as a card: the few fields people read
// (amounts, dates, names), not the JSON.
function toolCard(ev) {
  const card = h('article', { class: 'tool-card' + (ev.error ? ' failed' : '') }, h('h3', {}, label(ev.name)));
  if (ev.error) { card.append(h('p', {}, ev.error)); return card; }
  const r = ev.result;
  if (r && typeof r === 'object') {
    const flat = Array.isArray(r) ? {} : r;
    const dl = h('dl');
    let n = 0;
    for (const [k, v] of Object.entries(flat)) {
      if (n >= 6 || v === null || typeof v === 'object' || /(^|_)id$/.test(k)) continue;
      const text = typeof v === 'string' && /^-?\d+\.\d\d$/.test(v) && /amount|total|cost|spent|budget|price|remaining/.test(k) ? money(v) : String(v);
      dl.append(h('dt', {}, k.replace(/_/g, ' ')), h('dd', {}, text));
      n++;
    }
    if (Array.isArray(r)) card.append(h('p', {}, `${r.length} item${r.length === 1 ? '' : 's'}`));
    if (n) card.append(dl);
    for (const [k, v] of Object.entries(flat)) {
      if (Array.isArray(v) && v.length && typeof v[0] === 'object') { card.append(h('p', { class: 'muted' }, `${v.length} ${k.replace(/_/g, ' ')}`)); break; }
    }
  } else if (r !== undefined) {
    card.append(h('p', {}, String(r)));
  }
  return card;
}
