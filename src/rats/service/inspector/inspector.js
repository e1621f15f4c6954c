// The report inspector (docs/inspect.md): reads what the person pastes or drops, POSTs it to
// /v1/inspect and renders the answer. Every value goes into the page as text (textContent),
// never as markup; the Content-Security-Policy allows no inline script either.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  // el('td', {class: 'x'}, 'text', child...): an element with attributes and text children.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  // A file's bytes as the request carries them: text files as they are (hex, base64, PEM,
  // JSON), anything else as base64.
  function isText(bytes) {
    for (const b of bytes) {
      if (!(b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))) return false;
    }
    return bytes.length > 0;
  }
  function toBase64(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }
  async function fileText(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return isText(bytes) ? new TextDecoder().decode(bytes) : toBase64(bytes);
  }

  let evidenceFromFile = null;  // the last dropped or chosen file, until something is pasted
  let vcekFromFile = null;
  let collateralFromFile = null;

  function showError(message) {
    const box = $('error');
    box.textContent = message ? 'veritee: ' + message : '';
    box.hidden = !message;
  }

  async function inspect() {
    const evidence = evidenceFromFile !== null ? evidenceFromFile : $('evidence-text').value.trim();
    if (!evidence) {
      showError('no evidence: choose or drop a file, or paste a report');
      return;
    }
    const body = { evidence };
    const vcek = vcekFromFile !== null ? vcekFromFile : $('vcek-text').value.trim();
    if (vcek) body.vcek = vcek;
    if (collateralFromFile !== null) body.collateral = collateralFromFile;
    if ($('product').value) body.product = $('product').value;
    if ($('appraise').checked) body.appraise = true;
    $('status').textContent = 'Inspecting…';
    let response, answer;
    try {
      response = await fetch('/v1/inspect', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
      answer = await response.json();
    } catch (e) {
      $('status').textContent = '';
      showError('the server did not answer: ' + e.message);
      return;
    }
    $('status').textContent = '';
    if (!response.ok) {
      $('results').hidden = true;
      showError(answer && answer.error ? answer.error : 'HTTP ' + response.status);
      return;
    }
    showError('');
    render(answer);
  }

  function copyButton(label, text) {
    const b = el('button', { type: 'button', class: 'copy', 'aria-label': 'Copy ' + label }, 'Copy');
    b.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(text);
        b.textContent = 'Copied';
      } catch (e) {
        b.textContent = 'Copy failed';
      }
      setTimeout(() => { b.textContent = 'Copy'; }, 1500);
    });
    return b;
  }

  function hex(value, label, id) {
    const span = el('span', { class: 'hex', id: id }, value);
    return label ? [span, copyButton(label, value)] : [span];
  }

  // A group of fields: [spec name, value node(s) or text].
  function group(title, rows) {
    const dl = el('dl', { class: 'fields' });
    for (const [name, value] of rows) {
      if (value === undefined) continue;
      const dd = el('dd', {});
      for (const v of [].concat(value)) dd.append(v instanceof Node ? v : document.createTextNode(String(v)));
      dl.append(el('dt', {}, name), dd);
    }
    return [el('h2', {}, title), dl];
  }

  // Named bits as chips: set ones highlighted, clear ones struck through.
  function chips(obj, skip, label) {
    const ul = el('ul', { class: 'chips', 'aria-label': label });
    for (const [k, v] of Object.entries(obj)) {
      if (skip.includes(k) || typeof v !== 'boolean') continue;
      ul.append(el('li', { class: 'chip ' + (v ? 'on' : 'off'), 'data-bit': k },
        k.toUpperCase() + (v ? '' : ' (clear)')));
    }
    return ul;
  }

  const TCB_PARTS = [['fmc', 'FMC'], ['boot_loader', 'BOOT_LOADER'], ['tee', 'TEE'], ['snp', 'SNP'], ['microcode', 'MICROCODE']];

  function tcbTable(show, certificate) {
    const rows = [['CURRENT_TCB', show.current_tcb], ['REPORTED_TCB', show.reported_tcb],
      ['COMMITTED_TCB', show.committed_tcb], ['LAUNCH_TCB', show.launch_tcb]];
    const parts = TCB_PARTS.filter(([k]) => k !== 'fmc' || (show.reported_tcb && 'fmc' in show.reported_tcb));
    const head = el('tr', {}, el('th', { scope: 'col' }, 'TCB'), el('th', { scope: 'col' }, 'raw'),
      ...parts.map(([, n]) => el('th', { scope: 'col' }, n)));
    const body = el('tbody', {});
    for (const [name, t] of rows) {
      const tr = el('tr', { 'data-tcb': name }, el('th', { scope: 'row' }, name), el('td', { class: 'hex' }, t.raw));
      for (const [k] of parts) tr.append(el('td', {}, t.decoded ? t[k] : '?'));
      body.append(tr);
    }
    const notes = [];
    if (!show.reported_tcb.decoded) notes.push(el('p', {}, 'TCBs not decoded: ' + show.reported_tcb.reason));
    if (certificate && certificate.tcb) {
      const tr = el('tr', { 'data-tcb': 'certificate' },
        el('th', { scope: 'row' }, (certificate.piece || 'VCEK') + ' certificate'), el('td', {}, ''));
      const mismatched = [];
      for (const [k, n] of parts) {
        const cert = certificate.tcb[k];
        const differs = show.reported_tcb.decoded && cert !== undefined && cert !== show.reported_tcb[k];
        if (differs) mismatched.push(n + ': certificate ' + cert + ', REPORTED_TCB ' + show.reported_tcb[k]);
        tr.append(el('td', differs ? { class: 'mismatch', title: 'differs from REPORTED_TCB' } : {},
          cert === undefined ? '-' : (differs ? '≠ ' + cert : cert)));
      }
      body.append(tr);
      notes.push(mismatched.length
        ? el('p', { class: 'mismatch-note', id: 'tcb-mismatch' }, 'The certificate was issued for another TCB than REPORTED_TCB: ' + mismatched.join('; '))
        : el('p', { id: 'tcb-match' }, 'The certificate\'s TCB equals REPORTED_TCB.'));
    }
    return [el('h2', {}, 'TCB'),
      el('div', { class: 'scroll' }, el('table', { id: 'tcb' }, el('thead', {}, head), body)), ...notes];
  }

  function renderChecks(verify) {
    const tbody = $('checks').querySelector('tbody');
    tbody.replaceChildren();
    if (verify.error) {
      tbody.append(el('tr', {}, el('td', {}, el('span', { class: 'badge fail' }, 'ERROR')), el('td', {}, '-'),
        el('td', { class: 'detail', id: 'verify-error' }, verify.error)));
      return;
    }
    for (const c of verify.checks || []) {
      tbody.append(el('tr', { 'data-check': c.id, 'data-status': c.status },
        el('td', {}, el('span', { class: 'badge ' + c.status }, c.status.toUpperCase())),
        el('td', {}, el('code', {}, c.id)),
        el('td', { class: 'detail' }, c.detail)));
    }
  }

  function renderSnp(a) {
    const s = a.show;
    const fields = [];
    fields.push(...group('Report', [
      ['VERSION', s.version + (s.version_known ? '' : ' (unknown version: layout not trusted)')],
      ['PRODUCT', el('span', { id: 'product-name' }, s.product || 'unknown')],
      ['evidence', s.evidence.encoding + ', ' + s.evidence.container + ' (report at ' + s.evidence.report_offset + ')'],
      ['GUEST_SVN', s.guest_svn],
      ['VMPL', s.vmpl],
      ['SIGNATURE_ALGO', s.signature_algo + (s.signature_algo === 1 ? ' (ECDSA P-384 SHA-384)' : ' (unknown)')],
    ]));
    fields.push(...group('POLICY', [
      ['raw', el('span', { class: 'hex' }, s.policy.raw)],
      ['ABI', s.policy.abi_major + '.' + s.policy.abi_minor],
      ['bits', chips(s.policy, ['raw', 'abi_major', 'abi_minor', 'mbz_clear'], 'POLICY bits')],
      ['MBZ', s.policy.mbz_clear ? 'clear' : 'SET (must be zero)'],
    ]));
    fields.push(...group('Launch and identity', [
      ['MEASUREMENT', hex(s.measurement, 'MEASUREMENT', 'measurement')],
      ['HOST_DATA', hex(s.host_data)],
      ['FAMILY_ID', hex(s.family_id)],
      ['IMAGE_ID', hex(s.image_id)],
      ['ID_KEY_DIGEST', hex(s.id_key_digest)],
      ['AUTHOR_KEY_DIGEST', hex(s.author_key_digest)],
      ['REPORT_DATA', hex(s.report_data, 'REPORT_DATA', 'report-data')],
      ['REPORT_ID', hex(s.report_id)],
      ['REPORT_ID_MA', hex(s.report_id_ma)],
    ]));
    fields.push(...group('Platform', [
      ['PLATFORM_INFO', [el('span', { class: 'hex' }, s.platform_info.raw), chips(s.platform_info, ['raw'], 'PLATFORM_INFO bits')]],
      ['KEY_INFO', [el('span', { class: 'hex' }, s.key_info.raw), ' SIGNING_KEY=' + s.key_info.signing_key,
        chips(s.key_info, ['raw', 'signing_key'], 'KEY_INFO bits')]],
      ['CPUID', s.cpuid ? 'family ' + s.cpuid.family + ' model ' + s.cpuid.model + ' stepping ' + s.cpuid.stepping +
        (s.cpuid.model_name ? ' (' + s.cpuid.model_name + ')' : '') : undefined],
      ['CHIP_ID', hex(s.chip_id, 'CHIP_ID', 'chip-id')],
      ['CURRENT_VERSION', s.current_version.text],
      ['COMMITTED_VERSION', s.committed_version.text],
      ['LAUNCH_MIT_VECTOR', s.launch_mit_vector === null ? undefined : s.launch_mit_vector],
      ['CURRENT_MIT_VECTOR', s.current_mit_vector === null ? undefined : s.current_mit_vector],
    ]));
    fields.push(...tcbTable(s, a.certificate));
    fields.push(...group('Signature', [['SIGNATURE_R', hex(s.signature.r)], ['SIGNATURE_S', hex(s.signature.s)]]));
    if (s.findings.length) {
      const ul = el('ul', { id: 'findings' });
      for (const f of s.findings) ul.append(el('li', {}, f.severity + ' ' + f.id + ': ' + f.message));
      fields.push(el('h2', {}, 'Findings'), ul);
    }
    $('fields').replaceChildren(...fields);
    return { product: s.product, measurement: s.measurement };
  }

  // A DCAP quote: the JSON `show` prints, as nested groups of its own field names.
  function renderDcap(a) {
    const out = [];
    const walk = (title, obj) => {
      const rows = [];
      const nested = [];
      for (const [k, v] of Object.entries(obj)) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) nested.push([k, v]);
        else rows.push([k, typeof v === 'string' && /^[0-9a-f]{16,}$/.test(v) ? hex(v) : JSON.stringify(v)]);
      }
      if (rows.length) out.push(...group(title, rows));
      for (const [k, v] of nested) walk(title + ' / ' + k, v);
    };
    walk('DCAP quote', a.show);
    $('fields').replaceChildren(...out);
    const tee = a.show.header && a.show.header.tee;
    return { product: 'Intel ' + (tee ? tee.toUpperCase() : 'DCAP') + ' (DCAP quote)', measurement: null };
  }

  function render(a) {
    const v = a.verify;
    const facts = a.kind === 'snp' ? renderSnp(a) : renderDcap(a);
    renderChecks(v);
    const verdict = v.error ? 'NOT verified: ' + v.error : v.verified ? 'verified' : 'NOT verified';
    const summary = [el('p', { class: 'verdict ' + (v.verified ? 'pass' : 'fail'), id: 'verdict' }, verdict),
      el('p', {}, 'Product: ', el('strong', { id: 'summary-product' }, facts.product || 'unknown'))];
    if (v.policy) {
      summary.push(el('p', { id: 'appraisal' }, 'Policy ' + v.policy.id + ': ' +
        (!v.policy.appraised ? 'not appraised (the evidence is not authentic)' : v.policy.passed ? 'met' : 'FAILED')));
    }
    $('summary').replaceChildren(...summary);
    const policy = a.policy || {};
    $('policy').replaceChildren(...(policy.toml
      ? [copyButton('policy', policy.toml), el('pre', { id: 'policy-toml' }, policy.toml)]
      : [el('p', { id: 'policy-note' }, policy.note || 'no policy')]));
    $('show-json').textContent = JSON.stringify(a.show, null, 2);
    $('verify-json').textContent = JSON.stringify(v, null, 2);
    $('results').hidden = false;
    $('results-title').focus();
  }

  function init() {
    $('results-title').setAttribute('tabindex', '-1');
    $('input').addEventListener('submit', (e) => { e.preventDefault(); inspect(); });
    $('evidence-file').addEventListener('change', async (e) => {
      const f = e.target.files[0];
      if (!f) return;
      evidenceFromFile = await fileText(f);
      e.target.value = '';  // choosing the same file again is a new inspection
      $('evidence-text').value = '';
      inspect();
    });
    $('evidence-text').addEventListener('input', () => { evidenceFromFile = null; });
    $('vcek-file').addEventListener('change', async (e) => {
      const f = e.target.files[0];
      vcekFromFile = f ? await fileText(f) : null;
      e.target.dataset.loaded = f ? f.name : '';
    });
    $('vcek-text').addEventListener('input', () => { vcekFromFile = null; });
    $('collateral-file').addEventListener('change', async (e) => {
      const f = e.target.files[0];
      collateralFromFile = f ? new TextDecoder().decode(await f.arrayBuffer()) : null;
      e.target.dataset.loaded = f ? f.name : '';
    });
    const drop = $('drop');
    for (const t of ['dragenter', 'dragover']) {
      drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add('over'); });
    }
    for (const t of ['dragleave', 'drop']) {
      drop.addEventListener(t, () => drop.classList.remove('over'));
    }
    drop.addEventListener('drop', async (e) => {
      e.preventDefault();
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (!f) return;
      evidenceFromFile = await fileText(f);
      $('evidence-text').value = '';
      inspect();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
