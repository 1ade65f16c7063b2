// The webhooks page (#/webhooks, admin keys only): endpoints with their events and state, a form
// that adds one and shows its signing secret once, and per endpoint: enable/disable, rotate the
// secret, delete, and its deliveries (each attempt's status, time and error) with Retry for the
// delivered and the dead ones.

import {h, fill, time, toast, copyButton} from './dom.js';
import {webhooks} from './api.js';

const EVENTS = ['link.created', 'link.updated', 'link.deleted', 'link.clicked', 'alert.fired', 'import.finished', 'link.broken'];

export function webhooksPage(view) {
  let alive = true;

  // ---- create ----
  const url = h('input', {type: 'url', id: 'webhook-url', name: 'url', required: true, placeholder: 'https://hooks.example/kurz',
    'aria-describedby': 'webhook-url-error'});
  const urlError = h('p', {class: 'field-error', id: 'webhook-url-error'});
  const description = h('input', {type: 'text', id: 'webhook-description', maxlength: 500, placeholder: 'Chat: campaign alerts'});
  const boxes = EVENTS.map((e) => h('input', {type: 'checkbox', id: `event-${e.replace('.', '-')}`, value: e}));
  const eventsError = h('p', {class: 'field-error', id: 'webhook-events-error'});
  const general = h('p', {class: 'form-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'btn primary', id: 'webhook-create-submit'}, 'Add webhook');
  const secret = h('div', {id: 'webhook-secret', class: 'result', role: 'status'});
  const form = h('form', {id: 'webhook-form', class: 'link-form', novalidate: true, 'aria-labelledby': 'webhook-create-heading'},
    h('div', {class: 'form-grid'},
      h('div', {class: 'field wide'}, h('label', {for: 'webhook-url'}, 'Receiver URL'), url, urlError),
      h('div', {class: 'field wide'}, h('label', {for: 'webhook-description'}, 'Description (optional)'), description),
      h('fieldset', {class: 'field wide', 'aria-describedby': 'webhook-events-error'}, h('legend', {}, 'Events'),
        boxes.map((b) => h('div', {class: 'field check'}, h('label', {for: b.id}, b, ' ', b.value))), eventsError)),
    general, h('div', {class: 'actions'}, submit));
  boxes[0].checked = true;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const el of [urlError, eventsError, general, secret]) fill(el);
    const body = {url: url.value.trim(), events: boxes.filter((b) => b.checked).map((b) => b.value)};
    if (description.value.trim()) body.description = description.value.trim();
    submit.disabled = true;
    try {
      const made = await webhooks.create(body);
      form.reset();
      boxes[0].checked = true;
      showSecret(made.secret, `Webhook ${made.id} added.`);
      load();
    } catch (err) {
      const slot = {url: urlError, events: eventsError};
      for (const {field, message} of err.errors) (slot[field] ?? general).append(h('span', {}, message), ' ');
      if (!err.errors.length) fill(general, err.message);
    } finally {
      submit.disabled = false;
    }
  });

  function showSecret(value, lead) {
    fill(secret, h('p', {class: 'lead'}, lead, ' Copy the signing secret now: Kurz shows it only this once.'),
      h('code', {id: 'new-webhook-secret', class: 'break'}, value), ' ', copyButton(value, 'Copy secret'));
  }

  // ---- list ----
  const tbody = h('tbody');
  const table = h('table', {class: 'links-table', id: 'webhooks-table'},
    h('caption', {class: 'sr-only'}, 'Webhooks'),
    h('thead', {}, h('tr', {}, ['Receiver', 'Events', 'State', 'Created'].map((t) => h('th', {scope: 'col'}, t)),
      h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
    tbody);
  const status = h('p', {class: 'muted', role: 'status', id: 'webhooks-status'});
  const deliveries = h('section', {class: 'card', id: 'deliveries', hidden: true, 'aria-labelledby': 'deliveries-heading'});

  fill(view,
    h('h1', {tabindex: -1}, 'Webhooks'),
    h('section', {class: 'card', 'aria-labelledby': 'webhook-create-heading'},
      h('h2', {id: 'webhook-create-heading'}, 'Add a webhook'),
      h('p', {class: 'muted'}, 'Deliveries are signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).'),
      form, secret),
    h('section', {class: 'card', 'aria-labelledby': 'webhooks-heading'},
      h('h2', {id: 'webhooks-heading'}, 'Webhooks'), h('div', {class: 'table-wrap'}, table), status),
    deliveries);

  async function load() {
    fill(status, 'Loading…');
    try {
      const page = await webhooks.list();
      if (!alive) return;
      tbody.replaceChildren(...page.items.map(row));
      fill(status, page.items.length ? `${page.items.filter((w) => w.enabled).length} enabled of ${page.items.length}` : 'No webhooks yet.');
    } catch (err) {
      if (!alive) return;
      fill(status, err.status === 403 ? 'Webhooks need an admin key: sign in with one to see and change them.'
        : `Could not load webhooks: ${err.message}`);
      form.hidden = err.status === 403;
    }
  }

  function row(w) {
    const state = !w.enabled ? h('span', {class: 'badge blocked', title: w.disabledReason ?? ''}, 'disabled')
      : w.failingSince ? h('span', {class: 'badge broken'}, 'failing since ', time(w.failingSince)) : 'Enabled';
    return h('tr', {class: 'webhook-row', dataset: {id: w.id}},
      h('td', {'data-label': 'Receiver'}, h('code', {class: 'truncate', title: w.url}, w.url),
        w.description ? h('span', {class: 'muted truncate'}, ' ', w.description) : null),
      h('td', {'data-label': 'Events'}, w.events.join(', ')),
      h('td', {'data-label': 'State', class: 'webhook-state'}, state),
      h('td', {'data-label': 'Created'}, time(w.createdAt)),
      h('td', {class: 'row-actions'},
        h('button', {type: 'button', class: 'btn small', onclick: () => showDeliveries(w)}, 'Deliveries'),
        h('button', {type: 'button', class: 'btn small', onclick: () => toggle(w)}, w.enabled ? 'Disable' : 'Enable'),
        h('button', {type: 'button', class: 'btn small', onclick: () => rotate(w)}, 'Rotate secret'),
        h('button', {type: 'button', class: 'btn small danger', 'aria-label': `Delete webhook ${w.id}`, onclick: () => remove(w)}, 'Delete')));
  }

  async function toggle(w) {
    try {
      await webhooks.update(w.id, {enabled: !w.enabled});
      toast(w.enabled ? 'Webhook disabled' : 'Webhook enabled');
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function rotate(w) {
    if (!confirm('Make a new signing secret? The old one keeps signing for 24 hours.')) return;
    try {
      const r = await webhooks.rotate(w.id);
      showSecret(r.secret, `New secret for webhook ${w.id}; the old one signs too until ${new Date(r.previousSecretValidUntil).toLocaleString()}.`);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function remove(w) {
    if (!confirm(`Delete the webhook to ${w.url}? Its queued deliveries go with it.`)) return;
    try {
      await webhooks.remove(w.id);
      toast('Webhook deleted');
      deliveries.hidden = true;
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function showDeliveries(w, cursor) {
    deliveries.hidden = false;
    const body = h('tbody');
    const more = h('div', {class: 'actions'});
    fill(deliveries, h('h2', {id: 'deliveries-heading'}, 'Deliveries to ', h('code', {}, w.url)),
      h('div', {class: 'table-wrap'}, h('table', {class: 'links-table', id: 'deliveries-table'},
        h('thead', {}, h('tr', {}, ['Event', 'State', 'Attempts', 'Last answer', 'Created'].map((t) => h('th', {scope: 'col'}, t)),
          h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))), body)), more);
    try {
      const page = await webhooks.deliveries(w.id, cursor);
      if (!alive) return;
      body.replaceChildren(...page.items.map((d) => deliveryRow(w, d)));
      if (!page.items.length) body.append(h('tr', {}, h('td', {colspan: 6, class: 'muted'}, 'No deliveries yet.')));
      if (page.nextCursor) more.append(h('button', {type: 'button', class: 'btn small', onclick: () => showDeliveries(w, page.nextCursor)}, 'Older'));
    } catch (err) {
      fill(more, `Could not load deliveries: ${err.message}`);
    }
  }

  function deliveryRow(w, d) {
    const attempts = h('details', {}, h('summary', {}, String(d.attempts)),
      h('ul', {class: 'attempts'}, d.history.map((a) => h('li', {}, time(a.at), ' · ', a.statusCode ?? 'no answer', ' · ',
        `${a.durationMs} ms`, a.error ? ` · ${a.error}` : ''))));
    const retry = d.state === 'dead' || d.state === 'delivered'
      ? h('button', {type: 'button', class: 'btn small', onclick: async () => {
        try {
          await webhooks.retry(w.id, d.id);
          toast(`Delivery ${d.id} queued again`);
          showDeliveries(w);
        } catch (err) {
          toast(err.message, 'error');
        }
      }}, 'Retry') : null;
    return h('tr', {class: `delivery-row ${d.state}`, dataset: {id: d.id}},
      h('td', {'data-label': 'Event'}, d.type, h('span', {class: 'muted'}, ' ', d.messageId)),
      h('td', {'data-label': 'State'}, d.state === 'dead' ? h('span', {class: 'badge blocked'}, 'dead') : d.state,
        d.state === 'queued' && d.nextAttemptAt ? h('span', {class: 'muted'}, ' next ', time(d.nextAttemptAt)) : null),
      h('td', {'data-label': 'Attempts'}, attempts),
      h('td', {'data-label': 'Last answer'}, d.lastError ?? (d.lastStatus != null ? String(d.lastStatus) : '—')),
      h('td', {'data-label': 'Created'}, time(d.createdAt)),
      h('td', {class: 'row-actions'}, retry));
  }

  load();
  return () => {
    alive = false;
  };
}
