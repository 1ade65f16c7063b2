// The links page (#/links): create form, search and tag filter, the table with "Load more",
// edit / QR / delete per row, and live updates (click counts, links created elsewhere).

import {h, fill, time, fmtNumber, safeHref, copyButton} from './dom.js';
import {links, linkKey, linkHash} from './api.js';
import {linkForm, createBody, showProblem, clearErrors} from './forms.js';
import {editLink, deleteLink, showQr} from './dialogs.js';
import * as live from './live.js';
import {importCard} from './imports.js';

const PAGE = 50;
/** A short URL without its scheme, for display; copies and links keep the full URL. */
const bare = (url) => url.replace(/^https?:\/\//, '');

export function linksPage(view) {
  const rows = new Map(); // link key (slug, or host/slug on a branded domain) -> <tr>
  const state = {q: '', tag: '', cursor: null, seq: 0};

  // ---- create ----
  const form = linkForm('create', {withSlug: true});
  const submit = h('button', {type: 'submit', class: 'btn primary', id: 'create-submit'}, 'Shorten');
  const result = h('div', {id: 'create-result', class: 'result', role: 'status'});
  const createForm = h('form', {id: 'create-form', class: 'link-form', novalidate: true, 'aria-labelledby': 'create-heading'},
    form.root, form.general, h('div', {class: 'actions'}, submit));
  createForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    fill(result);
    const body = createBody(form);
    if (!body) return;
    submit.disabled = true;
    try {
      const link = await links.create(body);
      upsert(link, true);
      createForm.reset();
      form.smart.reset();
      form.inputs.forwardQuery.checked = true;
      fill(result, h('span', {}, 'Created '), h('a', {href: safeHref(link.shortUrl), class: 'short-url', id: 'create-short-url'}, link.shortUrl),
        ' ', copyButton(link.shortUrl));
    } catch (err) {
      showProblem(form, err);
    } finally {
      submit.disabled = false;
    }
  });

  // ---- filter and table ----
  const search = h('input', {type: 'search', id: 'search', name: 'q', autocomplete: 'off', placeholder: 'slug, URL or title'});
  const tagFilter = h('input', {type: 'text', id: 'tag-filter', name: 'tag', autocomplete: 'off', placeholder: 'news'});
  const filter = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter links'},
    h('div', {class: 'field'}, h('label', {for: 'search'}, 'Search'), search),
    h('div', {class: 'field'}, h('label', {for: 'tag-filter'}, 'Tag'), tagFilter),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'btn'}, 'Filter'),
      h('button', {type: 'button', class: 'btn ghost', onclick: () => setFilter('', '')}, 'Clear')));
  filter.addEventListener('submit', (e) => {
    e.preventDefault();
    setFilter(search.value, tagFilter.value);
  });
  let debounce = 0;
  const typed = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => setFilter(search.value, tagFilter.value), 300);
  };
  search.addEventListener('input', typed);
  tagFilter.addEventListener('input', typed);

  const tbody = h('tbody');
  const table = h('table', {class: 'links-table', id: 'links-table'},
    h('caption', {class: 'sr-only'}, 'Links, newest first'),
    h('thead', {}, h('tr', {},
      ['Slug', 'Short URL', 'Destination', 'Tags', 'Clicks', 'Created'].map((t) => h('th', {scope: 'col'}, t)),
      h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
    tbody);
  const empty = h('div', {class: 'empty muted', id: 'links-empty', hidden: true});
  const listStatus = h('p', {class: 'muted', role: 'status', id: 'links-status'});
  const more = h('button', {type: 'button', class: 'btn', id: 'load-more', hidden: true, onclick: () => load(false)}, 'Load more');

  const [imports, stopImports] = importCard(() => load(true));
  fill(view,
    h('h1', {tabindex: -1}, 'Links'),
    h('section', {class: 'card', 'aria-labelledby': 'create-heading'},
      h('h2', {id: 'create-heading'}, 'Shorten a link'), createForm, result),
    imports,
    h('section', {class: 'card', 'aria-labelledby': 'list-heading'},
      h('h2', {id: 'list-heading'}, 'Your links'), filter,
      h('div', {class: 'table-wrap'}, table), empty, listStatus, h('div', {class: 'center'}, more)));

  function setFilter(q, tag) {
    q = q.trim();
    tag = tag.trim();
    search.value = q;
    tagFilter.value = tag;
    if (q === state.q && tag === state.tag) return;
    state.q = q;
    state.tag = tag;
    load(true);
  }

  async function load(reset) {
    const seq = ++state.seq;
    if (reset) state.cursor = null;
    more.disabled = true;
    fill(listStatus, 'Loading…');
    try {
      const page = await links.list({limit: PAGE, cursor: state.cursor, q: state.q, tag: state.tag});
      if (seq !== state.seq) return;
      if (reset) {
        tbody.replaceChildren();
        rows.clear();
      }
      for (const link of page.items) upsert(link, false);
      state.cursor = page.nextCursor;
      more.hidden = !page.nextCursor;
      fill(listStatus, reset ? `${rows.size}${page.nextCursor ? '+' : ''} link${rows.size === 1 ? '' : 's'}` : '');
    } catch (err) {
      if (seq === state.seq) fill(listStatus, `Could not load links: ${err.message}`);
    } finally {
      more.disabled = false;
      if (seq === state.seq) showEmpty();
    }
  }

  /** The empty state: nothing stored at all, or nothing that matches the search and tag. */
  function showEmpty() {
    empty.hidden = rows.size > 0;
    if (!empty.hidden) {
      const filtered = state.q || state.tag;
      const what = [state.q ? `“${state.q}”` : null, state.tag ? `the tag “${state.tag}”` : null].filter(Boolean).join(' with ');
      fill(empty, filtered
        ? h('p', {}, `No links match ${what}. `,
          h('button', {type: 'button', class: 'btn small', id: 'clear-search', onclick: () => setFilter('', '')}, 'Clear the search'))
        : h('p', {}, 'No links yet.'));
    }
  }

  /** Adds a link (at the top when `first`) or replaces its row. */
  function upsert(link, first) {
    const tr = row(link);
    const old = rows.get(linkKey(link));
    if (old) old.replaceWith(tr);
    else if (first) tbody.prepend(tr);
    else tbody.append(tr);
    rows.set(linkKey(link), tr);
    showEmpty();
  }

  function remove(key) {
    rows.get(key)?.remove();
    rows.delete(key);
    showEmpty();
  }

  function row(link) {
    const href = safeHref(link.url);
    const dest = href
      ? h('a', {href, class: 'truncate', title: link.url, target: '_blank', rel: 'noopener noreferrer'}, link.url)
      : h('span', {class: 'truncate', title: link.url}, link.url);
    const tags = (link.tags ?? []).map((t) => h('button', {type: 'button', class: 'tag', 'aria-label': `Show links tagged ${t}`,
      onclick: () => setFilter(state.q, t)}, t));
    return h('tr', {class: 'link-row', dataset: {slug: link.slug, domain: link.domain ?? '', key: linkKey(link)}},
      h('td', {'data-label': 'Slug'}, h('a', {href: linkHash(link), class: 'slug'}, link.slug),
        link.title ? h('span', {class: 'muted truncate link-title', title: link.title}, link.title) : null),
      h('td', {'data-label': 'Short URL'}, h('span', {class: 'short-url', title: link.shortUrl}, bare(link.shortUrl)), ' ',
        copyButton(link.shortUrl)),
      h('td', {'data-label': 'Destination', class: 'dest'}, dest,
        link.blocked ? h('span', {class: 'badge blocked', title: `Disabled as unsafe: ${link.blocked.reason}`}, 'blocked') : null,
        link.health?.status === 'broken' ? h('span', {class: 'badge broken', title: `Destination check failed: ${link.health.error ?? ''}`},
          'broken') : null),
      h('td', {'data-label': 'Tags'}, tags.length ? h('span', {class: 'tags'}, tags) : h('span', {class: 'muted'}, '—')),
      h('td', {'data-label': 'Clicks', class: 'num'}, h('span', {class: 'clicks', dataset: {count: link.clicks ?? 0}}, fmtNumber(link.clicks))),
      h('td', {'data-label': 'Created', class: 'created'}, time(link.createdAt)),
      h('td', {class: 'row-actions'},
        h('button', {type: 'button', class: 'btn small', 'aria-label': `Edit ${link.slug}`, onclick: () => edit(link)}, 'Edit'),
        h('button', {type: 'button', class: 'btn small', 'aria-label': `QR code for ${link.slug}`, onclick: () => showQr(link)}, 'QR'),
        h('button', {type: 'button', class: 'btn small danger', 'aria-label': `Delete ${link.slug}`, onclick: () => del(link)}, 'Delete')));
  }

  async function edit(link) {
    const updated = await editLink(link);
    if (updated) upsert(updated, false);
  }

  async function del(link) {
    if (await deleteLink(link)) remove(linkKey(link));
  }

  // ---- live ----
  const stopFrames = live.onFrame((f) => {
    if (f.type === 'clicks' && rows.has(f.slug)) {
      const cell = rows.get(f.slug).querySelector('.clicks');
      const n = Number(cell.dataset.count) + (f.clicks ?? 0);
      cell.dataset.count = n;
      cell.textContent = fmtNumber(n);
    } else if (f.type === 'link' && f.link?.slug) {
      // A deleted link's frame names it by its key; the others carry the whole link.
      if (f.op === 'deleted') remove(f.link.slug);
      else if (rows.has(linkKey(f.link))) upsert(f.link, false);
      else if (f.op === 'created' && !state.q && !state.tag) upsert(f.link, true);
    }
  });
  live.follow({all: true});
  load(true);

  return () => {
    clearTimeout(debounce);
    stopFrames();
    stopImports();
    state.seq++;
  };
}
