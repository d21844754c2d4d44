// The widget in form mode, in a real browser against the real Worker: the
// box starts unticked, nothing is sent without the tick or with a bad
// address, a ticked box is recorded with the exact text shown, in Japanese
// and English, by mouse or by keyboard alone, and axe finds nothing serious.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { formDefinition } from "./lib/consent.mjs";
import { withPage } from "./lib/browser.mjs";
import {
  form,
  focused,
  known,
  open,
  said,
  screenshot,
  seriousViolations,
  storedConsents,
  subscribes,
  tabTo,
  thirdParty,
  watchRequests,
} from "./lib/widget.mjs";

for (const [locale, path] of [["en", "/"], ["ja", "/ja.html"]]) {
  test(`form mode (${locale}): the box starts unticked, labelled with the exact consent text`, async () => {
    const definition = await formDefinition("newsletter");
    await withPage(async (page) => {
      const problems = await open(page, path);
      assert.equal(await page.locator(form.consent).isChecked(), false);
      const shown = locale === "ja" ? definition.consent_ja.text : definition.consent_en.text;
      assert.equal(await page.locator(form.consentLabel).textContent(), shown);
      assert.equal(await page.locator(form.topics).count(), definition.topics.length);
      assert.equal(await page.locator("doi-form form").getAttribute("lang"), locale);
      assert.deepEqual(problems, []);
      await screenshot(page, `widget-form-${locale}`);
    });
  });
}

test("form mode: unticked, or with a bad address, nothing is sent and the field says why", async () => {
  const email = newEmail("widget-unticked");
  await withPage(async (page) => {
    await open(page, "/");
    const requests = watchRequests(page);
    await page.locator(form.email).fill(email);
    await page.locator(form.submit).click();
    await page.locator(form.consentMessage).filter({ hasText: said.consentRequired.en }).waitFor();

    await page.locator(form.email).fill("someone@@example");
    await page.locator(form.consent).check();
    await page.locator(form.submit).click();
    assert.notEqual((await page.locator(form.emailMessage).textContent()).trim(), "");
    assert.equal(await page.locator(form.email).getAttribute("aria-invalid"), "true");
    assert.equal(await page.locator(form.emailMessage).getAttribute("aria-live"), "polite");
    await page.waitForTimeout(2_000);
    assert.deepEqual(subscribes(requests), []);
    await screenshot(page, "widget-form-en-errors");
  });
  assert.equal(await known(email), false);
});

for (const [locale, path] of [["en", "/"], ["ja", "/ja.html"]]) {
  test(`form mode (${locale}): a ticked box is recorded with the text shown, and doi:consent fires`, async () => {
    const definition = await formDefinition("newsletter");
    const email = newEmail(`widget-form-${locale}`);
    let pageUrl;
    await withPage(async (page, context) => {
      await open(page, path);
      // Evidence names the page without query or fragment (Workers assets
      // serve /ja.html at /ja).
      const { origin, pathname } = new URL(page.url());
      pageUrl = origin + pathname;
      const requests = watchRequests(page);
      const event = page.evaluate(
        () => new Promise((resolve) => document.addEventListener("doi:consent", (e) => resolve(e.detail))),
      );
      await page.locator(form.email).fill(email);
      await page.locator(form.topics).nth(1).uncheck();
      await page.locator(form.consent).check();
      await page.locator(form.submit).click();
      await page.locator(form.status).filter({ hasText: said.checkInbox[locale] }).waitFor({ timeout: 15_000 });
      const detail = await event;
      assert.equal(detail.form, "newsletter");
      assert.equal(detail.status, "pending");
      assert.equal(detail.email, undefined, "the event does not hand out the address");
      assert.equal(subscribes(requests).length, 1);
      assert.deepEqual(thirdParty(requests), []);
      assert.deepEqual(await context.cookies(), []);
      await screenshot(page, `widget-form-${locale}-done`);
    });
    const [signup] = await storedConsents(email);
    assert.ok(signup, "the Worker stored the consent");
    assert.equal(signup.evidence.method, "widget");
    assert.equal(signup.evidence.form, "newsletter");
    assert.equal(signup.evidence.locale, locale);
    const shown = locale === "ja" ? definition.consent_ja : definition.consent_en;
    assert.equal(signup.evidence.consent_version, shown.version);
    assert.equal(signup.evidence.page_url, pageUrl);
  });
}

test("form mode: a failed send is retried with the same record id, and stored once", async () => {
  const email = newEmail("widget-retry");
  await withPage(async (page) => {
    await open(page, "/");
    const sent = [];
    // The first attempt never reaches the Worker; the next ones do.
    await page.route("**/v1/subscribe", (route) => {
      sent.push(JSON.parse(route.request().postData()).record_id);
      return sent.length === 1 ? route.abort("connectionreset") : route.continue();
    });
    await page.locator(form.email).fill(email);
    await page.locator(form.consent).check();
    await page.locator(form.submit).click();
    await page.locator(form.status).filter({ hasText: said.checkInbox.en }).waitFor({ timeout: 15_000 });
    assert.equal(sent.length, 2);
    assert.equal(sent[0], sent[1]);
  });
  assert.equal((await storedConsents(email)).length, 1);
});

test("form mode: when the Worker cannot be reached at all, it says the signup did not happen", async () => {
  const email = newEmail("widget-offline");
  await withPage(async (page) => {
    await open(page, "/");
    let attempts = 0;
    await page.route("**/v1/subscribe", (route) => {
      attempts += 1;
      return route.abort("internetdisconnected");
    });
    await page.locator(form.email).fill(email);
    await page.locator(form.consent).check();
    await page.locator(form.submit).click();
    await page.locator(form.status).filter({ hasText: "You are not signed up yet" }).waitFor({ timeout: 20_000 });
    assert.equal(attempts, 4, "one try and three retries");
    // The form stays, so the person can try again later.
    assert.equal(await page.locator(form.email).isVisible(), true);
  });
  assert.equal(await known(email), false);
});

test("form mode: a person can sign up with the keyboard alone, and sees where focus is", async () => {
  const email = newEmail("widget-keyboard");
  await withPage(async (page) => {
    await open(page, "/");
    await tabTo(page, "doi-email");
    assert.match((await focused(page)).outline, /^solid [1-9]/, "visible focus on the field");
    await page.keyboard.type(email);
    await tabTo(page, "doi-consent");
    assert.match((await focused(page)).outline, /^solid [1-9]/, "visible focus on the box");
    await page.keyboard.press("Space");
    assert.equal(await page.locator(form.consent).isChecked(), true);
    // Privacy link, then the button: the honeypot is out of the tab order.
    await page.keyboard.press("Tab");
    assert.equal((await focused(page)).tag, "a");
    await page.keyboard.press("Tab");
    assert.equal((await focused(page)).tag, "button");
    await page.keyboard.press("Enter");
    await page.locator(form.status).filter({ hasText: said.checkInbox.en }).waitFor({ timeout: 15_000 });
    // Focus moves to the outcome, not into nothing.
    assert.equal((await focused(page)).tag, "p");
  });
  assert.equal((await storedConsents(email)).length, 1);
});

test("form mode: works 320 px wide without scrolling sideways", async () => {
  await withPage(
    async (page) => {
      await open(page, "/ja.html");
      const overflow = await page.evaluate(() => {
        const host = document.querySelector("doi-form");
        return { page: document.documentElement.scrollWidth, host: host.getBoundingClientRect().right };
      });
      assert.ok(overflow.page <= 320, `page is ${overflow.page}px wide`);
      assert.ok(overflow.host <= 320, `widget ends at ${overflow.host}px`);
      await screenshot(page, "widget-form-ja-320px");
    },
    { viewport: { width: 320, height: 900 } },
  );
});

for (const [locale, path] of [["en", "/"], ["ja", "/ja.html"]]) {
  test(`form mode (${locale}): axe-core finds no serious or critical violation, errors shown or not`, async () => {
    await withPage(async (page) => {
      await open(page, path);
      assert.deepEqual(await seriousViolations(page), []);
      await page.locator(form.submit).click();
      await page.locator(form.consentMessage).filter({ hasText: said.consentRequired[locale] }).waitFor();
      assert.deepEqual(await seriousViolations(page), []);
    });
  });
}

test("form mode: without JavaScript the page offers the hosted signup page", async () => {
  await withPage(
    async (page) => {
      await page.goto("/");
      const link = page.locator("noscript a, a[href='/f/newsletter']");
      assert.equal(await link.first().getAttribute("href"), "/f/newsletter");
      const hosted = await page.request.get("/f/newsletter");
      assert.equal(hosted.status(), 200);
    },
    { javaScriptEnabled: false },
  );
});
