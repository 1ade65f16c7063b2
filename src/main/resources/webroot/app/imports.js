// Imports and exports on the links page: a file goes up as an import job, whose progress bar
// follows the live feed's "import" frames (and a poll every second, for when the feed is off);
// exports download the streamed CSV or JSON.

import {h, fill, fmtNumber} from './dom.js';
import {api, apiBlob, saveBlob, session, ApiError} from './api.js';
import * as live from './live.js';

const FORMATS = [['csv', 'Plain CSV'], ['kurz', 'Kurz export'], ['bitly', 'Bitly'], ['yourls', 'YOURLS'], ['shlink', 'Shlink'], ['kutt', 'Kutt']];

/** The card; `onDone` runs when an import finishes (to reload the table). Returns [element, stop]. */
export function importCard(onDone) {
  const file = h('input', {type: 'file', id: 'import-file', name: 'file', accept: '.csv,.json,text/csv,application/json'});
  const format = h('select', {id: 'import-format', name: 'format'}, FORMATS.map(([v, t]) => h('option', {value: v}, t)));
  const conflict = h('select', {id: 'import-conflict', name: 'onConflict'},
    [['skip', 'Skip'], ['rename', 'Rename'], ['fail', 'Fail the row']].map(([v, t]) => h('option', {value: v}, t)));
  const start = h('button', {type: 'submit', class: 'btn', id: 'import-submit'}, 'Import');
  const bar = h('progress', {id: 'import-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Import progress'});
  const status = h('p', {class: 'muted', role: 'status', id: 'import-status'});
  const form = h('form', {class: 'filters', id: 'import-form', 'aria-label': 'Import links'},
    h('div', {class: 'field'}, h('label', {for: 'import-file'}, 'File'), file),
    h('div', {class: 'field'}, h('label', {for: 'import-format'}, 'Format'), format),
    h('div', {class: 'field'}, h('label', {for: 'import-conflict'}, 'Taken slug'), conflict),
    h('div', {class: 'actions'}, start));
  const exports = h('div', {class: 'actions'},
    h('button', {type: 'button', class: 'btn ghost', id: 'export-csv', onclick: () => download('csv')}, 'Export CSV'),
    h('button', {type: 'button', class: 'btn ghost', id: 'export-json', onclick: () => download('json')}, 'Export JSON'));
  let current = null;
  let timer = 0;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) {
      fill(status, 'Choose a file first.');
      return;
    }
    start.disabled = true;
    fill(status, 'Uploading…');
    try {
      const res = await fetch(`/api/v1/imports?format=${format.value}&onConflict=${conflict.value}`, {method: 'POST',
        headers: {'X-Api-Key': session.key ?? '', 'Content-Type': f.type || 'text/csv'}, body: f, credentials: 'omit'});
      const body = await res.json();
      if (res.status !== 202) throw new ApiError(res.status, body);
      current = body.id;
      show(body);
      poll();
    } catch (err) {
      fill(status, `Import refused: ${err.message}`);
      start.disabled = false;
    }
  });

  function show(job) {
    const total = job.total ?? 0;
    bar.hidden = false;
    bar.max = Math.max(total, 1);
    bar.value = total ? job.processed : 0;
    const counts = `${fmtNumber(job.imported)} imported, ${fmtNumber(job.skipped)} skipped, ${fmtNumber(job.failed)} failed`;
    const of = total ? ` of ${fmtNumber(total)}` : '';
    const failed = job.failed > 0
      ? h('button', {type: 'button', class: 'btn small', id: 'import-failed', onclick: () => failures(job.id)}, 'Failed rows (CSV)') : null;
    fill(status, `${job.status}: ${fmtNumber(job.processed)}${of} rows — ${counts}${job.error ? ` (${job.error})` : ''} `, failed);
    if (['done', 'failed', 'cancelled'].includes(job.status)) {
      clearTimeout(timer);
      current = null;
      start.disabled = false;
      onDone(job);
    }
  }

  async function poll() {
    if (!current) return;
    try {
      show(await api(`/api/v1/imports/${current}`));
    } catch {
      // the next poll or frame will tell
    }
    if (current) timer = setTimeout(poll, 1000);
  }

  async function failures(id) {
    const {blob, name} = await apiBlob(`/api/v1/imports/${id}/failed`);
    saveBlob(blob, name ?? `kurz-import-${id}-failed.csv`);
  }

  async function download(kind) {
    try {
      const {blob, name} = await apiBlob(`/api/v1/links/export?format=${kind}`);
      saveBlob(blob, name ?? `kurz-links.${kind}`);
    } catch (err) {
      fill(status, `Export failed: ${err.message}`);
    }
  }

  const stopFrames = live.onFrame((f) => {
    if (f.type === 'import' && f.job?.id === current) show(f.job);
  });

  const card = h('section', {class: 'card', 'aria-labelledby': 'import-heading'},
    h('h2', {id: 'import-heading'}, 'Import and export'), form, bar, status, exports);
  return [card, () => {
    stopFrames();
    clearTimeout(timer);
  }];
}
