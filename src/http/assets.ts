// The pages' one stylesheet and one small script (drag and drop, live status); the pages work without the script.

export const APP_CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; line-height: 1.45; }
body { margin: 0; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 2; }
header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1.5rem; background: #0b3a5d; color: #fff; }
header.top a, header.top button.link { color: #fff; }
header.top .brand { font-weight: 700; font-size: 1.1rem; margin-right: 1rem; text-decoration: none; }
header.top nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header.top .who { margin-left: auto; display: flex; gap: 1rem; align-items: center; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #d1d9e0; }
th { background: #f6f8fa; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
code { overflow-wrap: anywhere; }
.muted { color: #59636e; }
.valid, .ok { color: #1a7f37; font-weight: 600; }
.invalid, .bad { color: #cf222e; font-weight: 600; }
.error { color: #8250df; font-weight: 600; }
.pending { color: #9a6700; }
.sev-error { color: #cf222e; font-weight: 600; }
.sev-warning { color: #9a6700; font-weight: 600; }
.sev-info { color: #0969da; }
.notice { padding: .75rem 1rem; border-left: 4px solid #0969da; background: #ddf4ff; margin: 1rem 0; }
.notice.warn { border-color: #9a6700; background: #fff8c5; }
.notice.bad { border-color: #cf222e; background: #ffebe9; color: #1f2328; font-weight: normal; }
form.stack { display: grid; gap: .75rem; max-width: 40rem; }
label { font-weight: 600; }
input[type=text], input[type=password], select, textarea { font: inherit; padding: .4rem; border: 1px solid #8c959f; border-radius: .3rem; width: 100%; box-sizing: border-box; }
button, .button { font: inherit; padding: .45rem 1rem; border-radius: .3rem; border: 1px solid #1f6feb; background: #1f6feb; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: #1f6feb; }
button.danger { background: #cf222e; border-color: #cf222e; }
button.link { background: none; border: none; padding: 0; text-decoration: underline; cursor: pointer; }
.dropzone { border: 2px dashed #8c959f; border-radius: .5rem; padding: 1.5rem; text-align: center; }
.dropzone.over { border-color: #1f6feb; background: #ddf4ff; }
.dropzone input[type=file] { display: block; margin: .75rem auto 0; }
.source { margin: .25rem 0 0; padding: .5rem; background: #f6f8fa; border-radius: .3rem; overflow-x: auto; }
.source .ln { display: inline-block; min-width: 3.5rem; color: #59636e; user-select: none; }
.source .line { display: block; white-space: pre; }
.source .hit { background: #ffebe9; }
.bar { display: inline-block; width: 8rem; height: .6rem; background: #d1d9e0; border-radius: .3rem; vertical-align: middle; overflow: hidden; }
.bar span { display: block; height: 100%; background: #1a7f37; }
.key { font-size: 1.1rem; padding: .75rem; background: #fff8c5; border: 1px solid #9a6700; word-break: break-all; }
fieldset { border: 1px solid #d1d9e0; border-radius: .3rem; }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
@media print { header.top, form, .noprint { display: none; } main { max-width: none; } }
`;

/**
 * Progressive enhancement only: dropped files go into the form's own file input (so the form
 * submits as it would without script), and rows not done yet are refreshed from the API.
 */
export const APP_JS = `
(function () {
  'use strict';
  document.querySelectorAll('.dropzone').forEach(function (zone) {
    var input = zone.querySelector('input[type=file]');
    var list = zone.querySelector('.chosen');
    function show() {
      if (!list) return;
      list.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(', ');
    }
    input.addEventListener('change', show);
    zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      zone.classList.remove('over');
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
    });
  });
  var table = document.querySelector('[data-live-uploads]');
  if (!table) return;
  function pending() {
    return Array.prototype.filter.call(table.querySelectorAll('tr[data-id]'), function (r) { return r.getAttribute('data-state') !== 'done'; });
  }
  function tick() {
    var rows = pending();
    if (!rows.length) return;
    var ids = rows.map(function (r) { return r.getAttribute('data-id'); }).join(',');
    fetch('/api/v1/documents?ids=' + encodeURIComponent(ids), { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        body.documents.forEach(function (d) {
          var row = table.querySelector('tr[data-id="' + d.id + '"]');
          if (!row) return;
          row.setAttribute('data-state', d.state);
          var labels = JSON.parse(table.getAttribute('data-labels'));
          var state = row.querySelector('.state');
          if (state) state.textContent = labels[d.state] || d.state;
          var verdict = row.querySelector('.verdict');
          if (verdict && d.verdict) {
            verdict.textContent = (labels[d.verdict] || d.verdict) + (d.errors ? ' (' + d.errors + ')' : '');
            verdict.className = 'verdict ' + d.verdict;
          }
          var sub = row.querySelector('.submission');
          if (sub && d.submission) sub.textContent = d.submission.outcome;
        });
      })
      .catch(function () {})
      .then(function () { setTimeout(tick, 1500); });
  }
  setTimeout(tick, 1000);
})();
`;
