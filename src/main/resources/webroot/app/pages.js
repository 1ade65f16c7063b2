// The link page (#/links/<slug>, #/links/<host>/<slug>) and the overview (#/overview): stats panel, live counter and feed.

import {h, fill, time, fmtNumber, safeHref, copyButton} from './dom.js';
import {links, linkKey} from './api.js';
import {editLink, deleteLink, qrPanel} from './dialogs.js';
import {statsPanel, liveBox} from './stats.js';
import * as live from './live.js';

/** The page of link `slug` on `domain` (null: the default domain). */
export function linkPage(view, slug, {domain = null, navigate}) {
  let destroyed = false;
  const parts = []; // things to destroy
  fill(view, h('h1', {tabindex: -1}, slug), h('p', {class: 'muted', role: 'status'}, 'Loading…'));

  links.get(slug, domain).then((link) => {
    if (!destroyed) render(link);
  }, (err) => {
    if (destroyed) return;
    fill(view, h('h1', {tabindex: -1}, slug),
      h('p', {role: 'alert'}, err.status === 404 ? `There is no link with the slug “${slug}”${domain ? ` on ${domain}` : ''}.`
        : err.status === 400 && domain ? `${domain} is not a domain of this Kurz.` : `Could not load the link: ${err.message}`),
      h('p', {}, h('a', {href: '#/links'}, '← All links')));
  });

  function render(link) {
    const details = h('dl', {class: 'details', id: 'link-details'});
    const heading = h('div', {class: 'page-head'});
    const showLink = (l) => {
      link = l;
      const href = safeHref(l.url);
      fill(heading,
        h('p', {class: 'crumbs'}, h('a', {href: '#/links'}, '← All links')),
        h('h1', {tabindex: -1}, h('code', {}, l.slug)),
        l.title ? h('p', {class: 'lead'}, l.title) : null,
        h('p', {class: 'short-line'}, h('a', {href: safeHref(l.shortUrl), class: 'short-url'}, l.shortUrl), ' ', copyButton(l.shortUrl)),
        h('p', {class: 'dest-line'}, '→ ', href
          ? h('a', {href, class: 'break', target: '_blank', rel: 'noopener noreferrer'}, l.url)
          : h('span', {class: 'break'}, l.url)),
        h('div', {class: 'actions'},
          h('button', {type: 'button', class: 'btn', id: 'link-edit', onclick: edit}, 'Edit'),
          h('button', {type: 'button', class: 'btn danger', id: 'link-delete', onclick: del}, 'Delete')));
      const limit = l.maxClicks == null ? 'None' : `${fmtNumber(l.clicks)} of ${fmtNumber(l.maxClicks)} used`;
      fill(details, [
        ['Domain', l.domain ?? 'Default'],
        ['Tags', l.tags?.length ? h('span', {class: 'tags'}, l.tags.map((t) => h('span', {class: 'tag'}, t))) : 'None'],
        ['Redirect', String(l.redirectType)],
        ['Query string', l.forwardQuery ? 'Passed on' : 'Dropped'],
        ['Expires', l.expiresAt ? time(l.expiresAt) : 'Never'],
        ['Click limit', limit],
        ['Created', time(l.createdAt)],
        ['Updated', time(l.updatedAt)],
      ].map(([dt, dd]) => h('div', {}, h('dt', {}, dt), h('dd', {}, dd))));
    };

    async function edit() {
      const updated = await editLink(link);
      if (updated && !destroyed) showLink(updated);
    }

    async function del() {
      if (await deleteLink(link)) navigate('#/links');
    }

    const qr = qrPanel(link);
    const box = liveBox({caption: 'clicks in all'});
    const key = linkKey(link);
    const panel = statsPanel(link.slug, {domain: link.domain});
    parts.push(qr, panel);
    showLink(link);
    box.set(link.clicks ?? 0);
    fill(view, heading,
      h('div', {class: 'grid3'},
        h('section', {class: 'card', 'aria-labelledby': 'details-heading'}, h('h2', {id: 'details-heading'}, 'Details'), details),
        h('section', {class: 'card', 'aria-labelledby': 'qr-heading'}, h('h2', {id: 'qr-heading'}, 'QR code'), qr.root),
        box.root),
      panel.root);

    parts.push({destroy: live.onFrame((f) => {
      // Frames name links by key; a link frame carries the link (a deleted one only its key).
      if ((f.slug ?? (f.op === 'deleted' ? f.link?.slug : f.link && linkKey(f.link))) !== key) return;
      if (f.type === 'clicks') {
        box.add(f.clicks ?? 0);
        panel.clicks(f);
      } else if (f.type === 'click') {
        box.push(f);
      } else if (f.type === 'link' && f.op === 'updated') {
        showLink({...f.link, clicks: link.clicks});
      }
    })});
    live.follow({links: [key]});
    links.clicks(link.slug, 20, link.domain).then((page) => {
      if (!destroyed) box.seed(page.items ?? []);
    }, () => {});
  }

  return () => {
    destroyed = true;
    for (const p of parts) p.destroy();
  };
}

export function overviewPage(view) {
  const box = liveBox({caption: 'clicks in the last 24 hours', showSlug: true});
  const panel = statsPanel(null, {
    onLoad(s, range) {
      box.set(s.totals.clicks);
      box.caption(`clicks in the last ${range.label}`);
    },
  });
  fill(view, h('h1', {tabindex: -1}, 'Overview'), h('p', {class: 'muted'}, 'All links together.'),
    h('div', {class: 'grid-overview'}, box.root, panel.root));
  const stop = live.onFrame((f) => {
    if (f.type === 'clicks') {
      box.add(f.clicks ?? 0);
      panel.clicks(f);
    } else if (f.type === 'click') {
      box.push(f);
    }
  });
  live.follow({all: true});
  return () => {
    stop();
    panel.destroy();
  };
}
