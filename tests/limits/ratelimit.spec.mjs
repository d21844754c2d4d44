// Per-client rate limits, against a Worker started with them on (the
// production limits of wrangler.toml: 10 sign-ups and 1,200 sender-API
// calls a minute per client). `cargo xtask test --only e2e-limits` starts
// that Worker; the main end-to-end run has them off.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, url, workerOrigin } from "../lib/http.mjs";
import { consentRecord, formDefinition } from "../lib/consent.mjs";

const SIGNUPS_PER_MINUTE = 10;
const API_CALLS_PER_MINUTE = 1200;
const email = (tag, i) => `limits-${tag}-${Date.now().toString(36)}-${i}@example.com`;

const subscribe = (form, address) =>
  fetch(url("/v1/subscribe"), {
    method: "POST",
    headers: { "content-type": "application/json", origin: workerOrigin },
    body: JSON.stringify(consentRecord(form, address)),
  });

async function assertRateLimited(response, what) {
  const body = await response.text();
  assert.equal(response.status, 429, `${what}: ${body.slice(0, 200)}`);
  assert.equal(response.headers.get("retry-after"), "60", what);
  return body;
}

test("sign-ups over the limit within a minute are refused with 429 rate_limited and Retry-After", async () => {
  const form = await formDefinition("whitepaper");
  // The window is fixed: if it turns over during the run, allow a second one.
  let accepted = 0;
  let refused = null;
  for (let i = 0; i <= 2 * SIGNUPS_PER_MINUTE && !refused; i += 1) {
    const r = await subscribe(form, email("widget", i));
    if (r.status === 429) refused = { response: r, address: email("widget", i) };
    else {
      assert.equal(r.status, 200, await r.text());
      accepted += 1;
    }
  }
  assert.ok(refused, `${accepted} sign-ups from one client were all accepted`);
  assert.ok(accepted >= SIGNUPS_PER_MINUTE, `refused after only ${accepted}`);
  const body = JSON.parse(await assertRateLimited(refused.response, "POST /v1/subscribe"));
  assert.equal(body.error.code, "rate_limited");
  assert.equal(body.error.retryable, true);
  assert.equal(refused.response.headers.get("access-control-allow-origin"), workerOrigin, "the widget can read why");

  // The hosted signup page counts against the same limit and answers with a page.
  const page = await fetch(url("/f/whitepaper?lang=en"), {
    method: "POST",
    body: new URLSearchParams({ email: email("hosted", 0), consent: "yes" }),
    redirect: "manual",
  });
  await assertRateLimited(page, "POST /f/whitepaper");
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);

  // The refused address was not stored.
  const proof = await api("GET", `/v1/subscribers/${encodeURIComponent(refused.address)}`);
  await proof.arrayBuffer();
  assert.equal(proof.status, 404);
});

test("a client over its sign-up limit can still unsubscribe with one click", async () => {
  const links = await api("POST", "/v1/links", { email: email("widget", 0), list: "newsletter" });
  const mail = await links.json();
  const r = await fetch(mail.unsubscribe_url, {
    method: "POST",
    body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
    redirect: "manual",
  });
  await r.arrayBuffer();
  assert.equal(r.status, 200);
});

test("guessing the bearer token is cut off after the sender API's limit", async () => {
  const statuses = {};
  let firstRefused = null;
  for (let batch = 0; batch * 50 < 2 * API_CALLS_PER_MINUTE + 100 && !firstRefused; batch += 1) {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(url("/v1/check"), {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer guess-${batch}` },
          body: "{}",
        }).then(async (r) => ({ status: r.status, retry: r.headers.get("retry-after"), body: await r.text() })),
      ),
    );
    for (const a of answers) {
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      if (a.status === 429 && !firstRefused) firstRefused = a;
    }
  }
  assert.ok(firstRefused, `no 429 after ${2 * API_CALLS_PER_MINUTE + 100} calls: ${JSON.stringify(statuses)}`);
  assert.equal(JSON.parse(firstRefused.body).error.code, "rate_limited");
  assert.equal(firstRefused.retry, "60");
  assert.ok((statuses[401] ?? 0) >= API_CALLS_PER_MINUTE - 50, JSON.stringify(statuses));
  assert.equal(Object.keys(statuses).filter((s) => s >= 500).length, 0, JSON.stringify(statuses));
});
