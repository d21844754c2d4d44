// The widget in attach mode: the consent box on a site's own form. Unticked,
// the host form goes on exactly as before and nothing is recorded; ticked,
// the record is sent with the host form's address and the host form still
// goes on, whether it navigates away (whitepaper, Japanese) or is handled by
// the site's own script (seminar, English).
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { formDefinition } from "./lib/consent.mjs";
import { withPage } from "./lib/browser.mjs";
import {
  attach,
  known,
  open,
  screenshot,
  seriousViolations,
  storedConsents,
  subscribes,
  watchRequests,
} from "./lib/widget.mjs";

// Forms shown for less than min_fill_ms are taken for bots: be a person.
const PERSON_MS = 1_700;

/** The whitepaper page, its thanks page answered here (so the address in
 * its query string reaches no server log). Returns what was requested. */
async function openWhitepaper(page) {
  await page.route("**/whitepaper-thanks*", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<p>ありがとうございます</p>" }),
  );
  await open(page, "/whitepaper.html", attach.host);
  return watchRequests(page);
}

async function fillWhitepaper(page, email) {
  await page.fill("#name", "山田 太郎");
  await page.fill("#company", "サンプル株式会社");
  await page.fill("#email", email);
}

test("attach mode: the box is added to the host form, unticked, with the exact text", async () => {
  const definition = await formDefinition("whitepaper");
  await withPage(async (page) => {
    const problems = await open(page, "/whitepaper.html", attach.host);
    assert.equal(await page.locator(attach.consent).isChecked(), false);
    assert.equal(await page.locator(attach.consentLabel).textContent(), definition.consent_ja.text);
    // Inside the host form, before its button; not one of its fields.
    const placement = await page.evaluate(() => {
      const form = document.getElementById("download-form");
      const host = form.querySelector("doi-consent");
      return {
        inside: Boolean(host),
        beforeButton: host?.nextElementSibling?.tagName,
        fields: [...form.elements].map((element) => element.name || element.tagName),
      };
    });
    assert.equal(placement.inside, true);
    assert.equal(placement.beforeButton, "BUTTON");
    assert.deepEqual(placement.fields, ["name", "company", "email", "BUTTON"]);
    assert.deepEqual(problems, []);
    await screenshot(page, "widget-attach-ja");
  });
});

test("attach mode, navigating host form: unticked, it submits as before and nothing is recorded", async () => {
  const email = newEmail("widget-attach-unticked");
  await withPage(async (page) => {
    const requests = await openWhitepaper(page);
    await fillWhitepaper(page, email);
    await page.waitForTimeout(PERSON_MS);
    await Promise.all([page.waitForURL(/whitepaper-thanks/), page.click("#download-form button")]);
    const submitted = new URL(page.url()).searchParams;
    assert.equal(submitted.get("email"), email, "the host form sent its own fields");
    assert.deepEqual([...submitted.keys()], ["name", "company", "email"], "and only those");
    await page.waitForTimeout(500);
    assert.deepEqual(subscribes(requests), []);
  });
  assert.equal(await known(email), false);
});

test("attach mode, navigating host form: ticked, consent is recorded and the form still goes on", async () => {
  const email = newEmail("widget-attach-ticked");
  await withPage(async (page) => {
    const requests = await openWhitepaper(page);
    await fillWhitepaper(page, email);
    await page.locator(attach.consent).check();
    await page.waitForTimeout(PERSON_MS);
    await Promise.all([page.waitForURL(/whitepaper-thanks/), page.click("#download-form button")]);
    assert.equal(new URL(page.url()).searchParams.get("email"), email);
    assert.equal(subscribes(requests).length, 1);
  });
  const [signup] = await storedConsents(email);
  assert.ok(signup, "the record survived the navigation (keepalive)");
  assert.equal(signup.evidence.form, "whitepaper");
  assert.equal(signup.evidence.locale, "ja");
  assert.equal(signup.evidence.method, "widget_attach", "the evidence says the box sat in the site's own form");
});

test("attach mode, script-handled host form: unticked, the site's handler runs and nothing is recorded", async () => {
  const email = newEmail("widget-seminar-unticked");
  await withPage(async (page) => {
    await open(page, "/seminar.html", attach.host);
    const requests = watchRequests(page);
    await screenshot(page, "widget-attach-en");
    await page.fill("#seminar-name", "Jane Doe");
    await page.fill("#seminar-email", email);
    await page.waitForTimeout(PERSON_MS);
    await page.click("#seminar-form button");
    await page.locator("#registered").waitFor();
    await page.waitForTimeout(500);
    assert.deepEqual(subscribes(requests), []);
  });
  assert.equal(await known(email), false);
});

test("attach mode, script-handled host form: ticked, recorded with the site's email field and doi:consent fires", async () => {
  const definition = await formDefinition("seminar");
  const email = newEmail("widget-seminar-ticked");
  await withPage(async (page) => {
    await open(page, "/seminar.html", attach.host);
    const requests = watchRequests(page);
    const event = page.evaluate(
      () => new Promise((resolve) => document.addEventListener("doi:consent", (e) => resolve(e.detail))),
    );
    // The seminar form offers one topic: no choice is shown, it is sent.
    assert.equal(await page.locator(attach.topics).count(), 0);
    await page.fill("#seminar-name", "Jane Doe");
    await page.fill("#seminar-email", email);
    await page.locator(attach.consent).check();
    await page.waitForTimeout(PERSON_MS);
    await page.click("#seminar-form button");
    await page.locator("#registered").waitFor();
    const detail = await event;
    assert.equal(detail.form, "seminar");
    assert.equal(detail.status, "subscribed");
    assert.deepEqual(detail.topics, definition.topics.map((topic) => topic.id));
    assert.equal(subscribes(requests).length, 1);
  });
  const [signup] = await storedConsents(email);
  assert.ok(signup);
  assert.equal(signup.evidence.form, "seminar");
  assert.equal(signup.evidence.locale, "en");
  assert.equal(signup.evidence.consent_version, definition.consent_en.version);
  assert.equal(signup.evidence.method, "widget_attach");
});

test("attach mode: a ticked box with a bad address records nothing and never blocks the host form", async () => {
  await withPage(async (page) => {
    await open(page, "/seminar.html", attach.host);
    const requests = watchRequests(page);
    // Make the host's own validation pass with an address core refuses.
    await page.evaluate(() => document.getElementById("seminar-email").setAttribute("type", "text"));
    await page.fill("#seminar-name", "Jane Doe");
    await page.fill("#seminar-email", "jane@localhost");
    await page.locator(attach.consent).check();
    await page.click("#seminar-form button");
    await page.locator("#registered").waitFor();
    assert.notEqual((await page.locator(attach.emailMessage).textContent()).trim(), "");
    await page.waitForTimeout(500);
    assert.deepEqual(subscribes(requests), []);
  });
});

for (const path of ["/whitepaper.html", "/seminar.html"]) {
  test(`attach mode (${path}): axe-core finds no serious or critical violation`, async () => {
    await withPage(async (page) => {
      await open(page, path, attach.host);
      assert.deepEqual(await seriousViolations(page), []);
    });
  });
}

test("attach mode: keyboard users reach the box from the host form's fields", async () => {
  await withPage(async (page) => {
    await open(page, "/whitepaper.html", attach.host);
    await page.focus("#email");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    assert.equal(await page.locator(attach.consent).isChecked(), true);
  });
});
