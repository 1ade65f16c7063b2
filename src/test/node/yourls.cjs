// A link's life through yourls-api (with xhr2 as Node's XMLHttpRequest), unmodified, against Kurz's
// /yourls-api.php. YOURLS has no edit or delete action: those go through /api/v1, and YOURLS's view follows.
// Usage: KURZ_URL=http://127.0.0.1:PORT KURZ_KEY=... node yourls.cjs
const assert = require('node:assert/strict');
global.XMLHttpRequest = require('xhr2');
const yourls = require('yourls-api');

const base = process.env.KURZ_URL;
const key = process.env.KURZ_KEY;
const endpoint = `${base}/yourls-api.php`;
const step = (name) => console.log(`yourls: ${name}`);
// The client answers through callbacks (result, whole response).
const call = (fn) => new Promise((resolve) => fn((result, response) => resolve({ result, response })));
const v1 = (path, init = {}) => fetch(`${base}/api/v1${path}`, { ...init, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' } });
const until = async (what, check) => {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
};

(async () => {
  step('refused without a valid key');
  yourls.connect(endpoint, { signature: 'not-a-key' }, { format: 'json', method: 'GET' });
  const refused = await call((cb) => yourls.stats(cb));
  assert.equal(refused.response.errorCode, '403');
  assert.equal(refused.response.message, 'Invalid username or password');

  for (const [how, credentials, method] of [['signature, GET', { signature: key }, 'GET'], ['username and password, POST', { username: 'kurz', password: key }, 'POST']]) {
    step(`version (${how})`);
    yourls.connect(endpoint, credentials, { format: 'json', method });
    const version = await call((cb) => yourls.version(cb));
    assert.match(String(version.result && version.result.version), /^\d+\.\d+/, JSON.stringify(version.response));
  }

  for (const method of ['GET', 'POST']) {
    yourls.connect(endpoint, { signature: key }, { format: 'json', method });
    step(`shorten (${method})`);
    const kw = `yo-${method.toLowerCase()}`;
    const made = await call((cb) => yourls.shorten(`https://example.com/yourls/${method}`, { keyword: kw, title: `Yo ${method}` }, cb));
    assert.equal(made.response.status, 'success', JSON.stringify(made.response));
    assert.equal(made.response.statusCode, '200');
    assert.equal(made.result.shorturl, `http://kurz.test/${kw}`);
    assert.equal(made.result.title, `Yo ${method}`);
    assert.equal(made.result.url.keyword, kw);
    assert.match(made.result.url.date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const taken = await call((cb) => yourls.shorten('https://example.com/other', kw, cb));
    assert.equal(taken.response.status, 'fail');
    assert.equal(taken.response.code, 'error:keyword');
    const reserved = await call((cb) => yourls.shorten('https://example.com/other', 'yourls-api.php', cb));
    assert.equal(reserved.response.code, 'error:keyword');
    const bad = await call((cb) => yourls.shorten('not a url', cb));
    assert.equal(bad.response.code, 'error:nourl');
  }
  yourls.connect(endpoint, { signature: key }, { format: 'json', method: 'GET' });
  const generated = await call((cb) => yourls.shorten('https://example.com/yourls/generated', cb));
  assert.equal(generated.response.status, 'success');
  assert.equal(generated.result.title, 'https://example.com/yourls/generated');

  step('the same link in /api/v1');
  assert.equal((await v1('/links/yo-get').then((r) => r.json())).url, 'https://example.com/yourls/GET');

  step('expand (by keyword and by short URL)');
  const expanded = await call((cb) => yourls.url('yo-get').expand(cb));
  assert.equal(expanded.result.longurl, 'https://example.com/yourls/GET');
  assert.equal((await call((cb) => yourls.url('http://kurz.test/yo-post').expand(cb))).result.longurl, 'https://example.com/yourls/POST');
  const missing = await call((cb) => yourls.url('no-such-kw').expand(cb));
  assert.equal(missing.response.errorCode, '404');

  step('visit, then read stats');
  for (let i = 0; i < 2; i++) assert.equal((await fetch(`${base}/yo-get`, { redirect: 'manual' })).status, 302);
  assert.equal((await fetch(`${base}/yo-post`, { redirect: 'manual' })).status, 302);
  const urlStats = await until('2 clicks', async () => {
    const s = await call((cb) => yourls.url('yo-get').stats(cb));
    return s.result && s.result.clicks === '2' ? s : null;
  });
  assert.equal(urlStats.result.url, 'https://example.com/yourls/GET');
  await until('3 clicks in all', async () => (await call((cb) => yourls.db.stats(cb))).result.total_clicks === '3');
  const db = await call((cb) => yourls.db.stats(cb));
  assert.equal(db.result.total_links, '3');
  const top = await call((cb) => yourls.stats({ filter: 'top', limit: 2 }, cb));
  assert.deepEqual(top.result.links.map((l) => l.shorturl), ['http://kurz.test/yo-get', 'http://kurz.test/yo-post']);
  assert.equal(top.result.stats.total_links, '3');
  const next = await call((cb) => yourls.stats({ filter: 'top', limit: 2, start: 2 }, cb));
  assert.equal(next.result.links.length, 1);
  const last = await call((cb) => yourls.stats({ filter: 'last', limit: 1 }, cb));
  assert.equal(last.result.links[0].url, 'https://example.com/yourls/generated');
  const none = await call((cb) => yourls.stats(cb));
  assert.deepEqual(none.result.links, []);

  step('format=simple and the default XML');
  const simple = await fetch(`${endpoint}?signature=${encodeURIComponent(key)}&action=expand&shorturl=yo-get&format=simple`);
  assert.equal(await simple.text(), 'https://example.com/yourls/GET');
  const xml = await fetch(`${endpoint}?signature=${encodeURIComponent(key)}&action=db-stats`);
  assert.match(xml.headers.get('content-type'), /xml/);
  assert.match(await xml.text(), /<total_links>3<\/total_links>/);
  const unknown = await fetch(`${endpoint}?signature=${encodeURIComponent(key)}&action=nope&format=json`);
  assert.equal(unknown.status, 400);

  step('edit and delete through /api/v1; YOURLS follows');
  assert.equal((await v1('/links/yo-get', { method: 'PATCH', body: JSON.stringify({ url: 'https://example.com/yourls/edited' }) })).status, 200);
  assert.equal((await call((cb) => yourls.url('yo-get').expand(cb))).result.longurl, 'https://example.com/yourls/edited');
  assert.equal((await v1('/links/yo-get', { method: 'DELETE' })).status, 204);
  assert.equal((await call((cb) => yourls.url('yo-get').stats(cb))).response.statusCode, '404');
  assert.equal((await call((cb) => yourls.db.stats(cb))).result.total_links, '2');

  console.log('yourls: scenario passed');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
