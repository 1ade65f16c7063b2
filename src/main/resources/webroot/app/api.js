// The JSON API with the signed-in key. The key lives in sessionStorage: gone when the tab closes.

const STORAGE = 'kurz.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(STORAGE);
  },
  set key(value) {
    if (value) sessionStorage.setItem(STORAGE, value);
    else sessionStorage.removeItem(STORAGE);
  },
};

/** A non-2xx answer; `problem` is the RFC 9457 body when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
  /** Field errors as [{field, message}] (validation problems only). */
  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

/** Called on any 401 from a signed-in call (the key was revoked or is wrong). */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

async function send(path, {method = 'GET', body, key = session.key, accept = 'application/json'} = {}) {
  const headers = {'X-Api-Key': key ?? '', Accept: accept};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store'});
  } catch (e) {
    throw new ApiError(0, {title: 'Network error', detail: 'Kurz could not be reached. Check your connection.'});
  }
  if (res.ok) return res;
  let problem = null;
  try {
    problem = await res.json();
  } catch {
    problem = {title: res.statusText};
  }
  const err = new ApiError(res.status, problem);
  if (res.status === 401 && key === session.key) onUnauthorized(err);
  throw err;
}

/** JSON of a call (null for 204). */
export async function api(path, options) {
  const res = await send(path, options);
  return res.status === 204 ? null : res.json();
}

/** The body of a call as a Blob plus the file name the server suggests. */
export async function apiBlob(path) {
  const res = await send(path, {accept: '*/*'});
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? null;
  return {blob: await res.blob(), name};
}

/** Checks a key before keeping it: resolves, or throws an ApiError (401 for a wrong key). */
export function verifyKey(key) {
  return api('/api/v1/links?limit=1', {key});
}

/** Saves a Blob through a temporary <a download> link. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const enc = encodeURIComponent;
/** The ?domain= of a link on a branded domain (the default domain's host selects the default). */
const on = (domain) => (domain ? `?domain=${enc(domain)}` : '');

/** The host of KURZ_BASE_URL, once known (loadDefaultHost); links there are named by their slug alone. */
let defaultHost = null;

/** Learns the default domain; until it is known (or if the call fails) every link counts as branded. */
export async function loadDefaultHost() {
  try {
    const r = await api('/api/v1/domains');
    defaultHost = r.items.find((d) => d.default)?.host ?? null;
  } catch {
    defaultHost = null;
  }
}

/**
 * A link's key, the name the live feed and the server use for it: the slug on the default domain,
 * host/slug on a branded one (the same slug may live on both). `domain` may be absent (default).
 */
export function linkKey(link) {
  return !link.domain || link.domain === defaultHost ? link.slug : `${link.domain}/${link.slug}`;
}

/** The hash route of a link's page: #/links/<slug>, or #/links/<host>/<slug> off the default domain. */
export function linkHash(link) {
  return keyHash(linkKey(link));
}

/** The hash route of the link with this key (as live frames name it). */
export function keyHash(key) {
  return `#/links/${key.split('/').map(enc).join('/')}`;
}

export const links = {
  list: ({limit = 50, cursor, q, tag, domain} = {}) => api(`/api/v1/links?${params({limit, cursor, q, tag, domain})}`),
  get: (slug, domain) => api(`/api/v1/links/${enc(slug)}${on(domain)}`),
  create: (body) => api('/api/v1/links', {method: 'POST', body}),
  update: (slug, body, domain) => api(`/api/v1/links/${enc(slug)}${on(domain)}`, {method: 'PATCH', body}),
  remove: (slug, domain) => api(`/api/v1/links/${enc(slug)}${on(domain)}`, {method: 'DELETE'}),
  clicks: (slug, limit = 20, domain) => api(`/api/v1/links/${enc(slug)}/clicks?${params({limit, domain})}`),
  qr: (slug, query, domain) => apiBlob(`/api/v1/links/${enc(slug)}/qr?${params({...query, domain})}`),
};

export const keys = {
  list: () => api('/api/v1/keys'),
  create: (body) => api('/api/v1/keys', {method: 'POST', body}),
  revoke: (id) => api(`/api/v1/keys/${enc(id)}`, {method: 'DELETE'}),
};

export const webhooks = {
  list: () => api('/api/v1/webhooks'),
  create: (body) => api('/api/v1/webhooks', {method: 'POST', body}),
  update: (id, body) => api(`/api/v1/webhooks/${enc(id)}`, {method: 'PATCH', body}),
  remove: (id) => api(`/api/v1/webhooks/${enc(id)}`, {method: 'DELETE'}),
  rotate: (id) => api(`/api/v1/webhooks/${enc(id)}/rotate-secret`, {method: 'POST', body: {}}),
  deliveries: (id, cursor) => api(`/api/v1/webhooks/${enc(id)}/deliveries?limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  retry: (id, deliveryId) => api(`/api/v1/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/retry`, {method: 'POST', body: {}}),
};

/** Stats of one link (slug, on `domain` when given) or of all links (slug null). */
export function stats(slug, query, domain) {
  const base = slug == null ? '/api/v1/stats' : `/api/v1/links/${enc(slug)}/stats`;
  return api(`${base}?${params(slug == null ? query : {...query, domain})}`);
}

function params(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj ?? {})) if (v != null && v !== '') p.set(k, String(v));
  return p.toString();
}
