// The link form (create and edit): fields with labels, hints and error slots, values in the
// API's shape, and problems shown next to the fields they name.

import {h, fill, toLocalInput, fromLocalInput} from './dom.js';
import {smartFields} from './smart.js';

const REDIRECTS = [
  ['302', '302 Found (temporary, default)'],
  ['301', '301 Moved permanently'],
  ['307', '307 Temporary redirect'],
  ['308', '308 Permanent redirect'],
];

/**
 * Builds the fields of a link form. `prefix` names the ids (create-url, edit-url, ...); `link` fills
 * them for editing. Returns {root, inputs, errors, general}.
 */
export function linkForm(prefix, {link = null, withSlug = false} = {}) {
  const inputs = {};
  const errors = {};
  const id = (name) => `${prefix}-${name}`;

  const field = (name, label, input, hint, extraClass = '') => {
    inputs[name] = input;
    input.id = id(name);
    input.name = name;
    const described = [];
    let hintEl = null;
    if (hint) {
      hintEl = h('p', {class: 'hint', id: id(`${name}-hint`)}, hint);
      described.push(hintEl.id);
    }
    errors[name] = h('p', {class: 'field-error', id: id(`${name}-error`), dataset: {field: name}});
    described.push(errors[name].id);
    input.setAttribute('aria-describedby', described.join(' '));
    if (input.type === 'checkbox') {
      return h('div', {class: `field check ${extraClass}`}, h('label', {for: input.id}, input, ' ', label), hintEl, errors[name]);
    }
    return h('div', {class: `field ${extraClass}`}, h('label', {for: input.id}, label), input, hintEl, errors[name]);
  };

  const text = (attrs = {}) => h('input', {type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs});
  const redirect = h('select', {}, REDIRECTS.map(([v, l]) => h('option', {value: v}, l)));
  const forward = h('input', {type: 'checkbox'});

  const parts = [
    field('url', 'Destination URL', text({type: 'url', inputmode: 'url', required: true, placeholder: 'https://example.com/a/long/page'}),
      null, 'wide'),
    withSlug ? field('slug', 'Custom slug (optional)', text({maxlength: 64, placeholder: 'launch'}),
      'Letters, digits, - and _. Left empty, Kurz picks one.') : null,
    field('title', 'Title', text({maxlength: 512})),
    field('tags', 'Tags', text({placeholder: 'news, launch'}), 'Separated by commas.'),
    field('expiresAt', 'Expires at', h('input', {type: 'datetime-local'}), 'Your local time.'),
    field('maxClicks', 'Click limit', h('input', {type: 'number', min: 1, step: 1, inputmode: 'numeric'})),
    field('redirectType', 'Redirect type', redirect),
    field('forwardQuery', 'Pass on the query string', forward, 'Appends ?utm_source=… from the short URL to the destination.'),
  ];
  const smart = smartFields(prefix, field, {link, withDomain: withSlug});
  parts.push(h('details', {class: 'smart wide', id: id('smart'), open: Boolean(link && (link.rules || link.variants || link.fallbackUrl
    || link.utm || link.preview || link.passwordProtected))}, h('summary', {}, 'Smart link: domain, rules, variants, password, preview, UTM'),
  h('div', {class: 'form-grid'}, smart.parts)));

  forward.checked = true;
  if (link) {
    inputs.url.value = link.url ?? '';
    inputs.title.value = link.title ?? '';
    inputs.tags.value = (link.tags ?? []).join(', ');
    inputs.expiresAt.value = toLocalInput(link.expiresAt);
    inputs.maxClicks.value = link.maxClicks ?? '';
    redirect.value = String(link.redirectType ?? 302);
    forward.checked = link.forwardQuery !== false;
  }
  const general = h('p', {class: 'form-error', role: 'alert'});
  const root = h('div', {class: 'form-grid'}, parts);
  const initial = snapshot(inputs);
  return {root, inputs, errors, general, initial, smart};
}

function snapshot(inputs) {
  const s = {};
  for (const [name, el] of Object.entries(inputs)) s[name] = el.type === 'checkbox' ? el.checked : el.value;
  return s;
}

export const parseTags = (raw) => raw.split(',').map((t) => t.trim()).filter(Boolean);

/** Values a browser could not parse (e.g. "1e" in a number field) as {field: message}. */
function localErrors(form) {
  const out = {};
  if (form.inputs.maxClicks.validity.badInput) out.maxClicks = 'must be a whole number';
  if (form.inputs.expiresAt.validity.badInput) out.expiresAt = 'must be a complete date and time';
  return out;
}

/** The body of POST /api/v1/links; empty optional fields are left out. Null when a field is unreadable. */
export function createBody(form) {
  const bad = localErrors(form);
  if (Object.keys(bad).length) {
    showErrors(form, Object.entries(bad).map(([field, message]) => ({field, message})));
    return null;
  }
  const v = snapshot(form.inputs);
  const body = {url: v.url.trim()};
  if (v.slug?.trim()) body.slug = v.slug.trim();
  if (v.title.trim()) body.title = v.title.trim();
  const tags = parseTags(v.tags);
  if (tags.length) body.tags = tags;
  if (v.expiresAt) body.expiresAt = fromLocalInput(v.expiresAt);
  if (v.maxClicks !== '') body.maxClicks = Number(v.maxClicks);
  body.redirectType = Number(v.redirectType);
  body.forwardQuery = v.forwardQuery;
  return Object.assign(body, form.smart.create());
}

/**
 * The body of PATCH /api/v1/links/{slug}: only fields the user changed, null for cleared optional
 * ones (so an unchanged past expiry does not fail validation). Null when a field is unreadable.
 */
export function patchBody(form) {
  const bad = localErrors(form);
  if (Object.keys(bad).length) {
    showErrors(form, Object.entries(bad).map(([field, message]) => ({field, message})));
    return null;
  }
  const v = snapshot(form.inputs);
  const changed = (name) => v[name] !== form.initial[name];
  const body = {};
  if (changed('url')) body.url = v.url.trim();
  if (changed('title')) body.title = v.title.trim() || null;
  if (changed('tags')) {
    const tags = parseTags(v.tags);
    body.tags = tags.length ? tags : null;
  }
  if (changed('expiresAt')) body.expiresAt = fromLocalInput(v.expiresAt);
  if (changed('maxClicks')) body.maxClicks = v.maxClicks === '' ? null : Number(v.maxClicks);
  if (changed('redirectType')) body.redirectType = Number(v.redirectType);
  if (changed('forwardQuery')) body.forwardQuery = v.forwardQuery;
  return Object.assign(body, form.smart.patch());
}

export function clearErrors(form) {
  for (const [name, el] of Object.entries(form.errors)) {
    fill(el);
    form.inputs[name].removeAttribute('aria-invalid');
  }
  fill(form.general);
}

/** Puts each {field, message} next to its field; messages for unknown fields go to the general slot. */
export function showErrors(form, list, detail = null) {
  clearErrors(form);
  let first = null;
  const general = [];
  for (const {field, message} of list) {
    const name = /^[A-Za-z]+/.exec(field ?? '')?.[0];
    const slot = name && form.errors[name];
    if (!slot) {
      general.push(field ? `${field}: ${message}` : message);
      continue;
    }
    slot.append(h('span', {}, message));
    form.inputs[name].setAttribute('aria-invalid', 'true');
    first ??= form.inputs[name];
  }
  if (detail && !list.length) general.push(detail);
  if (general.length) fill(form.general, general.join(' '));
  (first ?? form.general).focus?.();
}

/** Shows an ApiError from the API: validation errors by field, a taken slug at the slug, else its detail. */
export function showProblem(form, err) {
  if (err.errors.length) showErrors(form, err.errors);
  else if (err.status === 409 && form.errors.slug) showErrors(form, [{field: 'slug', message: err.message}]);
  else showErrors(form, [], err.message);
}
