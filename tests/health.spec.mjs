// The Worker is up, the demo page and the widget are served, and the widget
// starts in a real browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { get } from "./lib/http.mjs";
import { withPage } from "./lib/browser.mjs";

test("healthz answers ok as JSON", async () => {
  const response = await get("/healthz");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /^application\/json/);
  assert.deepEqual(await response.json(), { ok: true });
});

test("the demo page is served at the root", async () => {
  const response = await get("/");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /^text\/html/);
  assert.match(await response.text(), /<script src="\/doi\.js"[^>]*async/);
});

test("the widget script is served as JavaScript", async () => {
  const response = await get("/doi.js");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /^(text|application)\/javascript/);
  assert.ok((await response.text()).length > 0);
});

test("the widget starts on the demo page", async () => {
  const messages = await withPage(async (page) => {
    const seen = [];
    page.on("console", (message) => seen.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => seen.push(`pageerror: ${error.message}`));
    await page.goto("/");
    // The form mode widget: an email field inside the widget's shadow root.
    await page.locator("doi-form #doi-email").waitFor({ timeout: 10_000 });
    return seen;
  });
  assert.ok(!messages.some((text) => text.startsWith("pageerror")), messages.join("\n"));
  assert.ok(!messages.some((text) => text.includes("doi:")), messages.join("\n"));
});
