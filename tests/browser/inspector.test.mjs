// The report inspector in Debian's chromium, headless, driven by puppeteer-core (run.sh sets
// it up): `veritee serve` on a free loopback port, a corpus report dropped through the file
// input and compared with `veritee show --json` / `verify --json` / `policy from-report` for the
// same file, a pasted base64 report, a truncated report and garbage answered with the CLI's own
// error, markup in REPORT_DATA shown as hex only, the CSP header, no request leaving loopback,
// no horizontal scrolling at 360 px, any console or page error failing the test. Saves a
// screenshot of a Turin report (docs/inspector.png comes from it).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const require = createRequire(path.join(args.deps, 'package.json'));
const puppeteer = require('puppeteer-core');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'veritee-browser-'));
const corpus = (rel) => path.join(args.corpus, rel);
const TURIN = 'ms-tee-attestation-verification/turin_attestation_report.bin';
const TURIN_VCEK = 'ms-tee-attestation-verification/turin_vcek.pem';
const BASE64 = 'constellation/aws-snp/report.txt';
// One verification time for the server and the CLI (the validity check's sentence names it).
const AT = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function cli(...argv) {
  const r = spawnSync(args.veritee, argv, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function cliJson(...argv) {
  const r = cli(...argv);
  assert.ok(r.stdout, `veritee ${argv.join(' ')} printed nothing: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
// The CLI's error for a file, without "veritee: PATH: ": what the page must show.
function cliError(file) {
  const r = cli('show', file);
  assert.equal(r.code, 2, r.stderr);
  const prefix = `veritee: ${file}: `;
  assert.ok(r.stderr.startsWith(prefix), r.stderr);
  return r.stderr.slice(prefix.length).trim();
}

// `veritee serve` offline on 127.0.0.1, any free port; its stderr (the request log) kept.
async function startServe() {
  const policy = path.join(tmp, 'policy.toml');
  fs.writeFileSync(policy, 'require_nonce = false\n');
  const child = spawn(args.veritee, ['serve', '--listen', '127.0.0.1:0', '--policy', policy,
    '--state-dir', path.join(tmp, 'state'), '--offline', '--cache-dir', path.join(tmp, 'cache'), '--at', AT],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8');
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not start: ' + log)), 20000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${log}`)));
  });
  return { child, port, log: () => log };
}

const serve = await startServe();
const base = `http://127.0.0.1:${serve.port}`;
const browser = await puppeteer.launch({
  executablePath: args.chromium,
  headless: true,
  userDataDir: path.join(tmp, 'profile'),
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
    '--disable-features=Translate,OptimizationHints,MediaRouter', '--metrics-recording-only',
    '--no-default-browser-check'],
});
let failed = false;
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 900 });
  const errors = [];
  let expectedHttpErrors = 0;  // "Failed to load resource" for the 400s this test provokes
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/Failed to load resource: the server responded with a status of 400/.test(m.text()) && expectedHttpErrors > 0) {
      expectedHttpErrors--;
      return;
    }
    errors.push('console error: ' + m.text());
  });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));

  // The page, its headers.
  const response = await page.goto(base + '/', { waitUntil: 'networkidle0' });
  assert.equal(response.status(), 200);
  const csp = response.headers()['content-security-policy'] || '';
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(d), `CSP lacks ${d}: ${csp}`);
  }
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');

  const waitResult = async (previous) => {
    await page.waitForFunction((prev) => {
      const r = document.getElementById('results');
      const v = document.getElementById('verify-json');
      return r && !r.hidden && v && v.textContent && v.textContent !== prev;
    }, { timeout: 20000 }, previous || '');
    return page.$eval('#verify-json', (e) => e.textContent);
  };
  const text = (sel) => page.$eval(sel, (e) => e.textContent);

  // 1. A Turin report and its VCEK through the file inputs.
  const turin = corpus(TURIN);
  const show = cliJson('show', '--json', turin);
  const verify = cliJson('verify', '--json', '--offline', '--at', AT, '--vcek', corpus(TURIN_VCEK), turin);
  const vcekInput = await page.$('#vcek-file');
  await vcekInput.uploadFile(corpus(TURIN_VCEK));
  await page.waitForFunction(() => document.getElementById('vcek-file').dataset.loaded, { timeout: 5000 });
  const fileInput = await page.$('#evidence-file');
  await fileInput.uploadFile(turin);
  let shown = await waitResult();
  assert.equal(await text('#measurement'), show.measurement);
  assert.equal(await text('#summary-product'), show.product);
  assert.equal(await text('#product-name'), show.product);
  assert.equal(await text('#chip-id'), show.chip_id);
  assert.equal(await text('#report-data'), show.report_data);
  const rows = await page.$$eval('#checks tbody tr', (trs) => trs.map((tr) => [tr.dataset.check, tr.dataset.status,
    tr.querySelector('.detail').textContent]));
  assert.deepEqual(rows, verify.checks.map((c) => [c.id, c.status, c.detail]));
  assert.equal(await text('#verdict'), verify.verified ? 'verified' : 'NOT verified');
  assert.ok(await page.$('#tcb-match'), 'the certificate TCB should equal REPORTED_TCB');
  const chips = await page.$$eval('.chip.on', (cs) => cs.map((c) => c.dataset.bit));
  for (const [k, v] of Object.entries(show.policy)) if (v === true && k !== 'mbz_clear') assert.ok(chips.includes(k), `POLICY chip ${k}`);
  // "policy from this report" is `policy from-report`'s text (its header names the source).
  const toml = cli('policy', 'from-report', '--offline', '--at', AT, '--vcek', corpus(TURIN_VCEK), turin);
  assert.equal(toml.code, 0, toml.stderr);
  assert.equal(await text('#policy-toml'), toml.stdout.split(turin).join('submitted to the inspector'));
  fs.mkdirSync(args.out, { recursive: true });
  await page.screenshot({ path: path.join(args.out, 'inspector.png'), fullPage: true });

  // 2. A base64 report pasted, submitted from the keyboard (Tab to the button, Enter).
  const b64 = corpus(BASE64);
  const b64show = cliJson('show', '--json', b64);
  await page.$eval('#evidence-text', (e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }, fs.readFileSync(b64, 'utf8'));
  await page.focus('#evidence-text');
  for (let i = 0; i < 10 && await page.evaluate(() => document.activeElement.id) !== 'inspect'; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'inspect', 'the Inspect button is reachable by Tab');
  await page.keyboard.press('Enter');
  shown = await waitResult(shown);
  assert.equal(await text('#measurement'), b64show.measurement);

  // 3. A truncated report and garbage: the CLI's error, and the page still works afterwards.
  const paste = async (value) => {
    await page.$eval('#evidence-text', (e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }, value);
    await page.click('#inspect');
  };
  const errorShown = async (want) => {
    await page.waitForFunction((w) => {
      const e = document.getElementById('error');
      return e && !e.hidden && e.textContent === w;
    }, { timeout: 10000 }, 'veritee: ' + want).catch(async () => {
      assert.fail(`error box shows "${await text('#error')}", want "veritee: ${want}"`);
    });
  };
  const truncated = fs.readFileSync(b64, 'utf8').trim().slice(0, 400);
  fs.writeFileSync(path.join(tmp, 'truncated.txt'), truncated);
  expectedHttpErrors++;
  await paste(truncated);
  await errorShown(cliError(path.join(tmp, 'truncated.txt')));
  const garbage = 'this is not a report <img src=x id=injected>';
  fs.writeFileSync(path.join(tmp, 'garbage.txt'), garbage);
  expectedHttpErrors++;
  await paste(garbage);
  await errorShown(cliError(path.join(tmp, 'garbage.txt')));
  assert.equal(await page.$('#injected'), null, 'an error message cannot inject markup');

  // 4. Markup in REPORT_DATA is shown as its hex, never parsed.
  const report = Buffer.from(fs.readFileSync(turin));
  const markup = Buffer.alloc(64);
  Buffer.from('<script>window.pwned=1</script><img src=x onerror=pwned=2>').copy(markup);
  markup.copy(report, 0x50);
  await paste(report.toString('base64'));
  shown = await waitResult(shown);
  assert.equal(await text('#report-data'), markup.toString('hex'));
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.$$eval('script', (s) => s.length), 1);
  assert.equal(await page.$$eval('img', (s) => s.length), 0);
  assert.ok((await page.$$eval('#checks tr[data-status=fail]', (r) => r.length)) > 0, 'the altered report fails its signature check');

  // 5. 360 px wide: no horizontal scrolling with a full result shown.
  await fileInput.uploadFile(turin);
  shown = await waitResult(shown);
  await page.setViewport({ width: 360, height: 740 });
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `horizontal scroll at 360 px: content ${widths[0]} px wide`);

  // 6. Nothing left loopback; nothing the page was given reached the server's log.
  for (const u of requests) assert.ok(u.startsWith(base + '/') || u.startsWith('data:'), 'request left the page origin: ' + u);
  const log = serve.log();
  for (const secret of [show.measurement, b64show.measurement, report.toString('base64').slice(0, 40), 'this is not a report']) {
    assert.ok(!log.includes(secret), 'the service log holds submitted data: ' + secret.slice(0, 20));
  }
  assert.ok(log.includes('"path":"/v1/inspect"'), 'the request log has the inspect requests');

  assert.deepEqual(errors, [], 'console or page errors');
  assert.equal(expectedHttpErrors, 0, 'the provoked 400s were reported');
  console.log(`ok: inspector at ${base}: ${rows.length} checks compared, screenshot ${path.join(args.out, 'inspector.png')}`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  serve.child.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
