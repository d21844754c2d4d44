// Signing up on the hosted page, without JavaScript: the same evidence as
// the widget's, and nothing stored for what is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail, url, workerOrigin } from "./lib/http.mjs";
import { formDefinition, subscribe } from "./lib/consent.mjs";
import { check, consentEvents, subscriber, subscriberResponse } from "./lib/sender.mjs";
import { withPage } from "./lib/browser.mjs";
import { hiddenFields } from "./lib/pages.mjs";

test("the hosted signup page works without JavaScript and records how consent was given", async () => {
  const email = newEmail("hosted");
  const form = await formDefinition("whitepaper");
  const { status, boxWasTicked } = await withPage(
    async (page) => {
      const response = await page.goto("/f/whitepaper?lang=en");
      assert.equal(response.status(), 200);
      const box = page.getByLabel(form.consent_en.text, { exact: false });
      const boxWasTicked = await box.isChecked();
      await page.getByRole("textbox", { name: /email/i }).fill(email);
      await box.check();
      // A person takes a moment; the form refuses anything faster.
      await page.waitForTimeout(form.min_fill_ms + 500);
      const [answer] = await Promise.all([
        page.waitForNavigation(),
        page.getByRole("button", { name: /subscribe/i }).click(),
      ]);
      return { status: answer.status(), boxWasTicked };
    },
    { javaScriptEnabled: false },
  );
  assert.equal(boxWasTicked, false, "the consent box is never pre-ticked");
  assert.equal(status, 200);
  const [signup] = consentEvents((await subscriber(email)).events);
  assert.equal(signup.evidence.method, "hosted_page");
  assert.equal(signup.evidence.form, "whitepaper");
  assert.equal(signup.evidence.consent_version, form.consent_en.version);
  assert.equal(signup.evidence.locale, "en");
  assert.equal((await check(email)).allowed, true);
});

test("the hosted signup page without the consent box ticked stores nothing", async () => {
  const email = newEmail("hosted-unticked");
  const page = await fetch(url("/f/whitepaper?lang=en"));
  assert.equal(page.status, 200);
  const fields = new URLSearchParams(hiddenFields(await page.text()));
  fields.set("email", email);
  fields.delete("consent");
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // person speed
  const response = await fetch(url("/f/whitepaper?lang=en"), {
    method: "POST",
    headers: { origin: workerOrigin },
    body: fields,
    redirect: "manual",
  });
  assert.ok(response.status >= 200 && response.status < 500, `answered ${response.status}`);
  assert.equal((await subscriberResponse(email)).status, 404);
});

test("a hosted-page POST from a foreign origin stores nothing", async () => {
  const email = newEmail("hosted-foreign");
  const page = await fetch(url("/f/whitepaper?lang=en"));
  assert.equal(page.status, 200, "the hosted page exists");
  const fields = new URLSearchParams(hiddenFields(await page.text()));
  fields.set("email", email);
  fields.set("consent", "yes");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const response = await fetch(url("/f/whitepaper"), {
    method: "POST",
    headers: { origin: "https://evil.example" },
    body: fields,
    redirect: "manual",
  });
  assert.ok(response.status >= 400 && response.status < 500, `answered ${response.status}`);
  assert.equal((await subscriberResponse(email)).status, 404);
});
