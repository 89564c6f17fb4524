// pair.js: pairing a phone. On the dashboard (signed in as the owner) it
// shows a one-time code and its QR code; on the phone (opened from the QR
// code, or by hand) it exchanges the code for the phone's own token.
import { session, setToken, whoami, post, blob, ApiError } from './api.js';
import { h, field, errorBox } from './ui.js';

function codeFromHash() {
  const q = new URLSearchParams(location.hash.split('?')[1] || '');
  return (q.get('code') || '').slice(0, 32);
}

export async function renderPair(root) {
  const code = codeFromHash();
  if (code || !session.token || !session.user) renderJoin(root, code);
  else renderShow(root);
}

// renderShow: the dashboard side. Whose phone decides whether the phone
// sees these records (the owner's own phone) or starts its own.
function renderShow(root) {
  const out = h('div', { id: 'pair-out', 'aria-live': 'polite' });
  const whose = (v, label, hint, checked) => [
    h('input', { type: 'radio', name: 'whose', id: 'whose-' + v, value: v, checked }),
    h('label', { for: 'whose-' + v, title: hint }, label)];
  const form = h('form', { class: 'card narrow wide', 'aria-labelledby': 'pair-h', onsubmit: async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    out.replaceChildren(h('p', { class: 'muted' }, 'Asking pamd for a code…'));
    try {
      const same = form.elements.whose.value === 'mine';
      const r = await post('/api/v1/auth/pair/code', { same_user: same });
      await showCode(out, r, same);
    } catch (e) {
      out.replaceChildren(errorBox(e instanceof ApiError && e.status === 403
        ? 'Only the device owner can pair phones from here. On the computer running pamd, run pamd pair.' : e));
    }
    btn.disabled = false;
    btn.textContent = 'Show a new code';
  } },
  h('h2', { id: 'pair-h' }, 'Pair a phone'),
  h('p', {}, 'A phone on the RV\u2019s Wi-Fi scans the code below, or opens this address and types the code. ' +
    'The code works once and for 10 minutes.'),
  h('fieldset', { class: 'chips' }, h('legend', {}, 'Whose phone is it?'),
    whose('mine', 'Mine: the same records', 'The phone signs in as you', true),
    whose('other', 'Someone else\u2019s: their own records', 'The phone becomes a new person on this RV', false)),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'pair-show' }, 'Show a pairing code')),
  out);
  root.append(h('h1', { class: 'visually-hidden' }, 'Pair a phone'), form);
}

async function showCode(out, r, same) {
  const url = `${location.origin}/#/pair?code=${encodeURIComponent(r.code)}`;
  const until = new Date(r.expires_at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const svg = await (await blob('/api/v1/ui/qr?text=' + encodeURIComponent(url), 'image/svg+xml')).text();
  const img = h('img', { id: 'pair-qr', class: 'qr', width: 240, height: 240,
    src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg),
    alt: `QR code of the pairing address ${url}` });
  const loopback = /^(localhost|127\.|\[::1\])/.test(location.hostname);
  out.replaceChildren(h('div', { class: 'pairing' },
    img,
    h('div', {},
      h('p', { class: 'big' }, h('small', {}, 'Pairing code'), h('span', { id: 'pair-code' }, r.code)),
      h('p', {}, 'On the phone: ', h('a', { id: 'pair-url', href: url }, url)),
      h('p', { class: 'muted' }, `Valid once, until ${until}. ${same ? 'The phone will see your records.' : 'The phone will be a new person with records of their own.'}`),
      loopback ? h('p', { class: 'error' }, 'This page is open on the RV computer itself (' + location.host +
        '): a phone cannot reach that address. Open the dashboard at pamd\u2019s Wi-Fi address (pamd serve --listen) to pair.') : null)));
}

// renderJoin: the phone side.
function renderJoin(root, code) {
  const input = h('input', { id: 'join-code', autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: 'false',
    required: true, maxlength: 32, value: code, 'aria-describedby': 'join-help' });
  const name = h('input', { id: 'join-name', autocomplete: 'name', maxlength: 100 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'join-h', onsubmit: async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    try {
      const label = 'paired in the browser' + (name.value.trim() ? ': ' + name.value.trim() : '');
      // A token this browser already holds is a device token: pamd pairs
      // by the code alone and ignores it.
      const r = await post('/api/v1/auth/pair', { code: input.value.trim(), name: name.value.trim(), label });
      setToken(r.token);
      await whoami();
      location.hash = '#/today';
    } catch (e) {
      out.append(errorBox(e instanceof ApiError && e.status === 401 ? 'That code is wrong or used up: ask for a new one on the dashboard.' : e));
    }
    btn.disabled = false;
  } },
  h('h2', { id: 'join-h' }, 'Pair this phone'),
  h('p', { id: 'join-help' }, 'Type the code the dashboard shows (Sync, then Pair a phone), or the one ', h('code', {}, 'pamd pair'), ' prints.'),
  field('Pairing code', input),
  field('Your name', name, 'Needed when the code is for a new person'),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'join-go' }, 'Pair'),
    h('a', { href: '#/signin', class: 'button' }, 'Sign in with a token')),
  out);
  root.append(h('h1', { class: 'visually-hidden' }, 'Pair this phone'), form);
  (code ? name : input).focus();
}
