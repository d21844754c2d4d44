// Measures `doi prepare` for 10,000 recipients against a running Worker
// (`cargo xtask dev`, or DOI_URL): imports 10,000 fresh consents with
// `doi import` (a plain CSV), then prepares a campaign for them, and prints
// the calls and wall time of each from `doi`'s own summary lines.
//
//   cargo build --release -p doi-cli
//   node crates/cli/bench/prepare-10k.mjs [N]
//
// DOI_CLI (default target/release/doi), DOI_URL (default
// http://127.0.0.1:8787) and DOI_API_TOKEN (default: the local one of
// .dev.vars.example) say what to run against. Bounded: one import and one
// prepare, nothing else; 127.0.0.1 unless DOI_URL says otherwise.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";

const root = new URL("../../../", import.meta.url).pathname;
const n = Number(process.argv[2] ?? 10_000);
const bin = process.env.DOI_CLI ?? `${root}target/release/doi`;
const token =
  process.env.DOI_API_TOKEN ??
  readFileSync(`${root}.dev.vars.example`, "utf8").match(/^DOI_API_TOKEN=(.*)$/m)[1].trim();
const env = { PATH: process.env.PATH, DOI_URL: process.env.DOI_URL ?? "http://127.0.0.1:8787", DOI_API_TOKEN: token };
const dir = mkdtempSync(`${tmpdir()}/doi-bench-`);
const run = randomBytes(4).toString("hex");
const emails = Array.from({ length: n }, (_, i) => `bench-${run}-${i}@example.com`);

writeFileSync(`${dir}/consents.csv`, `email,consented_at\n${emails.map((e) => `${e},2024-05-06T07:08:09Z`).join("\n")}\n`);
writeFileSync(`${dir}/recipients.csv`, `email\n${emails.join("\n")}\n`);

function doi(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(bin, args, { env, encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    console.error(result.stderr);
    throw new Error(`doi ${args[0]} exited ${result.status}`);
  }
  const calls = Number(result.stderr.match(/; (\d+) calls in/)?.[1]);
  return { seconds, calls, summary: result.stderr.split("\n")[0] };
}

const imported = doi([
  "import", `${dir}/consents.csv`, "--list", "newsletter", "--topics", "tips",
  "--consent-text", "Yes, send me practical tips by email.", "--locale", "en",
]);
const prepared = doi([
  "prepare", `${dir}/recipients.csv`, "--list", "newsletter", "--topic", "tips",
  "--locale", "ja", "-o", `${dir}/campaign.csv`,
]);
console.log(`| doi ${n.toLocaleString("en")} recipients | calls | wall time | per call |`);
console.log("|---|---:|---:|---:|");
for (const [what, r] of [["import", imported], ["prepare", prepared]]) {
  console.log(`| ${what} | ${r.calls} | ${r.seconds.toFixed(1)} s | ${((r.seconds / r.calls) * 1000).toFixed(0)} ms |`);
}
console.log(`\n${imported.summary}\n${prepared.summary}\n(files in ${dir})`);
