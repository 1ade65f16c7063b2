// A whole bitlink life through node-bitly (the `bitly` package), unmodified, against Kurz.
// node-bitly's host is fixed to https://api-ssl.bitly.com: this script (only) rewrites it to Kurz
// with a request interceptor on the client's own axios instance; paths, bodies and headers stay its own.
// Usage: KURZ_URL=http://127.0.0.1:PORT KURZ_KEY=... node bitly.cjs
const assert = require('node:assert/strict');
const { createRequire } = require('node:module');
const { BitlyClient } = require('bitly');

const base = process.env.KURZ_URL;
const key = process.env.KURZ_KEY;
const axios = createRequire(require.resolve('bitly'))('axios');
axios.interceptors.request.use((config) => {
  config.url = config.url.replace('https://api-ssl.bitly.com', base);
  config.proxy = false;
  return config;
});
const bitly = new BitlyClient(key);
const step = (name) => console.log(`bitly: ${name}`);
const rejects = async (promise, message) => {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.message, message, JSON.stringify(e));
    return e;
  }
  assert.fail(`expected ${message}`);
};
const until = async (what, check) => {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
};
const raw = (path, init = {}) => fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...(init.headers || {}) } });

(async () => {
  step('auth');
  await rejects(new BitlyClient('not-a-key').shorten('https://example.com/nope'), 'FORBIDDEN');
  const user = await bitly.bitlyRequest('user', {}, 'GET');
  assert.ok(user.default_group_guid);
  const group = user.default_group_guid;

  step('shorten');
  const short = await bitly.shorten('https://example.com/bitly/one');
  assert.equal(short.long_url, 'https://example.com/bitly/one');
  assert.ok(short.link.endsWith(short.id.slice(short.id.indexOf('/'))));
  const hash = short.id.split('/').pop();
  await rejects(bitly.shorten('not a url'), 'INVALID_ARG_LONG_URL');

  step('create with keyword, title, tags');
  const made = await bitly.bitlyRequest('bitlinks', { long_url: 'https://example.com/bitly/two', keyword: 'bitly-two', title: 'Two', tags: ['bitly', 'docs'] });
  assert.equal(made.id.split('/').pop(), 'bitly-two');
  assert.equal(made.title, 'Two');
  assert.deepEqual(made.tags, ['bitly', 'docs']);
  await rejects(bitly.bitlyRequest('bitlinks', { long_url: 'https://example.com/x', keyword: 'bitly-two' }), 'CONFLICT');
  for (let i = 0; i < 3; i++) await bitly.shorten(`https://example.com/bitly/page/${i}`);

  step('the same link in /api/v1');
  const own = await fetch(`${base}/api/v1/links/bitly-two`, { headers: { 'X-Api-Key': key } }).then((r) => r.json());
  assert.equal(own.url, 'https://example.com/bitly/two');

  step('get and expand (as bit.ly/<hash>, as the hash, as Kurz\'s own id)');
  assert.equal((await bitly.getBitlink(hash)).long_url, 'https://example.com/bitly/one');
  assert.equal((await bitly.info(short.link)).long_url, 'https://example.com/bitly/one');
  assert.equal((await bitly.expand(hash)).long_url, 'https://example.com/bitly/one');
  assert.equal((await bitly.getBitlink(made.id)).title, 'Two');
  assert.equal((await raw(`/v4/bitlinks/${made.id}`).then((r) => r.json())).title, 'Two');
  await rejects(bitly.getBitlink('bit.ly/zzzzzzzz'), 'NOT_FOUND');

  step('list a group, page by search_after');
  const seen = [];
  let url = `/v4/groups/${group}/bitlinks?size=2`;
  for (let pages = 0; url && pages < 10; pages++) {
    const page = await raw(url).then((r) => r.json());
    page.links.forEach((l) => seen.push(l.id));
    url = page.pagination.search_after ? `/v4/groups/${group}/bitlinks?size=2&search_after=${page.pagination.search_after}` : null;
    if (page.pagination.search_after) assert.ok(page.pagination.next.includes('search_after='));
  }
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
  const tagged = await raw(`/v4/groups/${group}/bitlinks?tags=docs`).then((r) => r.json());
  assert.deepEqual(tagged.links.map((l) => l.id), [made.id]);

  step('edit');
  const edited = await bitly.bitlyRequest(`bitlinks/${made.id}`, { title: 'Two, again', long_url: 'https://example.com/bitly/two-b', tags: ['bitly'] }, 'PATCH');
  assert.equal(edited.title, 'Two, again');
  assert.equal(edited.long_url, 'https://example.com/bitly/two-b');
  assert.deepEqual(edited.tags, ['bitly']);

  step('visit, then read clicks');
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${base}/bitly-two`, { redirect: 'manual', headers: { Referer: 'https://news.example.org/a', 'X-Forwarded-For': '8.8.8.8' } });
    assert.equal(r.status, 302);
  }
  const byDay = await until('3 clicks', async () => {
    const c = await bitly.clicksByDay(made.id);
    return c.link_clicks.reduce((n, p) => n + p.clicks, 0) >= 3 ? c : null;
  });
  assert.equal(byDay.unit, 'day');
  assert.equal(byDay.link_clicks[0].clicks, 3);
  const byMinute = await bitly.clicks(made.id, 'minute', 5);
  assert.equal(byMinute.link_clicks.length, 5);
  assert.equal(byMinute.link_clicks.reduce((n, p) => n + p.clicks, 0), 3);
  for (const unit of ['week', 'month']) {
    const c = await bitly.clicks(made.id, unit, 2);
    assert.equal(c.link_clicks.length, 2);
    assert.equal(c.link_clicks[0].clicks, 3);
  }
  const summary = await raw(`/v4/bitlinks/${made.id}/clicks/summary?unit=day&units=-1`).then((r) => r.json());
  assert.equal(summary.total_clicks, 3);
  const referrers = await until('referrers', async () => {
    const r = await bitly.referrers(made.id);
    return r.metrics.length ? r : null;
  });
  assert.equal(referrers.facet, 'referrers');
  assert.deepEqual(referrers.metrics[0], { value: 'news.example.org', clicks: 3 });
  const countries = await bitly.countries(made.id);
  assert.equal(countries.facet, 'countries');
  assert.equal(countries.metrics.reduce((n, m) => n + m.clicks, 0), 3);

  step('delete');
  const deleted = await bitly.bitlyRequest(`bitlinks/${made.id}`, {}, 'DELETE');
  assert.equal(deleted.links_deleted[0].id, made.id);
  await rejects(bitly.getBitlink(made.id), 'NOT_FOUND');
  assert.equal((await fetch(`${base}/api/v1/links/bitly-two`, { headers: { 'X-Api-Key': key } })).status, 404);

  console.log('bitly: scenario passed');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
