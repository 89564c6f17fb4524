// sync.js: the sync page. Where sync stands, a button to sync now, and
// the conflicts to review: both values side by side, the user picks.
import { get, post, outbox, flushOutbox } from './api.js';
import { h, ago, fmtDate, toast, empty, errorBox } from './ui.js';

// A review is recorded by the daemon, so every screen (dashboard, phones)
// stops asking and the sync indicator's count goes down.
const markReviewed = (id) => post(`/api/v1/sync/conflicts/${id}/review`);

const show = (raw) => (raw === null || raw === undefined ? '(empty)' : typeof raw === 'object' ? JSON.stringify(raw) : String(raw));

export async function renderSync(root) {
  const status = h('section', { class: 'card', 'aria-labelledby': 'st-h' }, h('h2', { id: 'st-h' }, 'Sync'));
  const conflicts = h('section', { class: 'card', 'aria-labelledby': 'cf-h' }, h('h2', { id: 'cf-h' }, 'Conflicts to review'));
  const more = h('section', { class: 'card', 'aria-labelledby': 'mo-h' }, h('h2', { id: 'mo-h' }, 'Phones and files'),
    h('p', {}, 'Let a phone on the RV’s Wi-Fi use PAM, bring in records from other apps, or take everything with you.'),
    h('div', { class: 'actions' }, h('a', { href: '#/pair', class: 'button', id: 'go-pair' }, 'Pair a phone'),
      h('a', { href: '#/data', class: 'button', id: 'go-data' }, 'Import and export')));
  root.append(h('h1', { class: 'visually-hidden' }, 'Sync'), h('div', { class: 'grid two' }, status, conflicts, more));

  const draw = async () => {
    status.replaceChildren(status.firstChild);
    conflicts.replaceChildren(conflicts.firstChild);
    let st;
    try { st = await get('/api/v1/sync/status'); } catch (e) {
      status.append(e.status === 404 ? empty('This daemon runs without sync.') : errorBox(e));
    }
    if (st) {
      const rows = [
        ['Central database', st.central === 'none' ? 'not configured' : st.online ? 'online' : 'offline'],
        ['Changes waiting to sync', String(st.pending_changes ?? 0)],
        ['Waiting on this device', String(outbox().length)],
        ['Last sync', ago(st.last_success_at || st.last_pull_at)],
        ['Conflicts recorded', String(st.conflicts ?? 0)],
      ];
      if (st.last_error) rows.push(['Last error', st.last_error]);
      if (st.next_retry_at && !String(st.next_retry_at).startsWith('0001')) rows.push(['Next try', fmtDate(st.next_retry_at)]);
      status.append(h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        st.central === 'none' ? h('p', { class: 'muted' }, 'Everything is kept on this device; set PAM_CENTRAL_URL on pamd to sync.') :
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: async (ev) => {
          ev.target.disabled = true;
          try {
            await flushOutbox();
            // pamd may run the cycle in the background (202, state "pending").
            const r = await post('/api/v1/sync/now');
            toast(r && r.state === 'pending' ? 'Sync started' : 'Synced');
          } catch (e) { toast(e.message, 'bad'); }
          ev.target.disabled = false;
          draw();
          window.dispatchEvent(new CustomEvent('pam:outbox'));
        } }, 'Sync now')));
    }
    let list;
    try { list = await get('/api/v1/sync/conflicts?limit=200'); } catch (e) {
      conflicts.append(e.status === 404 ? empty('No conflict ledger on this daemon.') : errorBox(e));
      return;
    }
    const open = (list.conflicts || []).filter((c) => !c.reviewed_at);
    if (!open.length) { conflicts.append(empty('Nothing to review.')); return; }
    conflicts.append(h('ul', { class: 'conflicts' }, open.map((c) => h('li', { class: 'conflict' },
      h('p', {}, h('strong', {}, `${c.table} · ${c.column}`), h('span', { class: 'muted' }, ` ${fmtDate(c.detected_at)} · ${c.reason || ''}`)),
      h('div', { class: 'pick', role: 'group', 'aria-label': `Pick the value of ${c.column}` },
        h('button', { type: 'button', onclick: async () => {
          try {
            await markReviewed(c.id);
            toast('Kept the current value');
            draw();
            window.dispatchEvent(new CustomEvent('pam:outbox'));
          } catch (e) { toast(e.message, 'bad'); }
        } },
          h('small', {}, 'Keep current'), h('span', {}, show(c.winner))),
        h('button', { type: 'button', onclick: async () => {
          try {
            await post('/api/v1/pam/database/update', { table: c.table, id: c.row_id, data: { [c.column]: c.loser } });
            await markReviewed(c.id);
            toast('Restored the other value');
            draw();
            window.dispatchEvent(new CustomEvent('pam:outbox'));
          } catch (e) { toast(e.message, 'bad'); }
        } }, h('small', {}, 'Use the other'), h('span', {}, show(c.loser))))))));
  };
  await draw();
}
