// Cloudflare Turnstile on a form, verified by the Worker before anything is
// stored. Chromium here cannot reach Cloudflare, so the hosted page's
// script and the Worker's siteverify both go to the stand-in in the local
// inbox (tools/inbox/turnstile.mjs, on 127.0.0.1), which behaves as
// Cloudflare documents its testing keys: the `trial` form's secret always
// passes, `trial-blocked`'s always fails (both in .dev.vars.example). The
// Worker uses the stand-in only because it runs on a loopback origin with
// DOI_TURNSTILE_LOOPBACK set by xtask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { consentRecord, formDefinition, subscribe } from "./lib/consent.mjs";
import { check, subscriberResponse } from "./lib/sender.mjs";
import { mailboxUrl } from "./lib/mailbox.mjs";
import { withPage } from "./lib/browser.mjs";

const DUMMY = "XXXX.DUMMY.TOKEN.XXXX";
const standIn = new URL(mailboxUrl).origin;

async function siteverifyRequests() {
  return (await fetch(`${mailboxUrl}/turnstile/requests`)).json();
}

/** Signs up on the hosted page of `formId` in Chromium: the answer's status and text. */
function hostedSignup(formId, email) {
  return withPage(async (page) => {
    const form = await formDefinition(formId);
    const loaded = await page.goto(`/f/${formId}?lang=en`);
    const csp = loaded.headers()["content-security-policy"];
    // The stand-in's script ran under the page's CSP and left its token.
    await page.getByRole("status").filter({ hasText: /Turnstile stand-in/ }).waitFor();
    await page.getByRole("textbox", { name: /email/i }).fill(email);
    await page.getByLabel(form.consent_en.text, { exact: false }).check();
    await page.waitForTimeout(form.min_fill_ms + 500);
    const [answer] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: /subscribe/i }).click(),
    ]);
    return { status: answer.status(), text: await page.locator("main").innerText(), csp };
  });
}

test("the hosted page loads Turnstile's script from where the CSP allows, and a passed check signs up", async () => {
  const email = newEmail("turnstile-pass");
  const { status, text, csp } = await hostedSignup("trial", email);
  assert.match(csp, new RegExp(`script-src ${standIn};`));
  assert.match(csp, new RegExp(`frame-src ${standIn};`));
  assert.equal(status, 200, text);
  assert.match(text, /subscribed/i);
  assert.equal((await check(email, { list: "updates" })).allowed, true);
  const asked = (await siteverifyRequests()).at(-1);
  assert.equal(asked.secret, "1x0000000000000000000000000000000AA");
  assert.equal(asked.response, DUMMY);
  assert.match(asked.idempotency_key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("when siteverify says no, the hosted page says so and nothing is stored", async () => {
  const email = newEmail("turnstile-fail");
  const { status, text } = await hostedSignup("trial-blocked", email);
  assert.equal(status, 422);
  assert.match(text, /couldn.t confirm that a person sent this/i);
  assert.equal((await subscriberResponse(email)).status, 404, "nothing stored");
  const asked = (await siteverifyRequests()).at(-1);
  assert.equal(asked.secret, "2x0000000000000000000000000000000AA");
});

test("a widget submission to a Turnstile form needs the token in its header, and a failed one stores nothing", async () => {
  const form = await formDefinition("trial");
  const blocked = await formDefinition("trial-blocked");
  const without = newEmail("turnstile-api-none");
  const none = await subscribe(consentRecord(form, without));
  assert.equal(none.status, 422);
  assert.equal((await none.json()).error.code, "turnstile_failed");
  const failing = newEmail("turnstile-api-fail");
  const failed = await subscribe(consentRecord(blocked, failing), { headers: { "cf-turnstile-response": DUMMY } });
  assert.equal(failed.status, 422);
  const passing = newEmail("turnstile-api-pass");
  const passed = await subscribe(consentRecord(form, passing), { headers: { "cf-turnstile-response": DUMMY } });
  assert.equal(passed.status, 200, await passed.clone().text());
  for (const email of [without, failing]) {
    assert.equal((await subscriberResponse(email)).status, 404, `${email}: nothing stored`);
  }
  assert.equal((await check(passing, { list: "updates" })).allowed, true);
});
