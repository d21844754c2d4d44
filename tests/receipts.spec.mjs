// Consent receipts from the real Worker under `wrangler dev`, checked with
// an Ed25519 implementation that is not the Worker's: Node's WebCrypto
// (`crypto.subtle.verify("Ed25519", …)`) with the keys the Worker publishes
// at /.well-known/jwks.json. A signup and a one-click each get a receipt in
// a real export (`doi export`); a log rewritten consistently (every hash and
// parent link recomputed, so the hash chain still verifies) no longer
// matches its signed head; a receipt with one claim changed, or signed by
// another key, does not verify; and `doi verify --keys-from` says the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, webcrypto } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { baseUrl, get, newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { links } from "./lib/sender.mjs";
import { oneClick } from "./lib/recipient.mjs";
import { doi, ndjson, scratchDir } from "./lib/cli.mjs";

const { subtle } = webcrypto;
const sha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex");
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const unb64url = (text) => Buffer.from(text, "base64url");

/** The published keys, imported into WebCrypto, by kid. */
async function publishedKeys() {
  const response = await get("/.well-known/jwks.json");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /^application\/jwk-set\+json/);
  const { keys } = await response.json();
  assert.ok(keys.length >= 1);
  const byKid = new Map();
  for (const jwk of keys) {
    assert.equal(jwk.kty, "OKP");
    assert.equal(jwk.crv, "Ed25519");
    assert.equal(jwk.d, undefined, "no private part is published");
    byKid.set(jwk.kid, await subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["verify"]));
  }
  return byKid;
}

/** Whether `jws` (compact) verifies under one of `keys`; its header and claims. */
async function verifyJws(jws, keys) {
  const [h, p, s] = jws.split(".");
  const header = JSON.parse(unb64url(h).toString("utf8"));
  const claims = JSON.parse(unb64url(p).toString("utf8"));
  const key = keys.get(header.kid);
  const ok = key !== undefined &&
    header.alg === "EdDSA" &&
    (await subtle.verify("Ed25519", key, unb64url(s), Buffer.from(`${h}.${p}`, "ascii")));
  return { ok, header, claims };
}

/** Each event's stored bytes: the export writes them as sealed, and JSON.stringify keeps their field order. */
const eventBytes = (line) => line.events.map((e) => JSON.stringify(e));

/** Whether every parent link of a line's events resolves (what the hash chain alone checks). */
function chainHolds(line) {
  const hashes = new Set(eventBytes(line).map(sha256));
  return line.events.every((e) => e.parents.every((p) => hashes.has(p)));
}

/** Whether every receipt's signed head is an event of the line. */
function headsMatch(line, claims) {
  const hashes = new Set(eventBytes(line).map(sha256));
  return claims.every((c) => hashes.has(c.head));
}

test("receipts from a real export verify with WebCrypto; a rewritten log and a forged receipt are caught", async () => {
  const dir = scratchDir("receipts");
  const email = newEmail("receipt");
  await signUp("whitepaper", email);
  const mail = await links(email);
  const click = await oneClick(mail.unsubscribe_url);
  await click.arrayBuffer();
  assert.equal(click.status, 200);

  const exported = await doi(["export", "-o", `${dir}/export.ndjson`]);
  assert.equal(exported.code, 0, exported.stderr);
  const text = readFileSync(`${dir}/export.ndjson`, "utf8");
  const line = ndjson(text).find((l) => l.email === email);
  assert.ok(line, "the subscriber is exported");
  assert.equal(line.receipts.length, 2, "one receipt for the consent, one for the withdrawal");
  assert.ok(chainHolds(line), "the exported bytes hash to what the children name");

  const keys = await publishedKeys();
  const checked = [];
  for (const jws of line.receipts) {
    const { ok, header, claims } = await verifyJws(jws, keys);
    assert.ok(ok, `receipt ${claims.jti} verifies with the published key ${header.kid}`);
    assert.equal(header.typ, "JWT");
    assert.equal(claims.sub, line.subscriber_id);
    assert.equal(claims.jurisdiction, "JP");
    assert.equal(claims.iss, new URL(baseUrl).origin);
    assert.ok(!JSON.stringify(claims).includes(email), "no address in a receipt");
    checked.push(claims);
  }
  assert.deepEqual(checked.map((c) => [c.action, c.method]), [["consent", "widget"], ["withdrawal", "one_click"]]);
  const signup = line.events.find((e) => e.type === "subscribed");
  assert.equal(checked[0].consent_version, signup.evidence.consent_version);
  assert.equal(checked[0].policy, "https://sample-shoji.example/privacy");
  assert.ok(headsMatch(line, checked), "every signed head is in the log");
  assert.equal(checked[1].head, sha256(eventBytes(line)[1]), "the withdrawal's receipt signs the log's head");

  // A consistent rewrite: the signup's topics changed, its hash and the
  // child's parent link recomputed. The chain holds; the signed heads do not.
  const rewritten = structuredClone(line);
  rewritten.events[0].topics = ["product"];
  rewritten.events[1].parents = [sha256(JSON.stringify(rewritten.events[0]))];
  assert.ok(chainHolds(rewritten), "the rewrite is consistent");
  assert.ok(!headsMatch(rewritten, checked), "the rewritten log does not match its signed heads");

  // A forged receipt: one claim changed, the signature kept.
  const [h, p, s] = line.receipts[1].split(".");
  const claims = JSON.parse(unb64url(p).toString("utf8"));
  const forgedClaims = b64url(Buffer.from(JSON.stringify({ ...claims, action: "consent" })));
  assert.equal((await verifyJws(`${h}.${forgedClaims}.${s}`, keys)).ok, false);
  // A receipt signed by someone else's Ed25519 key under the Worker's kid.
  const other = await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const input = `${h}.${forgedClaims}`;
  const foreign = b64url(await subtle.sign("Ed25519", other.privateKey, Buffer.from(input, "ascii")));
  assert.equal((await verifyJws(`${input}.${foreign}`, keys)).ok, false);

  // `doi verify` with the keys fetched once from the Worker: the real export
  // verifies; the consistent rewrite (which the chain alone accepts) fails.
  const verified = await doi(["verify", `${dir}/export.ndjson`, "--keys-from", baseUrl]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  // Across the whole run, preference changes after a subscriber's last
  // receipt are events no receipt covers; this subscriber has none.
  assert.match(verified.stderr, /, 0 fail; \d+ receipts verify, \d+ events no receipt covers/);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const index = lines.findIndex((l) => JSON.parse(l).email === email);
  writeFileSync(`${dir}/one.ndjson`, `${lines[index]}\n`);
  const one = await doi(["verify", `${dir}/one.ndjson`, "--keys-from", baseUrl]);
  assert.match(one.stderr, /1 subscribers verify \(2 events\), 0 fail; 2 receipts verify, 0 events no receipt covers/);
  const state = structuredClone(line.state);
  const raw = JSON.parse(lines[index]);
  raw.events = rewritten.events;
  // The state names the new head too, as a rewrite of KV would leave it.
  const newHead = sha256(JSON.stringify(rewritten.events[1]));
  raw.state = JSON.parse(JSON.stringify(state).replaceAll(line.state.heads[0], newHead));
  lines[index] = JSON.stringify(raw);
  writeFileSync(`${dir}/rewritten.ndjson`, `${lines.join("\n")}\n`);
  const unsigned = await doi(["verify", `${dir}/rewritten.ndjson`]);
  assert.match(unsigned.stderr, /receipts not checked/);
  const caught = await doi(["verify", `${dir}/rewritten.ndjson`, "--keys-from", baseUrl]);
  assert.equal(caught.code, 1, caught.stdout + caught.stderr);
  assert.match(caught.stdout, new RegExp(`subscriber ${line.subscriber_id} the log does not match (its latest|a) signed head`));

  // The same keys as a file.
  const jwks = await (await get("/.well-known/jwks.json")).text();
  writeFileSync(`${dir}/jwks.json`, jwks);
  const fromFile = await doi(["verify", `${dir}/rewritten.ndjson`, "--keys", `${dir}/jwks.json`]);
  assert.equal(fromFile.code, 1, fromFile.stdout + fromFile.stderr);
});
