// bench/run's DCAP peer: @phala/dcap-qvl's verify(quote, collateral, now) on one quote and its
// collateral JSON, timed after warm-up. Prints one JSON line: ok, status, ms_per_verify, n,
// warmup (or ok: false and error). Usage: node run_dcap_qvl.mjs QUOTE COLLATERAL UNIX_TIME
// (N and WARMUP from the environment).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { verify } = require("@phala/dcap-qvl");

const [quotePath, collateralPath, at] = process.argv.slice(2);
const n = Number(process.env.N || 200);
const warmup = Number(process.env.WARMUP || 20);
try {
  const quote = new Uint8Array(readFileSync(quotePath));
  const collateral = JSON.parse(readFileSync(collateralPath, "utf8"));
  const now = Number(at);
  let status;
  for (let i = 0; i < warmup; i++) status = verify(quote, collateral, now).status;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) status = verify(quote, collateral, now).status;
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ ok: true, status, ms_per_verify: ns / n / 1e6, n, warmup }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.message ? e.message : e) }));
}
