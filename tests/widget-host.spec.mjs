// The widget and the page around it: a hostile page (global CSS resets,
// globals and a custom element named like the widget's) does not break it
// and is not changed by it; a page whose Content-Security-Policy forbids
// WebAssembly still gets a working way to sign up; the strictest CSP the
// README asks for is enough, and so is a page enforcing Trusted Types; a
// broken setup never leaves a blank.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail, workerOrigin } from "./lib/http.mjs";
import { withPage } from "./lib/browser.mjs";
import { attach, form, open, said, screenshot, storedConsents, subscribes, watchRequests } from "./lib/widget.mjs";

/** Every global name, before any script of the page runs and now. */
async function trackGlobals(page) {
  await page.addInitScript(() => {
    window.__globalsBefore = Object.getOwnPropertyNames(window);
  });
}
const newGlobals = (page) =>
  page.evaluate(() => {
    const before = new Set(window.__globalsBefore);
    return Object.getOwnPropertyNames(window).filter((name) => !before.has(name));
  });

test("a hostile page's CSS and globals do not break the widget, and the widget leaves them alone", async () => {
  const email = newEmail("widget-hostile");
  await withPage(async (page) => {
    await trackGlobals(page);
    const requests = watchRequests(page);
    const problems = await open(page, "/test-hostile.html", attach.host);
    // Form mode renders even though the page took the `doi-form` name.
    await page.locator("#newsletter #doi-consent").waitFor();
    for (const selector of ["#newsletter #doi-email", "#newsletter button", attach.consent]) {
      const box = await page.locator(selector).boundingBox();
      assert.ok(box && box.width > 10 && box.height > 10, `${selector} is visible: ${JSON.stringify(box)}`);
    }
    const size = await page.locator("#newsletter #doi-email").evaluate((field) => getComputedStyle(field).fontSize);
    assert.equal(size, "16px", "the page's font-size reset does not reach in");
    await screenshot(page, "widget-hostile-page");

    const globals = await page.evaluate(() => ({
      doi: window.doi,
      wasm: window.wasm,
      init: String(window.init).includes("host init"),
      mount: String(window.mount).includes("host mount"),
      adopted: document.adoptedStyleSheets.length,
      sheets: document.styleSheets.length,
    }));
    assert.deepEqual(globals, { doi: "the host's own doi", wasm: "host wasm", init: true, mount: true, adopted: 0, sheets: 1 });
    const added = (await newGlobals(page)).filter(
      (name) => !["__globalsBefore", "doi", "init", "mount", "wasm", "wasm_bindgen", "__wbg_init"].includes(name),
    );
    assert.deepEqual(added, [], "the widget defines no global");

    await page.locator("#newsletter #doi-email").fill(email);
    await page.locator("#newsletter #doi-consent").check();
    await page.locator("#newsletter button").click();
    await page.locator("#newsletter [role=status]").filter({ hasText: said.checkInbox.en }).waitFor({ timeout: 15_000 });
    assert.equal(subscribes(requests).length, 1);
    assert.deepEqual(problems, []);
  });
  assert.equal((await storedConsents(email)).length, 1);
});

test("a page whose CSP forbids WebAssembly gets a working link to the hosted page, and is told why", async () => {
  await withPage(async (page) => {
    const warnings = [];
    page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });
    await page.goto("/test-csp.html");
    const link = page.locator("[data-doi-fallback] a");
    await link.waitFor({ timeout: 15_000 });
    assert.equal(await link.getAttribute("href"), `${workerOrigin}/f/newsletter?lang=en`);
    assert.ok(
      warnings.some((text) => text.startsWith("doi:") && text.includes("Content-Security-Policy") && text.includes("wasm-unsafe-eval")),
      warnings.join("\n"),
    );
    assert.equal(await page.locator(form.host).count(), 0);
    await screenshot(page, "widget-csp-fallback");
    await link.click();
    await page.waitForURL(/\/f\/newsletter/);
    assert.ok((await page.locator("form").count()) > 0, "the hosted page has a signup form");
  });
});

/**
 * Opens `path` (a fixture page with a strict policy in a meta tag), signs
 * `email` up through the widget, and returns what the browser reported
 * against the page's policies meanwhile: nothing, when the widget complies.
 */
async function signUpUnderPolicy(page, path, email) {
  const violations = [];
  page.on("console", (message) => {
    if (/Trusted Type|Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(String(error)));
  await open(page, path);
  await page.locator(form.email).fill(email);
  await page.locator(form.consent).check();
  await page.locator(form.submit).click();
  await page.locator(form.status).filter({ hasText: said.checkInbox.ja }).waitFor({ timeout: 15_000 });
  return violations;
}

test("the strict CSP the README asks for is enough: no inline styles, wasm allowed, requests to the Worker only", async () => {
  const email = newEmail("widget-strict-csp");
  await withPage(async (page) => {
    assert.deepEqual(await signUpUnderPolicy(page, "/test-csp-ok.html", email), []);
    const accent = await page.locator(form.submit).evaluate((button) => getComputedStyle(button).backgroundColor);
    assert.equal(accent, "rgb(11, 87, 208)", "the widget's stylesheet applies");
  });
  assert.equal((await storedConsents(email)).length, 1);
});

test("a page that enforces Trusted Types (no policy allowed) still gets a working widget", async () => {
  await withPage(async (page) => {
    await page.goto(new URL("/test-trusted-types.html", workerOrigin).href);
    // The fixture really enforces them: a string can't become markup there.
    const enforced = await page.evaluate(() => {
      try {
        document.createElement("div").innerHTML = "<b>x</b>";
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(enforced, "Trusted Types are enforced on the fixture page");
  });
  const email = newEmail("widget-trusted-types");
  await withPage(async (page) => {
    assert.deepEqual(await signUpUnderPolicy(page, "/test-trusted-types.html", email), []);
  });
  assert.equal((await storedConsents(email)).length, 1);
});

test("an unknown form id leaves a link and a console warning, not a blank", async () => {
  await withPage(async (page) => {
    const warnings = [];
    page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });
    await page.route("**/test-unknown-form.html", (route) =>
      route.fulfill({
        status: 200,
        contentType: "text/html",
        body: '<!doctype html><html lang="ja"><body><div data-doi-form="no-such-form"></div><script src="/doi.js" async></script></body></html>',
      }),
    );
    await page.goto("/test-unknown-form.html");
    const link = page.locator("[data-doi-fallback] a");
    await link.waitFor({ timeout: 15_000 });
    assert.equal(await link.getAttribute("href"), `${workerOrigin}/f/no-such-form?lang=ja`);
    assert.ok(
      warnings.some((text) => text.includes('there is no form "no-such-form"') && text.includes("doi.toml")),
      warnings.join("\n"),
    );
  });
});
