// Modal dialogs (<dialog>): edit a link, confirm a delete, show a QR code. Each is built when
// opened and removed when closed; each returns a promise of its outcome.

import {h, fill, toast} from './dom.js';
import {links, saveBlob} from './api.js';
import {linkForm, patchBody, showProblem, clearErrors} from './forms.js';

function modal(labelId, ...children) {
  const dialog = h('dialog', {class: 'dialog', 'aria-labelledby': labelId}, ...children);
  document.body.append(dialog);
  return dialog;
}

/** Edits a link; resolves with the updated link, or null when nothing was saved. */
export function editLink(link) {
  return new Promise((resolve) => {
    let saved = null;
    const form = linkForm('edit', {link});
    const submit = h('button', {type: 'submit', class: 'btn primary', id: 'edit-submit'}, 'Save');
    const cancel = h('button', {type: 'button', class: 'btn ghost', onclick: () => dialog.close()}, 'Cancel');
    const el = h('form', {novalidate: true, class: 'link-form'},
      h('h2', {id: 'edit-heading'}, 'Edit ', h('code', {}, link.slug)),
      form.root, form.general,
      h('div', {class: 'actions'}, cancel, submit));
    const dialog = modal('edit-heading', el);
    el.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = patchBody(form);
      if (body === null) return;
      if (Object.keys(body).length === 0) {
        dialog.close();
        return;
      }
      submit.disabled = true;
      try {
        saved = await links.update(link.slug, body, link.domain);
        toast(`Saved ${link.slug}`);
        dialog.close();
      } catch (err) {
        showProblem(form, err);
      } finally {
        submit.disabled = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(saved);
    });
    dialog.showModal();
    form.inputs.url.focus();
  });
}

/** Asks before deleting, then deletes; resolves true once the link is gone. */
export function deleteLink(link) {
  return new Promise((resolve) => {
    let deleted = false;
    const error = h('p', {class: 'form-error', role: 'alert'});
    const confirm = h('button', {type: 'button', class: 'btn danger', id: 'delete-confirm'}, 'Delete');
    const cancel = h('button', {type: 'button', class: 'btn ghost', onclick: () => dialog.close()}, 'Cancel');
    const dialog = modal('delete-heading',
      h('h2', {id: 'delete-heading'}, 'Delete ', h('code', {}, link.slug), '?'),
      h('p', {}, 'The short URL ', h('code', {}, link.shortUrl), ' will stop working and answer 404. ',
        'Its clicks stay in the overall statistics. This cannot be undone.'),
      error,
      h('div', {class: 'actions'}, cancel, confirm));
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        await links.remove(link.slug, link.domain);
        deleted = true;
        toast(`Deleted ${link.slug}`);
        dialog.close();
      } catch (err) {
        if (err.status === 404) {
          deleted = true;
          dialog.close();
        } else {
          fill(error, err.message);
        }
      } finally {
        confirm.disabled = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(deleted);
    });
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * The QR code of a link with download buttons (#qr-image, #qr-download-svg, #qr-download-png).
 * The image is fetched with the key and shown through a blob: URL; destroy() releases it.
 */
export function qrPanel(link) {
  let url = null;
  const img = h('img', {id: 'qr-image', class: 'qr', width: 256, height: 256, alt: `QR code for ${link.shortUrl}`});
  const status = h('p', {class: 'muted', role: 'status'}, 'Loading QR code…');
  const download = (format, extra) => async (e) => {
    const btn = e.currentTarget;
    btn.disabled = true;
    try {
      const {blob, name} = await links.qr(link.slug, {format, ...extra, download: 1}, link.domain);
      saveBlob(blob, name ?? `${link.slug}.${format}`);
    } catch (err) {
      toast(`QR code: ${err.message}`, 'error');
    } finally {
      btn.disabled = false;
    }
  };
  const root = h('div', {class: 'qr-panel'},
    img, status,
    h('div', {class: 'actions'},
      h('button', {type: 'button', class: 'btn', id: 'qr-download-svg', onclick: download('svg', {})}, 'Download SVG'),
      h('button', {type: 'button', class: 'btn', id: 'qr-download-png', onclick: download('png', {size: 512})}, 'Download PNG')));
  let destroyed = false;
  links.qr(link.slug, {format: 'svg'}, link.domain).then(({blob}) => {
    if (destroyed) return;
    url = URL.createObjectURL(blob);
    img.src = url;
    status.remove();
  }, (err) => fill(status, `Could not load the QR code: ${err.message}`));
  return {
    root,
    destroy() {
      destroyed = true;
      if (url) URL.revokeObjectURL(url);
    },
  };
}

/** The QR code of a link in a dialog. */
export function showQr(link) {
  const panel = qrPanel(link);
  const dialog = modal('qr-heading',
    h('h2', {id: 'qr-heading'}, 'QR code for ', h('code', {}, link.slug)),
    h('p', {class: 'muted break'}, link.shortUrl),
    panel.root);
  const close = h('button', {type: 'button', class: 'btn ghost', onclick: () => dialog.close()}, 'Close');
  dialog.append(h('div', {class: 'actions'}, close));
  dialog.addEventListener('close', () => {
    panel.destroy();
    dialog.remove();
  });
  dialog.showModal();
  close.focus();
}
