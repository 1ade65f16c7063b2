// Small DOM helpers. Every value reaches the page as text (textContent, attributes), never as HTML.

/**
 * Creates an element: h('a', {href: '#/x', class: 'link'}, 'text', child).
 * Attributes starting with "on" become listeners; null/false attributes are skipped; true sets "".
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const dateTime = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const timeOnly = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit', second: '2-digit'});
const number = new Intl.NumberFormat();
let regions = null;
try {
  regions = new Intl.DisplayNames([navigator.language || 'en'], {type: 'region'});
} catch {
  // Older engines: show the codes.
}

/** A <time> element for an RFC 3339 string (or a dash). */
export function time(iso, short = false) {
  if (!iso) return h('span', {class: 'muted'}, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, iso);
  return h('time', {datetime: iso, title: d.toString()}, (short ? timeOnly : dateTime).format(d));
}

export const fmtNumber = (n) => number.format(n ?? 0);

/** "United States" for "US"; the value itself for anything that is not a region code. */
export function countryName(code) {
  if (!code) return 'Unknown';
  if (regions && /^[A-Z]{2}$/.test(code)) {
    try {
      return regions.of(code) ?? code;
    } catch {
      return code;
    }
  }
  return code;
}

/** Only http(s) URLs become links; anything else stays text. */
export function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Value for <input type="datetime-local"> in the browser's zone, from an RFC 3339 string. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** RFC 3339 (UTC) from a datetime-local value read in the browser's zone; null when empty. */
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** Copies text; falls back to a selected textarea where the Clipboard API is missing (plain http). */
export async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission denied: try the fallback.
    }
  }
  const ta = h('textarea', {class: 'offscreen', readonly: true, 'aria-hidden': 'true'});
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/** A "Copy" button for a text; its label says "Copied" for a moment. */
export function copyButton(text, label = 'Copy') {
  const btn = h('button', {type: 'button', class: 'btn small', 'aria-label': `${label} ${text}`}, label);
  btn.addEventListener('click', async () => {
    const ok = await copyText(text);
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    toast(ok ? `Copied ${text}` : 'Could not copy: select the text and copy it by hand', ok ? 'info' : 'error');
    setTimeout(() => { btn.textContent = label; }, 1500);
  });
  return btn;
}

/** A message at the bottom of the screen; errors and alerts stay until dismissed or 10 s. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div', {class: `toast ${kind}`, role: kind === 'info' ? null : 'alert'},
    h('span', {}, message),
    h('button', {type: 'button', class: 'btn small ghost', 'aria-label': 'Dismiss', onclick: () => item.remove()}, '×'));
  box.append(item);
  while (box.children.length > 5) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === 'info' ? 4000 : 10000);
}
