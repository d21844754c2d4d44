// The daily sign-up cap per address (ratelimit.rs, counted in the Worker's
// local KV), against the Worker with the limits on (xtask's e2e-limits).
// The per-client minute limiter (10 sign-ups a minute in wrangler.toml)
// sits in front of it and other specs of this suite fill it, so a 429 that
// the next address from the same client does not also get is the cap's;
// one that it does get is the minute limiter's, and the spec waits for
// its window to turn over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { consentRecord, formDefinition, subscribe } from "../lib/consent.mjs";

// The cap as the Worker defines it.
const PER_ADDRESS = Number(
  readFileSync(new URL("../../crates/worker/src/ratelimit.rs", import.meta.url), "utf8").match(
    /pub const SIGNUPS_PER_ADDRESS_PER_DAY: u32 = (\d+);/,
  )?.[1],
);
const WINDOW_MS = 61_000;
const stamp = Date.now().toString(36);
const address = (tag) => `limits-cap-${tag}-${stamp}@example.com`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sign-up of `email`, retried once the minute limiter's window turns over. */
async function signUpPastTheMinuteLimiter(form, email) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const r = await subscribe(consentRecord(form, email));
    if (r.status !== 429) return r;
    await sleep(WINDOW_MS);
  }
  throw new Error(`the minute limiter refused ${email} three windows running`);
}

test("an address signed up its daily cap of times is refused the next, while the same client may sign up another", async () => {
  assert.ok(PER_ADDRESS > 0 && PER_ADDRESS < 10, "the cap fits in one minute window");
  const form = await formDefinition("whitepaper");
  const known = address("known");
  for (let i = 0; i < PER_ADDRESS; i += 1) {
    const r = await signUpPastTheMinuteLimiter(form, known);
    assert.equal(r.status, 200, `sign-up ${i + 1}: ${await r.text()}`);
  }
  for (let attempt = 0; ; attempt += 1) {
    const over = await subscribe(consentRecord(form, known));
    const overBody = await over.text();
    const other = await subscribe(consentRecord(form, address(`other-${attempt}`)));
    await other.text();
    if (other.status === 429 && attempt < 2) {
      // The minute limiter, not the cap: both were refused before the Worker counted.
      await sleep(WINDOW_MS);
      continue;
    }
    assert.equal(other.status, 200, "another address from the same client is still welcome");
    assert.equal(over.status, 429, `sign-up ${PER_ADDRESS + 1} of one address: ${overBody.slice(0, 200)}`);
    assert.equal(JSON.parse(overBody).error.code, "rate_limited");
    break;
  }
});
