// Record keeping (特定電子メール法 施行規則4条) through the real Worker under
// `wrangler dev`: once mail is prepared for someone, the export, the proof
// and the person's receipt page show a `retain_until` at least a month on;
// erasing them inside that period is refused until the sender gives a
// legal reason, which the erasure's signed receipt then records (checked
// with WebCrypto against the published keys); someone who never consented
// is erased without one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { api, errorOf, get, newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, exportAll, links, prepare, subscriber } from "./lib/sender.mjs";

const DAY = 24 * 3600 * 1000;
const MONTH = 31 * DAY;

async function verifies(jws) {
  const { keys } = await (await get("/.well-known/jwks.json")).json();
  const [h, p, s] = jws.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  const jwk = keys.find((k) => k.kid === header.kid);
  const key = await webcrypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["verify"]);
  return webcrypto.subtle.verify("Ed25519", key, Buffer.from(s, "base64url"), Buffer.from(`${h}.${p}`, "ascii"));
}

const claimsOf = (jws) => JSON.parse(Buffer.from(jws.split(".")[1], "base64url").toString("utf8"));

test("a prepared mail keeps the record a month; erasing inside that takes a recorded legal reason", async () => {
  const email = newEmail("retain");
  await signUp("whitepaper", email);
  const before = Date.now();
  const [prepared] = (await prepare([email])).results;
  assert.equal(prepared.allowed, true);

  const line = (await exportAll()).lines.find((l) => l.email === email);
  const until = Date.parse(line.retain_until);
  assert.ok(until >= before + MONTH - DAY, `retain_until ${line.retain_until} is at least a month after the prepare`);
  assert.ok(until <= Date.now() + MONTH + DAY, `retain_until ${line.retain_until} is at most a day later than that`);
  assert.equal((await subscriber(email)).retain_until, until);

  // The person's receipt page says until when, in both languages.
  const page = await get(`${new URL((await links(email)).preferences_url).pathname.replace("/p/", "/r/")}?lang=ja`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /特定電子メール法/);
  assert.match(html, new RegExp(line.retain_until.slice(0, 10)));

  const refused = await api("DELETE", `/v1/subscribers/${encodeURIComponent(email)}`);
  assert.equal(refused.status, 422);
  const error = await errorOf(refused);
  assert.equal(error.code, "retention_period");
  assert.match(error.message, new RegExp(line.retain_until.slice(0, 10)));
  assert.equal((await check(email)).allowed, true, "a refused erasure changes nothing");

  const unknownReason = await api("DELETE", `/v1/subscribers/${encodeURIComponent(email)}?override=because`);
  assert.equal(unknownReason.status, 422);
  assert.equal((await errorOf(unknownReason)).code, "invalid_request");

  const erased = await api("DELETE", `/v1/subscribers/${encodeURIComponent(email)}?override=gdpr_erasure`);
  assert.equal(erased.status, 200);
  const answer = await erased.json();
  assert.equal(answer.retention_override, "gdpr_erasure");
  assert.equal((await check(email)).reason.code, "erased");

  const after = (await exportAll()).lines.find((l) => l.subscriber_id === answer.subscriber_id);
  const receipt = after.receipts.at(-1);
  assert.ok(await verifies(receipt), "the erasure's receipt verifies with the published key");
  const claims = claimsOf(receipt);
  assert.equal(claims.method, "erasure");
  assert.equal(claims.action, "withdrawal");
  assert.equal(claims.retention_override, "gdpr_erasure");
});

test("someone who never consented is erased without a reason", async () => {
  const email = newEmail("never");
  await prepare([email]);
  const erased = await api("DELETE", `/v1/subscribers/${encodeURIComponent(email)}`);
  assert.equal(erased.status, 200);
  assert.equal((await erased.json()).retention_override, undefined);
});
