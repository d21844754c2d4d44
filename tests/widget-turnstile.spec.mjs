// Turnstile in the widget (form mode), in Chromium against the real Worker.
// Chromium here cannot reach Cloudflare: the Worker's /v1/turnstile.js
// redirects to the stand-in in the local inbox (tools/inbox/turnstile.mjs,
// on 127.0.0.1), which behaves as Cloudflare documents its testing keys, and
// the Worker's siteverify goes there too (DOI_TURNSTILE_LOOPBACK, set by
// xtask, honoured only on a loopback origin). The `trial` form's secret
// always passes, `trial-blocked`'s always fails (.dev.vars.example).
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { formDefinition } from "./lib/consent.mjs";
import { check } from "./lib/sender.mjs";
import { mailboxUrl } from "./lib/mailbox.mjs";
import { withPage } from "./lib/browser.mjs";
import { form, known, open } from "./lib/widget.mjs";

const DUMMY = "XXXX.DUMMY.TOKEN.XXXX";

/** Signs `email` up with the widget on `path` once the check is drawn: the status it says. */
async function widgetSignup(page, path, formId, email) {
  const definition = await formDefinition(formId);
  const problems = await open(page, path);
  const sent = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/v1/subscribe") sent.push(r.headers());
  });
  // The stand-in's check, drawn in the page's own DOM after the widget.
  await page.getByRole("status").filter({ hasText: /Turnstile stand-in/ }).waitFor();
  await page.locator(form.email).fill(email);
  await page.locator(form.consent).check();
  await page.waitForTimeout(definition.min_fill_ms + 300);
  await page.locator(form.submit).click();
  const status = page.locator(form.status);
  await status.filter({ hasText: /\S/ }).filter({ hasNotText: /Sending|送信中/ }).waitFor({ timeout: 20_000 });
  return { said: await status.textContent(), sent, problems };
}

test("a Turnstile form's widget loads the check only for it and sends its token: signed up", async () => {
  const email = newEmail("widget-turnstile-pass");
  await withPage(async (page) => {
    const loaded = [];
    page.on("request", (r) => loaded.push(r.url()));
    const { said, sent, problems } = await widgetSignup(page, "/trial.html", "trial", email);
    assert.deepEqual(problems, []);
    assert.match(said, /subscribed|check your inbox|sent you an email/i);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]["cf-turnstile-response"], DUMMY);
    assert.ok(loaded.some((u) => u.endsWith("/doi-turnstile.js")), "the widget's Turnstile part");
    assert.ok(loaded.some((u) => u.includes("/v1/turnstile.js")), "Turnstile's script, through the Worker");
  });
  assert.equal((await check(email, { list: "updates" })).allowed, true);
  const asked = await (await fetch(`${mailboxUrl}/turnstile/requests`)).json();
  assert.ok(asked.some((r) => r.response === DUMMY && r.secret === "1x0000000000000000000000000000000AA"));
});

test("when siteverify says no, the widget says so and nothing is stored", async () => {
  const email = newEmail("widget-turnstile-fail");
  await withPage(async (page) => {
    const { said, sent } = await widgetSignup(page, "/test-turnstile-blocked.html", "trial-blocked", email);
    assert.match(said, /couldn't confirm that a person sent this/i);
    assert.equal(sent.length, 1, "refused, not retried");
  });
  assert.equal(await known(email), false);
});

test("a form without Turnstile loads nothing of it", async () => {
  await withPage(async (page) => {
    const loaded = [];
    page.on("request", (r) => loaded.push(r.url()));
    await open(page, "/");
    await page.waitForTimeout(500);
    assert.deepEqual(loaded.filter((u) => /turnstile/i.test(u)), []);
  });
});
