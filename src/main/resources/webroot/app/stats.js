// Analytics building blocks shared by the link page and the overview: the stats panel (range,
// chart, totals, top lists) and the live box (counter #live-clicks and feed #live-feed).

import {h, fill, time, fmtNumber, countryName} from './dom.js';
import {stats as fetchStats, keyHash, linkKey} from './api.js';
import {clicksChart} from './chart.js';

const MINUTE = 60;
const HOUR = 3600;
const RANGES = [
  {id: '24h', label: '24 hours', interval: 'minute', points: 1440},
  {id: '7d', label: '7 days', interval: 'hour', points: 168},
  {id: '30d', label: '30 days', interval: 'day', points: 30},
];
const FEED_MAX = 50;
const TOP = 10; // named values per breakdown and top links, as the server answers
/** After this long without live frames the panel refetches its stats (unique visitors cannot be added up live). */
const SETTLE_MS = 2500;
const BREAKDOWNS = ['countries', 'referrers', 'browsers', 'os', 'devices'];
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Start (epoch seconds) of the series bucket that holds `sec`, in the browser's zone. */
function bucketOf(interval, sec) {
  if (interval === 'minute') return Math.floor(sec / MINUTE) * MINUTE;
  if (interval === 'hour') return Math.floor(sec / HOUR) * HOUR;
  const d = new Date(sec * 1000);
  d.setHours(0, 0, 0, 0);
  return d.getTime() / 1000;
}

/** The range's `from`: whole buckets, the last one holding now. */
function rangeStart(range, nowSec) {
  const last = bucketOf(range.interval, nowSec);
  if (range.interval === 'day') {
    const d = new Date(last * 1000);
    d.setDate(d.getDate() - (range.points - 1));
    return d.getTime() / 1000;
  }
  return last - (range.points - 1) * (range.interval === 'minute' ? MINUTE : HOUR);
}

const label = (v) => ({other: 'Other', unknown: 'Unknown', direct: 'Direct / none'})[v] ?? v;

/**
 * What a smart link served, as the UI numbers it: "rule:0" is the form's Rule 1, "variant:1" its
 * Variant 2; a URL (the link's own, or a rule's when it is also the link's) as host and path.
 */
export function targetName(v) {
  const m = /^(rule|variant):(\d+)$/.exec(v ?? '');
  if (m) return `${m[1] === 'rule' ? 'Rule' : 'Variant'} ${Number(m[2]) + 1}`;
  try {
    const u = new URL(v);
    return u.host + (u.pathname === '/' ? '' : u.pathname);
  } catch {
    return v;
  }
}

function barList(title, items, {name = label, href = null} = {}) {
  const max = Math.max(1, ...items.map((i) => i.clicks));
  const list = items.length
    ? h('ol', {class: 'bars'}, items.map((i) => {
      const fillEl = h('span', {class: 'bar-fill'});
      fillEl.style.width = `${(100 * i.clicks) / max}%`; // CSSOM: allowed by style-src 'self'
      const text = name(i.value ?? i.slug);
      const link = href ? href(i) : null;
      return h('li', {},
        h('span', {class: 'bar-label', title: text}, link ? h('a', {href: link}, text) : text),
        h('span', {class: 'bar-count'}, fmtNumber(i.clicks)),
        h('span', {class: 'bar', 'aria-hidden': 'true'}, fillEl));
    }))
    : h('p', {class: 'muted'}, 'No clicks yet.');
  return h('section', {class: 'top-list', 'aria-label': title}, h('h3', {}, title), list);
}

/**
 * Adds a live frame's counts by value ({"DE": 2, …}) to a breakdown as the server lists it (the
 * top values, then "other"): a listed value grows, a new one is listed while there is room,
 * anything else goes to "other". The values always sum to the clicks, as the totals do.
 */
function addCounts(list, counts) {
  for (const [value, n] of Object.entries(counts)) {
    let item = list.find((i) => i.value === value);
    if (!item) {
      const named = list.filter((i) => i.value !== 'other').length;
      const other = list.find((i) => i.value === 'other');
      if (named < TOP && !other) {
        item = {value, clicks: 0};
        list.push(item);
      } else {
        item = other ?? list[list.push({value: 'other', clicks: 0}) - 1];
      }
    }
    item.clicks += n;
  }
  list.sort((a, b) => (a.value === 'other') - (b.value === 'other') || b.clicks - a.clicks);
}

/**
 * Adds a link's live clicks to the top links. A link that is not listed while the list is full
 * may have had any number of clicks before: it is left to the refetch that follows the frames.
 */
function addTopLink(list, slug, n) {
  let item = list.find((i) => i.slug === slug);
  if (!item) {
    if (list.length >= TOP) return;
    item = {slug, clicks: 0};
    list.push(item);
  }
  item.clicks += n;
  list.sort((a, b) => b.clicks - a.clicks || a.slug.localeCompare(b.slug));
}

/**
 * Range selector, chart, totals and top lists of one link (slug) or of all links (slug null).
 * `onLoad(stats)` runs after each load. Returns {root, clicks(frame), destroy()}.
 *
 * Live `clicks` frames are added to every figure that is a sum — series, totals, each breakdown,
 * the top links — so they keep agreeing with each other between loads. Unique visitors are not a
 * sum, and a link outside the listed top links cannot be placed from a frame: for those the panel
 * refetches once the frames have paused for SETTLE_MS (by then the server has written the clicks),
 * and drops that answer if frames arrived while it was on its way.
 */
export function statsPanel(slug, {domain = null, onLoad = () => {}} = {}) {
  let range = RANGES[0];
  let data = null; // the last stats answer, updated live
  let seq = 0;
  let redraw = 0;
  let settle = 0; // timer of the refetch after live frames
  let framesSeen = 0; // live frames applied so far: a refetch answer older than the last one is dropped

  const name = `range-${slug ?? 'all'}`;
  const picker = h('fieldset', {class: 'segmented'}, h('legend', {class: 'sr-only'}, 'Time range'),
    RANGES.map((r) => {
      const input = h('input', {type: 'radio', name, id: `${name}-${r.id}`, value: r.id, checked: r === range});
      input.addEventListener('change', () => {
        range = r;
        load();
      });
      return h('span', {}, input, h('label', {for: input.id}, r.label));
    }));
  const chartBox = h('div', {class: 'chart', role: 'img', 'aria-label': 'Clicks over time'});
  const totals = h('dl', {class: 'totals', id: slug == null ? 'overview-totals' : 'link-totals'});
  const lists = h('div', {class: 'top-lists'});
  const status = h('p', {class: 'muted', role: 'status'});
  const root = h('section', {class: 'card stats', 'aria-labelledby': `${name}-heading`},
    h('div', {class: 'card-head'}, h('h2', {id: `${name}-heading`}, 'Clicks'), picker),
    status, chartBox, totals, lists);
  const chart = clicksChart(chartBox);

  /** Loads the stats; `quiet`: a refetch after live frames, without "Loading…". */
  async function load(quiet = false) {
    const my = ++seq;
    const frames = framesSeen;
    clearTimeout(settle);
    const now = Date.now() / 1000;
    const from = new Date(rangeStart(range, now) * 1000).toISOString();
    if (!quiet) fill(status, 'Loading…');
    try {
      const s = await fetchStats(slug, {from, to: new Date().toISOString(), interval: range.interval, tz: zone}, domain);
      if (my !== seq) return;
      if (quiet && frames !== framesSeen) return; // frames came meanwhile: they may not be in this answer; settle again
      data = {
        ...s,
        xs: s.series.map((p) => Date.parse(p.t) / 1000),
        clicks: s.series.map((p) => p.clicks),
        human: s.series.map((p) => p.humanClicks),
        // Top links by key (host/slug off the default domain), as live frames name them.
        topLinks: s.topLinks?.map((i) => ({...i, slug: linkKey(i)})),
      };
      fill(status);
      render();
      onLoad(s, range);
    } catch (err) {
      if (my === seq && !quiet) fill(status, `Could not load statistics: ${err.message}`);
    }
  }

  function render() {
    chart.set(data.xs, data.clicks, data.human);
    chartBox.setAttribute('aria-label',
      `Clicks per ${range.interval} over the last ${range.label}: ${data.totals.clicks} in all, ${data.totals.humanClicks} by people`);
    const t = data.totals;
    fill(totals,
      [['Clicks', t.clicks, 'clicks'], ['Human', t.humanClicks, 'human'], ['Bots', t.bots, 'bots'],
        ['Unique visitors', t.uniqueVisitors, 'unique']]
        .map(([dt, dd, key]) => h('div', {class: 'total'}, h('dt', {}, dt), h('dd', {dataset: {total: key}}, fmtNumber(dd)))));
    renderLists();
  }

  function renderLists() {
    fill(lists,
      slug == null ? barList('Top links', data.topLinks ?? [], {name: (s) => s, href: (i) => `#/links/${encodeURIComponent(i.slug)}`}) : null,
      barList('Countries', data.countries, {name: (v) => (v === 'other' || v === 'unknown' ? label(v) : countryName(v))}),
      barList('Referrers', data.referrers),
      barList('Browsers', data.browsers),
      barList('Operating systems', data.os),
      barList('Devices', data.devices),
      // Smart links only: which rule, variant or URL each click was sent to.
      slug != null && data.targets?.length ? barList('Destinations', data.targets, {name: targetName}) : null);
  }

  /** Adds a `clicks` frame to the last bucket (or new ones) and the totals. */
  function clicks(f) {
    if (!data || !data.xs.length) return;
    const t = Date.parse(f.t) / 1000;
    const b = bucketOf(range.interval, Number.isNaN(t) ? Date.now() / 1000 : t);
    let last = data.xs[data.xs.length - 1];
    if (b < last) return;
    const step = range.interval === 'minute' ? MINUTE : HOUR;
    while (b > last) {
      last = range.interval === 'day' ? b : Math.min(b, last + step);
      data.xs.push(last);
      data.clicks.push(0);
      data.human.push(0);
      data.xs.shift();
      data.clicks.shift();
      data.human.shift();
    }
    const i = data.xs.length - 1;
    data.clicks[i] += f.clicks ?? 0;
    data.human[i] += f.humanClicks ?? 0;
    data.totals.clicks += f.clicks ?? 0;
    data.totals.humanClicks += f.humanClicks ?? 0;
    data.totals.bots += (f.clicks ?? 0) - (f.humanClicks ?? 0);
    for (const key of BREAKDOWNS) addCounts(data[key], f[key] ?? {});
    if (slug != null && f.targets) addCounts(data.targets ?? (data.targets = []), f.targets); // a smart link's Destinations
    if (slug == null) addTopLink(data.topLinks ?? (data.topLinks = []), f.slug, f.clicks ?? 0);
    framesSeen++;
    clearTimeout(settle);
    settle = setTimeout(() => load(true), SETTLE_MS);
    if (!redraw) {
      redraw = requestAnimationFrame(() => {
        redraw = 0;
        chart.set(data.xs, data.clicks, data.human);
        for (const [key, v] of [['clicks', data.totals.clicks], ['human', data.totals.humanClicks], ['bots', data.totals.bots]]) {
          const dd = totals.querySelector(`[data-total="${key}"]`);
          if (dd) dd.textContent = fmtNumber(v);
        }
        renderLists();
      });
    }
  }

  load();
  return {
    root,
    clicks,
    destroy() {
      seq++;
      clearTimeout(settle);
      cancelAnimationFrame(redraw);
      chart.destroy();
    },
  };
}

/**
 * The live counter (#live-clicks, driven by `clicks` frames only) and the feed of single clicks
 * (#live-feed, newest first, at most 50). `showSlug` adds the link to each feed entry.
 */
export function liveBox({caption, showSlug = false}) {
  let count = 0;
  const counter = h('span', {id: 'live-clicks', class: 'counter', 'aria-live': 'polite', 'aria-atomic': 'true', dataset: {count: 0}}, '0');
  const captionEl = h('span', {class: 'counter-caption', id: 'live-clicks-caption'}, caption);
  counter.setAttribute('aria-describedby', captionEl.id);
  const feed = h('ol', {id: 'live-feed', class: 'feed', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Latest clicks'});
  const emptyNote = h('p', {class: 'muted feed-empty'}, 'Waiting for clicks…');
  const root = h('section', {class: 'card live', 'aria-labelledby': 'live-heading'},
    h('h2', {id: 'live-heading'}, 'Live'),
    h('div', {class: 'counter-box'}, counter, captionEl),
    h('h3', {}, 'Latest clicks'), emptyNote, feed);

  const show = () => {
    counter.dataset.count = count;
    counter.textContent = String(count);
  };

  function entry(c, animate) {
    const bits = [c.country ? countryName(c.country) : null, c.browser, c.os, c.bot && c.device === 'bot' ? null : c.device,
      c.referrerHost ? `from ${c.referrerHost}` : null].filter(Boolean);
    return h('li', {class: animate ? 'feed-item new' : 'feed-item'},
      time(c.t, true),
      showSlug && c.slug ? h('a', {href: keyHash(c.slug), class: 'slug'}, c.slug) : null,
      h('span', {class: 'feed-text'}, bits.join(' · ') || 'Unknown visitor'),
      c.target ? h('span', {class: 'feed-target', title: c.target}, `→ ${targetName(c.target)}`) : null,
      c.bot ? h('span', {class: 'badge bot'}, 'bot') : null);
  }

  const trim = () => {
    emptyNote.hidden = feed.children.length > 0;
    while (feed.children.length > FEED_MAX) feed.lastElementChild.remove();
  };

  return {
    root,
    set(n) {
      count = n;
      show();
    },
    add(n) {
      count += n;
      show();
    },
    caption(text) {
      captionEl.textContent = text;
    },
    /** One click (a `click` frame) at the top of the feed. */
    push(c) {
      feed.prepend(entry(c, true));
      trim();
    },
    /** Older clicks (raw clicks from the API, newest first) below anything already shown. */
    seed(items) {
      for (const c of items) feed.append(entry(c, false));
      trim();
    },
  };
}
