// The Worker's data for `cargo xtask bench`, through its HTTP API only
// (docs/api.md), against a `wrangler dev` with fresh local KV:
//
//   node bench/worker-data.mjs scale --worker URL [--sizes 1000,10000]
//     seeds subscribers through POST /v1/import (the largest batches) and times,
//     at each size: import, /v1/check with the most addresses a call takes, exporting everyone
//     through the cursor, and the scheduled snapshot rebuild.
//   node bench/worker-data.mjs prepare --worker URL --out DIR
//     writes what the wrk scripts send: unsubscribe tokens for the seeded
//     subscribers, a consent record template, check bodies, the API token,
//     and the JS baseline's pages (see baselinePages).
import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { bytes, devVar, head, median, ms, option, ratio, row, section, text } from "./lib.mjs";

const WORKER = option("worker");
if (!WORKER) throw new Error("--worker URL is required");
const TOKEN = devVar("DOI_API_TOKEN");
const LIST = "newsletter";
/** The most one import or check call takes (`crates/core/src/limits.rs`). */
const limit = (name) =>
  Number(readFileSync(new URL("../crates/core/src/limits.rs", import.meta.url), "utf8")
    .match(new RegExp(`pub const ${name}: usize = (\\d+);`))[1]);
const BATCH = limit("CHANGE_BATCH");
const CHECK_BATCH = limit("CHECK_BATCH");

/** The address of seeded subscriber `i`. */
const email = (i) => `reader.${i}@scale.example`;

async function api(method, path, body) {
  const response = await fetch(WORKER + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${answer.slice(0, 300)}`);
  return { response, answer };
}

async function timed(fn) {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}

/**
 * Imports subscribers `from`..`to` (exclusive) in the largest batches; the median
 * time per batch (with its retries) and calls per batch.
 */
async function seed(from, to, consentText) {
  const times = [];
  const calls500 = [];
  for (let start = from; start < to; start += BATCH) {
    const records = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) {
      records.push({
        email: email(i),
        list: LIST,
        topics: ["product", "tips"],
        consented_at: Date.now() - 86_400_000,
        source: "bench: seeded by cargo xtask bench",
        consent_text: consentText,
        locale: "ja",
      });
    }
    // A call may stop early to stay within a Worker's 1,000 KV operations;
    // it marks the rest `retry_later`, and a sender sends those again.
    let pending = records;
    let took = 0;
    let calls = 0;
    while (pending.length > 0) {
      const sent = pending;
      const { ms: callMs, result } = await timed(() => api("POST", "/v1/import", { records: sent }));
      took += callMs;
      calls++;
      const { skipped = [] } = JSON.parse(result.answer);
      const other = skipped.filter((s) => s.code !== "retry_later");
      if (other.length > 0) throw new Error(`import refused records: ${JSON.stringify(other.slice(0, 3))}`);
      pending = skipped.map((s) => sent[s.index]);
      if (calls > 10) throw new Error("import keeps asking to retry");
    }
    times.push(took);
    calls500.push(calls);
  }
  return { ms: median(times), calls: median(calls500) };
}

const checkBody = (count, offset = 0) => ({
  list: LIST,
  topic: "product",
  emails: Array.from({ length: count }, (_, i) => email(offset + i)),
});

/** The largest export page the Worker serves (docs/api.md). */
const EXPORT_LIMIT = limit("EXPORT_PAGE_MAX");

async function exportAll(limit) {
  let cursor = "";
  let lines = 0;
  let pages = 0;
  do {
    const query = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const { response, answer } = await api("GET", `/v1/export${query}`);
    lines += answer.split("\n").filter((line) => line.trim() !== "").length;
    pages++;
    cursor = response.headers.get("doi-next-cursor") ?? "";
  } while (cursor);
  return { lines, pages };
}

/** Runs the scheduled handler once, as the cron would. */
async function scheduled() {
  const path = option("scheduled", "/cdn-cgi/local/scheduled");
  const response = await fetch(WORKER + path);
  const answer = await response.text();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${answer.slice(0, 200)}`);
}

async function form(id) {
  const response = await fetch(`${WORKER}/v1/forms/${id}`, { headers: { origin: WORKER } });
  if (!response.ok) throw new Error(`GET /v1/forms/${id}: ${response.status}`);
  return response.json();
}

async function scale() {
  const sizes = option("sizes", "1000,10000").split(",").map(Number);
  const consentText = (await form(LIST)).consent_ja.text;
  const results = [];
  let seeded = 0;
  for (const size of sizes) {
    console.log(`seeding ${size - seeded} subscribers (${size} in all)`);
    const imported = await seed(seeded, size, consentText);
    seeded = size;
    const check = [];
    for (let i = 0; i < 5; i++) {
      check.push((await timed(() => api("POST", "/v1/check", checkBody(CHECK_BATCH, size - CHECK_BATCH)))).ms);
    }
    const exported = await timed(() => exportAll(EXPORT_LIMIT));
    if (exported.result.lines < size) {
      throw new Error(`export returned ${exported.result.lines} subscribers, ${size} seeded`);
    }
    const rebuild = await timed(() => scheduled());
    results.push({ size, importMs: imported.ms, importCalls: imported.calls, checkMs: median(check), exportMs: exported.ms,
      pages: exported.result.pages, rebuildMs: rebuild.ms });
    console.log(JSON.stringify(results.at(-1)));
  }
  const [small, large] = [results[0], results.at(-1)];
  section("5. Scale of the data path (wall time under wrangler dev)");
  text(`Subscribers seeded through \`POST /v1/import\` in batches of ${BATCH}; then, at`);
  text(`each size: \`POST /v1/check\` with ${CHECK_BATCH} addresses (median of 5), \`GET /v1/export\``);
  text(`through every cursor page (limit ${EXPORT_LIMIT}, the most a page may hold), and one`);
  text("cron run right after (it refolds whichever of the import's repair marks are due, within");
  text("its budget of KV operations (`repair::BUDGET`): at 10 000 the first batches' marks are).");
  text("Local KV (SQLite under workerd): time here is not time at Cloudflare's edge,");
  text("but its growth with the data is the point.");
  const sizeHeads = results.map((r) => `${bytes(r.size)} subscribers`);
  head("operation", ...sizeHeads, `growth (${bytes(small.size)} → ${bytes(large.size)})`);
  row(`import a batch of ${BATCH} (calls it took)`,
    ...results.map((r) => `${ms(r.importMs)} (${r.importCalls})`),
    ratio(large.importMs, small.importMs));
  row(`check ${CHECK_BATCH} addresses`, ...results.map((r) => ms(r.checkMs)),
    ratio(large.checkMs, small.checkMs));
  row("export everyone (pages)", ...results.map((r) => `${ms(r.exportMs)} (${r.pages})`),
    ratio(large.exportMs, small.exportMs));
  row("one cron run right after", ...results.map((r) => ms(r.rebuildMs)),
    ratio(large.rebuildMs, small.rebuildMs));
}

/** Where a page holds the link's token, and the preferences link's. */
const HOLE_UNSUBSCRIBE = "\u0000u";
const HOLE_PREFERENCES = "\u0000p";

/**
 * The baseline's pages (bench/baseline-worker/): the Rust Worker's own
 * unsubscribe page and one-click answer, with the tokens in them made holes
 * the baseline fills per request (it signs the preferences link itself), and
 * their content-security-policy. Without them the baseline answered 220 and
 * 107 bytes where the Rust Worker sends 4.7 and 4 KB: less work (one scratch
 * check had the same baseline padded to 4.7 KB at 0.92 ± 0.04 of itself under
 * `wrangler dev`, an earlier one saw no difference).
 */
async function baselinePages(token, spare) {
  const page = async (path, init) => {
    const response = await fetch(WORKER + path, init);
    const html = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    const preferences = html.match(/\/p\/([A-Za-z0-9_-]+)/)?.[1];
    if (!preferences) throw new Error(`${path}: no preferences link in the page`);
    return {
      csp: response.headers.get("content-security-policy"),
      html: html.replaceAll(preferences, HOLE_PREFERENCES),
    };
  };
  const unsubscribe = await page(`/u/${token}`);
  if (!unsubscribe.html.includes(token)) throw new Error("the unsubscribe page holds no link to itself");
  unsubscribe.html = unsubscribe.html.replaceAll(token, HOLE_UNSUBSCRIBE);
  const oneClick = await page(`/u/${spare}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
  return { unsubscribe, oneClick };
}

/** The bytes of a doi-core token for `fields`, signed with `key` (token.rs). */
function sign({ kid, issued, subscriber, list, topic = "" }, key) {
  const time = Buffer.alloc(5);
  time.writeUIntBE(issued, 0, 5);
  const body = Buffer.concat([
    Buffer.from([1, 1, kid.length]), Buffer.from(kid), time, subscriber,
    Buffer.from([list.length]), Buffer.from(list), Buffer.from([topic.length]), Buffer.from(topic),
  ]);
  const mac = createHmac("sha256", key).update("doi token v1\0").update(body).digest();
  return Buffer.concat([body, mac.subarray(0, 16)]).toString("base64url");
}

async function prepare() {
  const out = option("out");
  const count = Number(option("tokens", "10000"));
  mkdirSync(out, { recursive: true });
  // Subscriber ids come from /v1/check; the links are signed here with the
  // local key, after checking that this reproduces the Worker's own link.
  const sids = [];
  for (let start = 0; start < count; start += CHECK_BATCH) {
    const { answer } = await api("POST", "/v1/check", checkBody(Math.min(CHECK_BATCH, count - start), start));
    sids.push(...JSON.parse(answer).results.map((r) => r.subscriber_id));
  }
  // The last subscriber's one-click gives the baseline its template of that
  // answer (below): no run gets their link.
  const spare = sids.pop();
  const [kid, secret] = devVar("DOI_SIGNING_KEYS").split(",")[0].trim().split(":");
  const key = Buffer.from(secret, "base64");
  const { answer } = await api("POST", "/v1/links", { email: email(0), list: LIST });
  const real = new URL(JSON.parse(answer).unsubscribe_url).pathname.split("/").pop();
  const issued = Buffer.from(real, "base64url").readUIntBE(3 + kid.length, 5);
  const fields = (sid) => ({ kid, issued, subscriber: Buffer.from(sid, "base64url"), list: LIST });
  if (sign(fields(sids[0]), key) !== real) {
    throw new Error("tokens signed here differ from the Worker's: has the token format changed?");
  }
  const tokens = sids.map((sid) => sign(fields(sid), key));
  writeFileSync(`${out}/tokens.txt`, tokens.join("\n") + "\n");
  writeFileSync(`${out}/baseline-pages.json`,
    JSON.stringify(await baselinePages(tokens[0], sign(fields(spare), key))));

  const whitepaper = await form("whitepaper");
  const shown = whitepaper.consent_ja;
  const record = {
    record_id: "RECORD_ID",
    form: whitepaper.id,
    email: "EMAIL",
    locale: "ja",
    consent_text: shown.text,
    consent_version: shown.version,
    consent: true,
    topics: whitepaper.topics.map((t) => t.id),
    page_url: `${WORKER}/whitepaper`,
    client_time: Date.now(),
    elapsed_ms: Math.max(5_000, whitepaper.min_fill_ms + 1),
    website: "",
  };
  writeFileSync(`${out}/subscribe.json`, JSON.stringify(record));
  writeFileSync(`${out}/origin.txt`, `${WORKER}\n`);
  writeFileSync(`${out}/check-100.json`, JSON.stringify(checkBody(100)));
  writeFileSync(`${out}/check-max.json`, JSON.stringify(checkBody(CHECK_BATCH)));
  writeFileSync(`${out}/api-token.txt`, `${TOKEN}\n`);
  console.log(`prepared ${sids.length} unsubscribe tokens and request bodies in ${out}`);
}

const command = process.argv[2];
if (command === "scale") await scale();
else if (command === "prepare") await prepare();
else throw new Error("usage: node bench/worker-data.mjs scale|prepare --worker URL …");
