// app.js: the shell. Sign-in, navigation (hash routes), theme, the sync
// indicator and the live notifications socket.
import { session, setToken, whoami, get, socket, flushOutbox, outbox, ApiError } from './api.js';
import { h, toast, ago, field, errorBox } from './ui.js';
import { renderToday, onNotification } from './today.js';
import { renderChat } from './chat.js';
import { renderLists } from './lists.js';
import { renderSync } from './sync.js';
import { openQuick } from './quick.js';
import { renderPair } from './pair.js';
import { renderData } from './data.js';

const main = document.getElementById('main');
const views = {
  today: { title: 'Today', render: renderToday },
  chat: { title: 'Chat with PAM', render: renderChat },
  lists: { title: 'Records', render: renderLists },
  sync: { title: 'Sync', render: renderSync },
  signin: { title: 'Sign in', render: renderSignIn, public: true },
  pair: { title: 'Pair a phone', render: renderPair, public: true },
  data: { title: 'Import and export', render: renderData },
};

// Theme: a high-contrast day theme for sunlight, a dim night theme.
function applyTheme(t) {
  document.documentElement.dataset.theme = t;
  localStorage.setItem('pam.theme', t);
  const b = document.getElementById('theme');
  // A toggle: its name stays "Night", its pressed state says which theme is on.
  b.setAttribute('aria-pressed', t === 'night' ? 'true' : 'false');
}
applyTheme(localStorage.getItem('pam.theme') || (matchMedia('(prefers-color-scheme: dark)').matches ? 'night' : 'day'));
document.getElementById('theme').addEventListener('click', () =>
  applyTheme(document.documentElement.dataset.theme === 'night' ? 'day' : 'night'));

document.getElementById('quick-expense').addEventListener('click', () => openQuick('expense'));
document.getElementById('quick-fuel').addEventListener('click', () => openQuick('fuel'));

let teardown = null;
let notifications = null;

async function route() {
  let name = (location.hash.replace(/^#\/?/, '') || 'today').split('?')[0];
  if (!views[name]) name = 'today';
  if (!views[name].public && !session.token) name = 'signin';
  if (!views[name].public && !session.user) {
    try { await whoami(); } catch (e) { if (e.status === 401) name = 'signin'; }
  }
  document.body.classList.toggle('signed-out', !session.token || !session.user);
  document.body.dataset.view = name;
  for (const a of document.querySelectorAll('.top nav a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (teardown) { teardown(); teardown = null; }
  document.title = `${views[name].title} · PAM`;
  main.replaceChildren();
  main.setAttribute('aria-busy', 'true');
  try {
    teardown = (await views[name].render(main)) || null;
  } catch (e) {
    main.append(errorBox(e));
  }
  main.removeAttribute('aria-busy');
  // When the view has its data on screen: the browser test's "interactive".
  performance.mark('pam:view:' + name);
  if (session.user && !notifications) startNotifications();
  refreshSync();
}
window.addEventListener('hashchange', () => { route(); main.focus({ preventScroll: true }); });
window.addEventListener('pam:unauthorized', () => {
  // On the sign-in and pairing screens the form says what went wrong itself.
  const v = views[document.body.dataset.view];
  if (!v || !v.public) { setToken(''); location.hash = '#/signin'; }
});
window.addEventListener('pam:changed', () => { refreshSync(); if (currentView() === 'today') route(); });
window.addEventListener('pam:outbox', refreshSync);
window.addEventListener('online', () => flushOutbox().then(refreshSync));

function currentView() { return (location.hash.replace(/^#\/?/, '') || 'today').split('?')[0]; }

function startNotifications() {
  notifications = socket('notifications', (n) => {
    onNotification(n);
    toast(n.title || n.body || 'Notification');
    if (/sync|conflict/.test(n.type || '')) refreshSync();
  }, (up) => {
    document.getElementById('live').textContent = up ? 'Live' : '';
  });
}

// The sync indicator: pamd reachable, central online or offline, pending
// changes, last sync, conflicts.
let syncTimer = 0;
async function refreshSync() {
  clearTimeout(syncTimer);
  syncTimer = setTimeout(refreshSync, 30000);
  const pill = document.getElementById('sync-pill');
  const label = pill.querySelector('.label');
  const queued = outbox().length;
  if (!session.token || !session.user) { pill.hidden = true; return; }
  pill.hidden = false;
  let st = null;
  try {
    await flushOutbox();
    st = await get('/api/v1/sync/status');
  } catch (e) {
    if (e.status === 0) {
      pill.dataset.state = 'offline';
      label.textContent = queued ? `No connection to PAM · ${queued} waiting` : 'No connection to PAM';
      return;
    }
  }
  const left = outbox().length;
  if (!st) {
    pill.dataset.state = 'local';
    label.textContent = left ? `Local · ${left} waiting` : 'Local only';
    return;
  }
  const parts = [];
  const online = st.online && st.central !== 'none';
  parts.push(st.central === 'none' ? 'Local only' : online ? 'Online' : 'Offline');
  if (st.pending_changes) parts.push(`${st.pending_changes} pending`);
  if (left) parts.push(`${left} waiting`);
  if (st.conflicts) parts.push(`${st.conflicts} to review`);
  parts.push('synced ' + ago(st.last_success_at || st.last_pull_at));
  pill.dataset.state = st.conflicts ? 'conflict' : online ? 'online' : 'offline';
  label.textContent = parts.join(' · ');
  pill.title = label.textContent; // the whole line when it is cut short
}

function renderSignIn(root) {
  const input = h('textarea', { id: 'token', rows: 3, autocomplete: 'off', spellcheck: 'false', required: true,
    'aria-describedby': 'token-help', placeholder: 'pam_…' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card narrow', onsubmit: async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    setToken(input.value.trim());
    try {
      await whoami();
      location.hash = '#/today';
    } catch (e) {
      setToken('');
      out.append(errorBox(e instanceof ApiError && e.status === 401 ? 'pamd does not know this token.' : e));
    }
  } },
  h('h2', {}, 'Sign in'),
  h('p', { id: 'token-help' }, 'On the computer running pamd, run ', h('code', {}, 'pamd token'),
    ' and paste the token it prints. It stays on this device only.'),
  field('Device token', input),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    h('a', { href: '#/pair', class: 'button' }, 'Pair with a code')),
  out);
  root.append(form);
  input.focus();
}

document.getElementById('signout').addEventListener('click', () => {
  if (notifications) { notifications.close(); notifications = null; }
  setToken('');
  location.hash = '#/signin';
});

route();
