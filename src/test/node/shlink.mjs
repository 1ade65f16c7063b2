// A whole short-URL life through @shlinkio/shlink-js-sdk, unmodified, against Kurz.
// Usage: KURZ_URL=http://127.0.0.1:PORT KURZ_KEY=... node shlink.mjs  (exits non-zero on the first failed check)
import assert from 'node:assert/strict';
import { ShlinkApiClient } from '@shlinkio/shlink-js-sdk';
import { FetchHttpClient } from '@shlinkio/shlink-js-sdk/fetch';
import { NodeHttpClient } from '@shlinkio/shlink-js-sdk/node';

const base = process.env.KURZ_URL;
const apiKey = process.env.KURZ_KEY;
const viaFetch = new ShlinkApiClient(new FetchHttpClient(), { baseUrl: base, apiKey });
// NodeHttpClient sends Content-Type: application/json on bodiless GET and DELETE too.
const viaNode = new ShlinkApiClient(new NodeHttpClient(), { baseUrl: base, apiKey });
const step = (name) => console.log(`shlink: ${name}`);
const rejects = async (promise, type, status) => {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.type, `https://shlink.io/api/error/${type}`, JSON.stringify(e));
    if (status) assert.equal(e.status, status, JSON.stringify(e));
    return e;
  }
  assert.fail(`expected a ${type} error`);
};
const until = async (what, check) => {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
};

step('health');
const health = await viaFetch.health();
assert.equal(health.status, 'pass');
assert.match(health.version, /^\d+\.\d+\.\d+$/);

step('auth');
await rejects(new ShlinkApiClient(new FetchHttpClient(), { baseUrl: base, apiKey: 'nope-not-a-key' }).listShortUrls(), 'invalid-api-key', 401);

step('create');
const created = await viaFetch.createShortUrl({
  longUrl: 'https://example.com/shlink/one', customSlug: 'sh-one', tags: ['docs', 'shlink'], title: 'One',
  maxVisits: 100, validUntil: '2099-01-01T00:00:00+00:00', forwardQuery: true,
});
assert.equal(created.shortCode, 'sh-one');
assert.equal(created.longUrl, 'https://example.com/shlink/one');
assert.deepEqual([...created.tags].sort(), ['docs', 'shlink']);
assert.equal(created.title, 'One');
assert.equal(created.meta.maxVisits, 100);
assert.match(created.meta.validUntil, /^2099-01-01T00:00:00/);
assert.equal(created.forwardQuery, true);
assert.equal(created.domain, null);
assert.deepEqual(created.visitsSummary, { total: 0, nonBots: 0, bots: 0 });
assert.ok(created.shortUrl.endsWith('/sh-one'));
const generated = await viaNode.createShortUrl({ longUrl: 'https://example.com/shlink/two', tags: ['shlink'] });
assert.match(generated.shortCode, /^[A-Za-z0-9_-]+$/);
for (let i = 0; i < 3; i++) await viaFetch.createShortUrl({ longUrl: `https://example.com/shlink/page/${i}`, tags: ['paged'] });

step('create: Shlink errors');
const taken = await rejects(viaFetch.createShortUrl({ longUrl: 'https://example.com/x', customSlug: 'sh-one' }), 'non-unique-slug', 400);
assert.equal(taken.customSlug, 'sh-one');
const bad = await rejects(viaFetch.createShortUrl({ longUrl: 'not a url' }), 'invalid-data', 400);
assert.ok(bad.invalidElements.includes('longUrl'), JSON.stringify(bad));
await rejects(viaFetch.createShortUrl({ longUrl: 'https://example.com/x', customSlug: 'api' }), 'invalid-data', 400);
await rejects(viaFetch.createShortUrl({ longUrl: 'https://example.com/x', customSlug: 'rest' }), 'invalid-data', 400);

step('findIfExists');
const again = await viaFetch.createShortUrl({ longUrl: 'https://example.com/shlink/one', findIfExists: true });
assert.equal(again.shortCode, 'sh-one');

step('the same link in /api/v1');
const own = await fetch(`${base}/api/v1/links/sh-one`, { headers: { 'X-Api-Key': apiKey } }).then((r) => r.json());
assert.equal(own.url, 'https://example.com/shlink/one');
assert.equal(own.maxClicks, 100);

step('get (both HTTP clients)');
for (const client of [viaFetch, viaNode]) {
  const got = await client.getShortUrl({ shortCode: 'sh-one' });
  assert.equal(got.longUrl, 'https://example.com/shlink/one');
}
await rejects(viaNode.getShortUrl({ shortCode: 'no-such-code' }), 'short-url-not-found', 404);

step('list, page, filter, order');
const all = await viaFetch.listShortUrls({ itemsPerPage: 2, page: 1 });
assert.equal(all.pagination.totalItems, 5);
assert.equal(all.pagination.pagesCount, 3);
assert.equal(all.pagination.itemsInCurrentPage, 2);
assert.equal(all.data.length, 2);
const last = await viaFetch.listShortUrls({ itemsPerPage: 2, page: 3 });
assert.equal(last.data.length, 1);
assert.equal(last.pagination.currentPage, 3);
const tagged = await viaNode.listShortUrls({ tags: ['shlink'] });
assert.deepEqual(tagged.data.map((s) => s.shortCode).sort(), [generated.shortCode, 'sh-one'].sort());
const both = await viaFetch.listShortUrls({ tags: ['shlink', 'docs'], tagsMode: 'all' });
assert.deepEqual(both.data.map((s) => s.shortCode), ['sh-one']);
const searched = await viaFetch.listShortUrls({ searchTerm: 'shlink/page' });
assert.equal(searched.pagination.totalItems, 3);
const byCode = await viaFetch.listShortUrls({ orderBy: { field: 'shortCode', dir: 'ASC' }, itemsPerPage: 50 });
const codes = byCode.data.map((s) => s.shortCode);
assert.deepEqual(codes, [...codes].sort());

step('edit');
const edited = await viaFetch.updateShortUrl({ shortCode: 'sh-one' }, {
  longUrl: 'https://example.com/shlink/one-b', title: null, tags: ['docs'], maxVisits: null, validUntil: null, forwardQuery: false,
});
assert.equal(edited.longUrl, 'https://example.com/shlink/one-b');
assert.equal(edited.title, null);
assert.deepEqual(edited.tags, ['docs']);
assert.equal(edited.meta.maxVisits, null);
assert.equal(edited.meta.validUntil, null);
assert.equal(edited.forwardQuery, false);
await rejects(viaFetch.updateShortUrl({ shortCode: 'sh-one' }, { maxVisits: 'many' }), 'invalid-data', 400);

step('visit, then read visits');
for (let i = 0; i < 3; i++) {
  const r = await fetch(`${base}/sh-one`, { redirect: 'manual', headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', Referer: 'https://news.example.org/post' } });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), 'https://example.com/shlink/one-b');
}
await fetch(`${base}/sh-one`, { redirect: 'manual', headers: { 'User-Agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } });
const visits = await until('4 visits', async () => {
  const v = await viaFetch.getShortUrlVisits({ shortCode: 'sh-one' });
  return v.data.length >= 4 ? v : null;
});
assert.equal(visits.pagination.totalItems, 4);
assert.ok(visits.data.some((v) => v.referer === 'news.example.org' && !v.potentialBot), JSON.stringify(visits.data));
assert.ok(visits.data.some((v) => v.potentialBot));
assert.ok(visits.data.every((v) => v.redirectUrl === 'https://example.com/shlink/one-b'), JSON.stringify(visits.data));
const humans = await viaNode.getShortUrlVisits({ shortCode: 'sh-one' }, { excludeBots: true, itemsPerPage: 2, page: 2 });
assert.equal(humans.pagination.totalItems, 3);
assert.equal(humans.data.length, 1);
const counted = await until('counted visits', async () => {
  const s = await viaFetch.getShortUrl({ shortCode: 'sh-one' });
  return s.visitsSummary.total >= 4 && s.visitsSummary.bots >= 1 ? s : null;
});
assert.equal(counted.visitsSummary.nonBots, 3);
const byTag = await viaFetch.getTagVisits('docs');
assert.equal(byTag.pagination.totalItems, 4);
const nonOrphan = await viaFetch.getNonOrphanVisits({ excludeBots: true });
assert.equal(nonOrphan.pagination.totalItems, 3);
const overview = await viaFetch.getVisitsOverview();
assert.equal(overview.nonOrphanVisits.total, 4);
assert.equal(overview.nonOrphanVisits.bots, 1);
await rejects(viaFetch.getShortUrlVisits({ shortCode: 'no-such-code' }), 'short-url-not-found', 404);

step('orphan visits');
assert.equal((await fetch(`${base}/no-such-slug-here`, { redirect: 'manual', headers: { Referer: 'https://old.example.net/x' } })).status, 404);
const orphans = await until('an orphan visit', async () => {
  const o = await viaFetch.getOrphanVisits();
  return o.data.length ? o : null;
});
assert.equal(orphans.data[0].type, 'invalid_short_url');
assert.ok(orphans.data[0].visitedUrl.endsWith('/no-such-slug-here'), JSON.stringify(orphans.data[0]));
assert.equal(orphans.data[0].referer, 'old.example.net');
assert.equal(orphans.pagination.totalItems, 1);
assert.equal((await viaFetch.getVisitsOverview()).orphanVisits.total, 1);

step('tags');
const tags = await viaFetch.listTags();
assert.deepEqual(tags.data, ['docs', 'paged', 'shlink']);
const stats = await viaNode.tagsStats();
const paged = stats.data.find((t) => t.tag === 'paged');
assert.equal(paged.shortUrlsCount, 3);
await viaFetch.editTag({ oldName: 'paged', newName: 'pages' });
assert.equal((await viaFetch.listShortUrls({ tags: ['pages'] })).pagination.totalItems, 3);
await rejects(viaFetch.editTag({ oldName: 'nope', newName: 'x' }), 'tag-not-found', 404);
await rejects(viaFetch.editTag({ oldName: 'pages', newName: 'docs' }), 'tag-conflict', 409);
await viaNode.deleteTags(['pages']);
assert.deepEqual((await viaFetch.listTags()).data, ['docs', 'shlink']);

step('domains, redirect rules, mercure');
const domains = await viaFetch.listDomains();
assert.equal(domains.data.length, 1);
assert.equal(domains.data[0].isDefault, true);
const rules = await viaFetch.getShortUrlRedirectRules({ shortCode: 'sh-one' });
assert.equal(rules.defaultLongUrl, 'https://example.com/shlink/one-b');
assert.deepEqual(rules.redirectRules, []);
assert.deepEqual((await viaFetch.setShortUrlRedirectRules({ shortCode: 'sh-one' }, { redirectRules: [] })).redirectRules, []);
await rejects(viaFetch.setShortUrlRedirectRules({ shortCode: 'sh-one' }, {
  redirectRules: [{ longUrl: 'https://example.com/m', conditions: [{ type: 'device', matchValue: 'android', matchKey: null }] }],
}), 'invalid-data', 400);
await rejects(viaFetch.mercureInfo(), 'mercure-not-configured', 501);

step('delete (both HTTP clients)');
await viaNode.deleteShortUrl({ shortCode: 'sh-one' });
await viaFetch.deleteShortUrl({ shortCode: generated.shortCode });
await rejects(viaFetch.getShortUrl({ shortCode: 'sh-one' }), 'short-url-not-found', 404);
await rejects(viaNode.deleteShortUrl({ shortCode: 'sh-one' }), 'short-url-not-found', 404);
const gone = await fetch(`${base}/api/v1/links/sh-one`, { headers: { 'X-Api-Key': apiKey } });
assert.equal(gone.status, 404);

console.log('shlink: scenario passed');
