// Consent that ages: the `updates` list of doi.toml keeps consent fresh for
// `consent_max_age_days` (365). An imported consent from 400 days ago is
// `consent_stale`; /v1/prepare hands out the re-permission link instead of
// mail links; opening it (as a scanner would) changes nothing; one press in
// a browser renews it with fresh evidence; a withdrawn subscriber cannot be
// renewed by the link.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, eventCount, importRecords, links, prepare, subscriber, suppress } from "./lib/sender.mjs";
import { submit, withPage } from "./lib/browser.mjs";
import { configNumber, htmlLang } from "./lib/pages.mjs";

const DAY = 86_400_000;
const list = "updates";

async function importedDaysAgo(tag, days) {
  const email = newEmail(tag);
  const answer = await importRecords([
    {
      email,
      list,
      topics: [],
      consented_at: Date.now() - days * DAY,
      source: "e2e: an old list",
      consent_text: "I agree to receive product updates.",
      locale: "en",
      opt_in: "confirmed",
    },
  ]);
  assert.equal(answer.imported, 1, JSON.stringify(answer));
  return email;
}

test("doi.toml's updates list ages consent after consent_max_age_days", () => {
  assert.equal(configNumber("consent_max_age_days"), 365);
});

test("a consent older than the list's maximum age is consent_stale, and /v1/prepare offers the re-permission link instead of mail links", async () => {
  const email = await importedDaysAgo("stale", 400);
  const result = await check(email, { list });
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "consent_stale");
  // Times are milliseconds since the epoch, as everywhere in the API.
  assert.ok(result.reason.stale_at < Date.now(), JSON.stringify(result.reason));
  assert.equal(result.reason.stale_at - result.reason.since, 365 * DAY);
  const [line] = (await prepare([email], { list, locale: "en" })).results;
  assert.equal(line.allowed, false);
  assert.equal(line.unsubscribe_url, undefined, "no mail links for a stale consent");
  assert.match(new URL(line.renew_url).pathname, /^\/n\/[A-Za-z0-9_-]+$/);
  // The list without a maximum age is not affected.
  assert.notEqual((await check(email)).reason.code, "consent_stale");
});

test("a consent nearly stale may still be mailed, with the re-permission link beside the links", async () => {
  const email = await importedDaysAgo("due", 350);
  const [line] = (await prepare([email], { list })).results;
  assert.equal(line.allowed, true, JSON.stringify(line));
  assert.ok(line.unsubscribe_url && line.renew_url);
  const fresh = await importedDaysAgo("fresh", 10);
  const [fine] = (await prepare([fresh], { list })).results;
  assert.equal(fine.allowed, true);
  assert.equal(fine.renew_url, undefined, "not due yet");
  assert.ok((await links(fresh, { list })).renew_url, "/v1/links always signs one on a list that ages");
});

test("opening the re-permission link changes nothing; one press renews with fresh evidence", async () => {
  const email = await importedDaysAgo("renew", 400);
  const [line] = (await prepare([email], { list, locale: "ja" })).results;
  const before = await eventCount(email);
  for (const lang of ["ja", "en"]) {
    const r = await fetch(`${line.renew_url}?lang=${lang}`);
    const html = await r.text();
    assert.equal(r.status, 200);
    assert.equal(htmlLang(html), lang);
    assert.match(html, /<form method="post"/);
  }
  assert.equal(await eventCount(email), before, "GET changed nothing");
  assert.equal((await check(email, { list })).reason.code, "consent_stale");

  const text = await withPage(async (page) => {
    await page.goto(`${line.renew_url}?lang=en`);
    const response = await submit(page, page.getByRole("button", { name: /keep sending/i }));
    assert.equal(response.status(), 200);
    return page.locator("main").innerText();
  });
  assert.match(text, /keep receiving email/i);
  const now = await check(email, { list });
  assert.equal(now.allowed, true, JSON.stringify(now));
  const renewed = (await subscriber(email)).events.find((e) => e.type === "renewed");
  assert.ok(renewed, "a renewed event");
  assert.equal(renewed.evidence.method, "renewal_page");
  assert.equal(renewed.evidence.locale, "en");
  assert.match(renewed.evidence.consent_version, /^[0-9a-f]{64}$/);
});

test("a withdrawn subscriber cannot be renewed by the link", async () => {
  const email = newEmail("renew-withdrawn");
  await signUp(list, email);
  const { renew_url: renewUrl } = await links(email, { list });
  const page = await (await fetch(`${renewUrl}?lang=en`)).text();
  const version = page.match(/name="consent_version" value="([0-9a-f]{64})"/)[1];
  await suppress([email]);
  const after = await (await fetch(`${renewUrl}?lang=en`)).text();
  assert.doesNotMatch(after, /<form method="post"/, "no button for someone who left");
  const press = await fetch(`${renewUrl}?lang=en`, { method: "POST", body: new URLSearchParams({ consent_version: version }) });
  assert.equal(press.status, 200);
  assert.doesNotMatch(await press.text(), /keep receiving email/i);
  const now = await check(email, { list });
  assert.equal(now.allowed, false);
  assert.equal(now.reason.code, "unsubscribed");
  assert.ok(!(await subscriber(email)).events.some((e) => e.type === "renewed"));
});
