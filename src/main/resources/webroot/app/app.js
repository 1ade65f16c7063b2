// Kurz web UI: sign-in, hash routing (#/links, #/links/<slug>, #/links/<host>/<slug> for a link on a
// branded domain, #/overview, #/keys), the live status dot
// and alert toasts. Pages live in links.js and pages.js.

import {fill, toast} from './dom.js';
import {session, verifyKey, setUnauthorizedHandler, loadDefaultHost} from './api.js';
import * as live from './live.js';
import {linksPage} from './links.js';
import {linkPage, overviewPage} from './pages.js';
import {keysPage} from './keys.js';
import {domainsPage} from './smart.js';
import {webhooksPage} from './webhooks.js';

const $ = (id) => document.getElementById(id);
const STATUS_TEXT = {
  off: 'Offline',
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  rejected: 'Live updates refused',
};

let cleanup = null;
let signedIn = false;

function leaveView() {
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      console.error(e);
    }
  }
  cleanup = null;
  fill($('view'));
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  if (!signedIn) return;
  leaveView();
  const view = $('view');
  const hash = location.hash || '#/links';
  let page = 'links';
  let slug = null;
  let domain = null;
  const m = /^#\/links\/(?:([^/?#]+)\/)?([^/?#]+)$/.exec(hash);
  if (m) {
    try {
      domain = m[1] == null ? null : decodeURIComponent(m[1]);
      slug = decodeURIComponent(m[2]);
      page = 'link';
    } catch {
      page = 'links';
    }
  } else if (hash === '#/overview') {
    page = 'overview';
  } else if (hash === '#/keys') {
    page = 'keys';
  } else if (hash === '#/domains') {
    page = 'domains';
  } else if (hash === '#/webhooks') {
    page = 'webhooks';
  } else if (hash !== '#/links') {
    history.replaceState(null, '', '#/links');
  }
  if (page === 'link') cleanup = linkPage(view, slug, {domain, navigate});
  else if (page === 'overview') cleanup = overviewPage(view);
  else if (page === 'keys') cleanup = keysPage(view);
  else if (page === 'domains') cleanup = domainsPage(view);
  else if (page === 'webhooks') cleanup = webhooksPage(view);
  else cleanup = linksPage(view);

  document.title = {links: 'Links', link: domain ? `${domain}/${slug}` : slug, overview: 'Overview', keys: 'API keys', domains: 'Domains', webhooks: 'Webhooks'}[page] + ' · Kurz';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === page || (page === 'link' && a.dataset.nav === 'links')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Move focus to the new page's heading so screen readers announce it.
  view.querySelector('h1')?.focus({preventScroll: true});
}

function setChrome(on) {
  $('nav').hidden = !on;
  $('status').hidden = !on;
  $('sign-out').hidden = !on;
  $('sign-in-view').hidden = on;
}

async function startApp() {
  signedIn = true;
  setChrome(true);
  live.start(session.key);
  // Before the first page: links on the default domain are named by their slug alone.
  await loadDefaultHost();
  if (signedIn) route();
}

function showSignIn(message = '') {
  signedIn = false;
  live.stop();
  leaveView();
  setChrome(false);
  document.title = 'Sign in · Kurz';
  fill($('sign-in-error'), message);
  const key = $('key');
  key.value = '';
  key.focus();
}

function signOut(message = '') {
  session.key = null;
  showSignIn(message);
}

async function signIn(e) {
  e.preventDefault();
  const input = $('key');
  const button = $('sign-in');
  const key = input.value.trim();
  if (!key) {
    fill($('sign-in-error'), 'Paste your API key.');
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  button.disabled = true;
  fill($('sign-in-error'), 'Checking…');
  try {
    await verifyKey(key);
    input.removeAttribute('aria-invalid');
    fill($('sign-in-error'));
    session.key = key;
    input.value = '';
    startApp();
  } catch (err) {
    input.setAttribute('aria-invalid', 'true');
    fill($('sign-in-error'), err.status === 401 ? 'This API key is not valid: it is unknown or was revoked.'
      : err.status === 403 ? 'This API key may not read links (it needs the links:read scope).'
        : `Could not sign in: ${err.message}`);
    input.focus();
  } finally {
    button.disabled = false;
  }
}

function showStatus(state) {
  const el = $('status');
  el.dataset.state = state;
  el.className = `status ${state}`; // e.g. "status connected"; "connecting" and "reconnecting" never contain it
  el.title = `Live updates: ${STATUS_TEXT[state] ?? state}`;
  el.querySelector('.status-text').textContent = STATUS_TEXT[state] ?? state;
}

$('sign-in-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', () => signOut());
$('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  $('main').focus();
});
addEventListener('hashchange', route);
setUnauthorizedHandler(() => signOut('Your API key was rejected (revoked or wrong). Sign in again.'));
live.onStatus(showStatus);
live.onFrame((f) => {
  if (f.type === 'alert') toast(f.message || 'Alert', 'alert');
});

if (session.key) startApp();
else showSignIn();
