// Smart link fields for the link form (domain, rules, variants, fallback, UTM, password, preview
// card with a live preview) and the domains page (#/domains).

import {h, fill, toast, time} from './dom.js';
import {api, enc} from './api.js';

const CONDITIONS = [
  ['country', 'Countries', 'DE, AT'],
  ['device', 'Devices', 'mobile, tablet, desktop'],
  ['os', 'OS', 'ios, android'],
  ['browser', 'Browsers', 'chrome, firefox'],
  ['language', 'Languages', 'de, fr'],
];
const UTM = ['source', 'medium', 'campaign', 'term', 'content'];
const list = (raw) => raw.split(',').map((t) => t.trim()).filter(Boolean);
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export const domains = {
  list: () => api('/api/v1/domains'),
  create: (body) => api('/api/v1/domains', {method: 'POST', body}),
  update: (host, body) => api(`/api/v1/domains/${enc(host)}`, {method: 'PATCH', body}),
  remove: (host) => api(`/api/v1/domains/${enc(host)}`, {method: 'DELETE'}),
};

/**
 * The smart fields of a link form. `field(name, label, input, hint)` is the form's own field maker,
 * so errors such as rules[0].url land next to the right part. Returns {parts, create(), patch()}.
 */
export function smartFields(prefix, field, {link = null, withDomain = false} = {}) {
  const id = (name) => `${prefix}-${name}`;
  const parts = [];

  let domain = null;
  if (withDomain) {
    domain = h('select', {}, h('option', {value: ''}, 'Default domain'));
    domains.list().then((r) => {
      for (const d of r.items) if (!d.default) domain.append(h('option', {value: d.host}, d.host));
    }).catch(() => {});
    parts.push(field('domain', 'Domain', domain, 'The host the short link lives on.'));
  }

  // ---- rules ----
  const ruleRows = h('div', {class: 'smart-rows', id: id('rules-rows')});
  const addRule = (rule = {if: {}, url: ''}) => {
    const n = ruleRows.children.length;
    const inputs = {};
    const cells = CONDITIONS.map(([key, label, ph]) => {
      inputs[key] = h('input', {type: 'text', id: id(`rule-${n}-${key}`), placeholder: ph, value: (rule.if?.[key] ?? []).join(', ')});
      return h('label', {class: 'mini'}, label, inputs[key]);
    });
    inputs.url = h('input', {type: 'url', id: id(`rule-${n}-url`), placeholder: 'https://example.com/de', value: rule.url ?? ''});
    const rowEl = h('fieldset', {class: 'smart-row rule'}, h('legend', {}, `Rule ${n + 1}`), ...cells,
      h('label', {class: 'mini wide'}, 'Then go to', inputs.url),
      h('button', {type: 'button', class: 'btn small ghost', onclick: () => rowEl.remove()}, 'Remove'));
    rowEl.read = () => {
      const when = {};
      for (const [key] of CONDITIONS) {
        const v = list(inputs[key].value);
        if (v.length) when[key] = v;
      }
      if (rule.if?.query) when.query = rule.if.query; // kept as it was: the form does not edit query conditions
      return {if: when, url: inputs.url.value.trim()};
    };
    ruleRows.append(rowEl);
  };
  (link?.rules ?? []).forEach(addRule);
  const rulesBox = h('div', {id: id('rules')}, ruleRows,
    h('button', {type: 'button', class: 'btn small', id: id('add-rule'), onclick: () => addRule()}, 'Add rule'));
  parts.push(field('rules', 'Rules (first match wins)', rulesBox, 'Each list means “any of”; every filled condition must hold.', 'wide'));

  // ---- variants ----
  const variantRows = h('div', {class: 'smart-rows', id: id('variants-rows')});
  const addVariant = (v = {url: '', weight: 50}) => {
    const url = h('input', {type: 'url', placeholder: 'https://example.com/a', value: v.url ?? ''});
    const weight = h('input', {type: 'number', min: 1, max: 100, step: 1, value: v.weight ?? 50, class: 'weight'});
    const rowEl = h('div', {class: 'smart-row variant'}, h('label', {class: 'mini wide'}, 'URL', url),
      h('label', {class: 'mini'}, 'Weight %', weight),
      h('button', {type: 'button', class: 'btn small ghost', onclick: () => rowEl.remove()}, 'Remove'));
    rowEl.read = () => ({url: url.value.trim(), weight: Number(weight.value)});
    variantRows.append(rowEl);
  };
  (link?.variants ?? []).forEach(addVariant);
  const variantsBox = h('div', {id: id('variants')}, variantRows,
    h('button', {type: 'button', class: 'btn small', onclick: () => addVariant()}, 'Add variant'));
  parts.push(field('variants', 'Variants (A/B split)', variantsBox, 'Weights sum to 100; a visitor keeps a variant for the day.', 'wide'));

  const fallback = h('input', {type: 'url', placeholder: 'https://example.com/offer-ended', value: link?.fallbackUrl ?? ''});
  parts.push(field('fallbackUrl', 'Fallback URL', fallback, 'Where the link goes once expired or past its click limit.'));

  // ---- UTM ----
  const utmInputs = {};
  const utmBox = h('div', {class: 'utm', id: id('utm')}, UTM.map((k) => {
    utmInputs[k] = h('input', {type: 'text', id: id(`utm-${k}`), value: link?.utm?.[k] ?? ''});
    return h('label', {class: 'mini'}, `utm_${k}`, utmInputs[k]);
  }));
  parts.push(field('utm', 'UTM parameters', utmBox, 'The visitor’s own utm_* values win.', 'wide'));

  // ---- password ----
  const password = h('input', {type: 'password', autocomplete: 'new-password',
    placeholder: link?.passwordProtected ? 'unchanged' : 'none'});
  const removePassword = h('input', {type: 'checkbox', id: id('password-remove')});
  parts.push(field('password', 'Password', password, link?.passwordProtected ? 'Protected now. Type a new one to change it.' : 'Visitors must enter it.'));
  if (link?.passwordProtected) parts.push(h('div', {class: 'field check'}, h('label', {for: removePassword.id}, removePassword, ' Remove the password')));

  // ---- preview card ----
  const pv = {
    title: h('input', {type: 'text', id: id('preview-title'), maxlength: 512, value: link?.preview?.title ?? ''}),
    description: h('input', {type: 'text', id: id('preview-description'), maxlength: 1024, value: link?.preview?.description ?? ''}),
    image: h('input', {type: 'url', id: id('preview-image'), value: link?.preview?.image ?? ''}),
  };
  const card = h('div', {class: 'preview-card', id: id('preview-card'), 'aria-live': 'polite'});
  const drawCard = () => {
    const img = pv.image.value.trim();
    fill(card, /^https?:\/\//.test(img) ? h('img', {src: img, alt: ''}) : null,
      h('strong', {}, pv.title.value || 'Title'), h('span', {}, pv.description.value || 'Description'));
  };
  Object.values(pv).forEach((el) => el.addEventListener('input', drawCard));
  drawCard();
  const previewBox = h('div', {id: id('preview')}, h('label', {class: 'mini'}, 'Title', pv.title),
    h('label', {class: 'mini'}, 'Description', pv.description), h('label', {class: 'mini'}, 'Image URL', pv.image), card);
  parts.push(field('preview', 'Preview card (for Slack, WhatsApp, …)', previewBox, null, 'wide'));

  const values = () => {
    const rules = [...ruleRows.children].map((r) => r.read());
    const variants = [...variantRows.children].map((r) => r.read());
    const utm = {};
    for (const k of UTM) if (utmInputs[k].value.trim()) utm[k] = utmInputs[k].value.trim();
    const preview = {};
    for (const [k, el] of Object.entries(pv)) if (el.value.trim()) preview[k] = el.value.trim();
    return {
      rules: rules.length ? rules : null,
      variants: variants.length ? variants : null,
      fallbackUrl: fallback.value.trim() || null,
      utm: Object.keys(utm).length ? utm : null,
      preview: Object.keys(preview).length ? preview : null,
    };
  };
  const initial = values();

  return {
    parts,
    /** The smart fields of POST /api/v1/links (empty ones left out). */
    create() {
      const body = {};
      for (const [k, v] of Object.entries(values())) if (v != null) body[k] = v;
      if (domain?.value) body.domain = domain.value;
      if (password.value) body.password = password.value;
      return body;
    },
    /** The smart fields of PATCH: the changed ones, null for cleared ones. */
    patch() {
      const body = {};
      for (const [k, v] of Object.entries(values())) if (!same(v, initial[k])) body[k] = v;
      if (password.value) body.password = password.value;
      else if (removePassword.checked) body.password = null;
      return body;
    },
    reset() {
      fill(ruleRows);
      fill(variantRows);
      drawCard();
    },
  };
}

/** #/domains: the default domain and the branded ones; add, change redirects, delete. */
export function domainsPage(view) {
  const tbody = h('tbody', {id: 'domains-body'});
  const host = h('input', {type: 'text', id: 'domain-host', placeholder: 'go.example.com', required: true});
  const root = h('input', {type: 'url', id: 'domain-root', placeholder: 'https://example.com'});
  const missing = h('input', {type: 'url', id: 'domain-not-found', placeholder: 'https://example.com/404'});
  const error = h('p', {class: 'form-error', role: 'alert', id: 'domain-error'});
  const form = h('form', {class: 'link-form', id: 'domain-form', novalidate: true},
    h('div', {class: 'form-grid'},
      h('div', {class: 'field'}, h('label', {for: host.id}, 'Host'), host),
      h('div', {class: 'field'}, h('label', {for: root.id}, 'Root redirect (optional)'), root),
      h('div', {class: 'field'}, h('label', {for: missing.id}, 'Unknown-slug redirect (optional)'), missing)),
    error, h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn primary', id: 'domain-submit'}, 'Add domain')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(error);
    const body = {host: host.value.trim()};
    if (root.value.trim()) body.rootRedirect = root.value.trim();
    if (missing.value.trim()) body.notFoundRedirect = missing.value.trim();
    try {
      await domains.create(body);
      form.reset();
      toast(`Added ${body.host}`);
      load();
    } catch (err) {
      fill(error, err.errors.length ? err.errors.map((x) => `${x.field}: ${x.message}`).join(' ') : err.message);
    }
  });
  const row = (d) => h('tr', {class: 'domain-row', dataset: {host: d.host}},
    h('td', {'data-label': 'Host'}, h('code', {}, d.host), d.default ? h('span', {class: 'badge'}, 'default') : null),
    h('td', {'data-label': 'Root redirect'}, d.rootRedirect ?? '—'),
    h('td', {'data-label': 'Unknown slugs'}, d.notFoundRedirect ?? '404 page'),
    h('td', {'data-label': 'Added'}, d.createdAt ? time(d.createdAt) : ''),
    h('td', {class: 'row-actions'}, d.default ? null : h('button', {type: 'button', class: 'btn small danger',
      'aria-label': `Delete ${d.host}`, onclick: async () => {
        try {
          await domains.remove(d.host);
          toast(`Deleted ${d.host}`);
          load();
        } catch (err) {
          toast(err.message, 'error');
        }
      }}, 'Delete')));
  async function load() {
    const r = await domains.list();
    fill(tbody, r.items.map(row));
  }
  fill(view, h('h1', {tabindex: -1}, 'Domains'),
    h('p', {class: 'muted'}, 'Point a domain’s DNS at Kurz, add it here, then pick it when you create a link.'), form,
    h('table', {class: 'links'}, h('thead', {}, h('tr', {}, ['Host', 'Root redirect', 'Unknown slugs', 'Added', ''].map((t) => h('th', {}, t)))), tbody));
  load().catch((err) => toast(err.message, 'error'));
  return () => {};
}
