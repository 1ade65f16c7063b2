// The API keys page (#/keys, admin keys only): the keys with their scopes and state, a form that
// creates one and shows its secret once (with a copy button), and revoke with a confirmation.

import {h, fill, time, toast, copyButton} from './dom.js';
import {keys} from './api.js';

const SCOPES = [
  ['links:read', 'Read links and their statistics'],
  ['links:write', 'Create, change and delete links'],
  ['links:own', 'Only the links this key creates (with read and/or write)'],
  ['metrics', 'Read /metrics on the main port (for a Prometheus scraper)'],
  ['admin', 'Everything, including keys and the audit trail'],
];

export function keysPage(view) {
  let alive = true;
  let shownId = null; // the key whose secret is on screen

  // ---- create ----
  const name = h('input', {type: 'text', id: 'key-name', name: 'name', maxlength: 100, autocomplete: 'off', required: true,
    placeholder: 'CI pipeline', 'aria-describedby': 'key-name-error'});
  const nameError = h('p', {class: 'field-error', id: 'key-name-error'});
  const boxes = SCOPES.map(([scope, hint]) => h('input', {type: 'checkbox', id: `scope-${scope.replace(':', '-')}`, value: scope,
    'aria-describedby': `scope-${scope.replace(':', '-')}-hint`}));
  const scopesError = h('p', {class: 'field-error', id: 'key-scopes-error'});
  const general = h('p', {class: 'form-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'btn primary', id: 'key-create-submit'}, 'Create key');
  const secret = h('div', {id: 'key-secret', class: 'result', role: 'status'});
  const form = h('form', {id: 'key-form', class: 'link-form', novalidate: true, 'aria-labelledby': 'key-create-heading'},
    h('div', {class: 'form-grid'},
      h('div', {class: 'field wide'}, h('label', {for: 'key-name'}, 'Name'), name,
        h('p', {class: 'hint'}, 'Whose key it is, 1 to 100 characters.'), nameError),
      h('fieldset', {class: 'field wide', 'aria-describedby': 'key-scopes-error'},
        h('legend', {}, 'Scopes'),
        SCOPES.map(([scope, hint], i) => h('div', {class: 'field check'},
          h('label', {for: boxes[i].id}, boxes[i], ' ', scope),
          h('p', {class: 'hint', id: `${boxes[i].id}-hint`}, hint))),
        scopesError)),
    general, h('div', {class: 'actions'}, submit));
  boxes[0].checked = true;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const el of [nameError, scopesError, general, secret]) fill(el);
    name.removeAttribute('aria-invalid');
    const body = {name: name.value.trim(), scopes: boxes.filter((b) => b.checked).map((b) => b.value)};
    submit.disabled = true;
    try {
      const key = await keys.create(body);
      shownId = key.id;
      form.reset();
      boxes[0].checked = true;
      fill(secret,
        h('p', {class: 'lead'}, 'Key ', h('strong', {}, key.name), ' created. Copy it now: Kurz shows it only this once.'),
        h('code', {id: 'new-key-secret', class: 'break'}, key.key), ' ', copyButton(key.key, 'Copy key'));
      load();
    } catch (err) {
      const byField = {name: nameError, scopes: scopesError};
      let shown = false;
      for (const {field, message} of err.errors) {
        const slot = byField[field];
        if (slot) {
          slot.append(h('span', {}, message));
          if (field === 'name') name.setAttribute('aria-invalid', 'true');
          shown = true;
        } else {
          general.append(`${field}: ${message} `);
        }
      }
      if (!shown && !err.errors.length) fill(general, err.message);
      (err.errors[0]?.field === 'scopes' ? boxes[0] : name).focus();
    } finally {
      submit.disabled = false;
    }
  });

  // ---- list ----
  const tbody = h('tbody');
  const table = h('table', {class: 'links-table', id: 'keys-table'},
    h('caption', {class: 'sr-only'}, 'API keys'),
    h('thead', {}, h('tr', {},
      ['Name', 'Prefix', 'Scopes', 'Created', 'State'].map((t) => h('th', {scope: 'col'}, t)),
      h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
    tbody);
  const status = h('p', {class: 'muted', role: 'status', id: 'keys-status'});

  fill(view,
    h('h1', {tabindex: -1}, 'API keys'),
    h('section', {class: 'card', 'aria-labelledby': 'key-create-heading'},
      h('h2', {id: 'key-create-heading'}, 'Create a key'), form, secret),
    h('section', {class: 'card', 'aria-labelledby': 'keys-heading'},
      h('h2', {id: 'keys-heading'}, 'Keys'), h('div', {class: 'table-wrap'}, table), status));

  async function load() {
    fill(status, 'Loading…');
    try {
      const page = await keys.list();
      if (!alive) return;
      tbody.replaceChildren(...page.items.slice().reverse().map(row));
      fill(status, `${page.items.filter((k) => !k.revokedAt).length} active of ${page.items.length}`);
    } catch (err) {
      if (!alive) return;
      fill(status, err.status === 403 ? 'Managing keys needs an admin key: sign in with one to see and change keys.'
        : `Could not load keys: ${err.message}`);
      form.hidden = err.status === 403;
    }
  }

  function row(k) {
    const revoke = k.revokedAt ? null : h('button', {type: 'button', class: 'btn small danger', 'aria-label': `Revoke ${k.name}`,
      onclick: () => confirmRevoke(k)}, 'Revoke');
    return h('tr', {class: 'key-row', dataset: {id: k.id}},
      h('td', {'data-label': 'Name'}, k.name, k.current ? h('span', {class: 'muted'}, ' (this session)') : null),
      h('td', {'data-label': 'Prefix'}, h('code', {}, k.prefix)),
      h('td', {'data-label': 'Scopes'}, k.scopes.join(', ')),
      h('td', {'data-label': 'Created'}, time(k.createdAt)),
      h('td', {'data-label': 'State', class: 'key-state'}, k.revokedAt ? h('span', {}, 'Revoked ', time(k.revokedAt)) : 'Active'),
      h('td', {class: 'row-actions'}, revoke));
  }

  function confirmRevoke(k) {
    const error = h('p', {class: 'form-error', role: 'alert'});
    const confirm = h('button', {type: 'button', class: 'btn danger', id: 'revoke-confirm'}, 'Revoke');
    const cancel = h('button', {type: 'button', class: 'btn ghost', onclick: () => dialog.close()}, 'Cancel');
    const dialog = h('dialog', {class: 'dialog', 'aria-labelledby': 'revoke-heading'},
      h('h2', {id: 'revoke-heading'}, 'Revoke ', h('code', {}, k.name), '?'),
      h('p', {}, 'Every call with this key will be refused within 2 seconds, and its live feeds close. ',
        k.current ? 'It is the key of this session: you will be signed out. ' : '', 'This cannot be undone.'),
      error,
      h('div', {class: 'actions'}, cancel, confirm));
    document.body.append(dialog);
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        await keys.revoke(k.id);
        toast(`Revoked ${k.name}`);
        if (k.id === shownId) fill(secret); // a revoked secret is no use to anyone
        dialog.close();
        load();
      } catch (err) {
        fill(error, err.message);
      } finally {
        confirm.disabled = false;
      }
    });
    dialog.addEventListener('close', () => dialog.remove());
    dialog.showModal();
    cancel.focus();
  }

  load();
  return () => {
    alive = false;
  };
}
