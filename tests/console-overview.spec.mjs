// The console's overview through the real Worker under wrangler dev, in
// Chromium: after a scripted mix — sign-ups with and without confirmation,
// a confirmation, a one-click, preference changes (topic, frequency,
// pause), an unsubscribe with a reason, an import, suppressions through the
// API and the console's CSV — "Recount now" (and the cron, for what one
// request does not reach) makes the overview's numbers equal what the
// export says for every subscriber in the store and what /v1/check answers
// for the people of the mix. The activity names them by id, never by address.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, limits, newEmail, url } from "./lib/http.mjs";
import { withPage, submit } from "./lib/browser.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, links } from "./lib/sender.mjs";
import { oneClick } from "./lib/recipient.mjs";
import { waitForMails } from "./lib/mailbox.mjs";
import { signIn } from "./lib/console.mjs";
import { standings, countsOf } from "./lib/overview.mjs";

const post = (target, fields) =>
  fetch(`${target}?lang=en`, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });

async function ok(response, what) {
  const text = await response.text();
  assert.equal(response.status, 200, `${what}: ${text.slice(0, 300)}`);
  return text;
}

/** The mix: each person's address and the standing the overview must give them. */
async function mix(page) {
  const people = {};
  const person = (tag, standing) => (people[tag] = { email: newEmail(`overview-${tag}`), standing });
  const active = person("active", "active");
  await signUp("whitepaper", active.email);
  const pending = person("pending", "pending");
  await signUp("newsletter", pending.email);
  const confirmed = person("confirmed", "active");
  await signUp("newsletter", confirmed.email);
  const [mail] = await waitForMails(confirmed.email, 1);
  await ok(await fetch(mail.json.confirm_url, { method: "POST", redirect: "manual" }), "confirm");
  const clicked = person("one-click", "unsubscribed");
  await signUp("whitepaper", clicked.email);
  await ok(await oneClick((await links(clicked.email)).unsubscribe_url), "one-click");
  for (const [tag, pause, standing] of [["paused", "30", "paused"], ["monthly", "0", "active"]]) {
    const p = person(tag, standing);
    await signUp("whitepaper", p.email);
    await signUp("seminar", p.email);
    const prefs = (await links(p.email)).preferences_url;
    await ok(await post(prefs, [["action", "save"], ["topics", "product"], ["topics", "events"], ["frequency", "monthly"], ["pause", pause]]), tag);
  }
  const left = person("left-with-reason", "unsubscribed");
  await signUp("whitepaper", left.email);
  const prefs = (await links(left.email)).preferences_url;
  await ok(await post(prefs, { action: "unsubscribe_all" }), "unsubscribe all");
  await ok(await post(prefs, { action: "reason", reason: "too_many" }), "reason");
  const imported = [person("imported-1", "active"), person("imported-2", "active")];
  const records = imported.map(({ email }) => ({
    email,
    list: "newsletter",
    topics: ["tips"],
    consented_at: Date.now() - 3 * 86_400_000,
    source: "overview spec: a legacy CRM export",
    consent_text: "I agree to receive the newsletter.",
    locale: "en",
  }));
  await ok(await api("POST", "/v1/import", { records }), "import");
  const complained = person("complaint", "suppressed");
  await signUp("whitepaper", complained.email);
  await ok(await api("POST", "/v1/suppressions", { emails: [complained.email], reason: "complaint" }), "suppress");
  const bounced = person("csv-bounce", "suppressed");
  await signUp("whitepaper", bounced.email);
  await page.goto("/admin/suppress-list?lang=en");
  await page.locator("#file").setInputFiles({ name: "bounces.csv", mimeType: "text/csv", buffer: Buffer.from(`email\r\n${bounced.email}\r\n`) });
  await page.locator("#reason").selectOption("bounce");
  assert.equal((await submit(page, page.locator("main button[type=submit]"))).status(), 200);
  return people;
}

/** Every line of the export, page by page. */
async function exportAll() {
  const lines = [];
  let cursor = "";
  for (;;) {
    const response = await api("GET", `/v1/export?limit=${limits.EXPORT_PAGE_MAX}${cursor ? `&cursor=${cursor}` : ""}`);
    const text = await ok(response, "export");
    lines.push(...text.split("\n").filter(Boolean).map((l) => JSON.parse(l)));
    cursor = response.headers.get("doi-next-cursor");
    if (!cursor) return lines;
  }
}

/** Every `data-count` cell of the overview: {"newsletter.active": 3, …}. */
const shownCounts = (page) =>
  page.$$eval("[data-count]", (cells) => Object.fromEntries(cells.map((c) => [c.dataset.count, Number(c.textContent)])));

test("after a scripted mix the overview's numbers equal the export's and /v1/check's", async () => {
  await withPage(async (page) => {
    await signIn(page, "en");
    const people = await mix(page);
    await page.goto("/admin/overview?lang=en");
    await submit(page, page.getByRole("button", { name: "Recount now" }));
    // One request counts two pages of 1,000; the cron counts the rest.
    for (let i = 0; i < 200 && /under way/.test(await page.locator("main").innerText()); i += 1) {
      await (await fetch(url("/cdn-cgi/local/scheduled"))).arrayBuffer();
      await page.goto("/admin/overview?lang=en");
    }
    const main = await page.locator("main").innerText();
    assert.match(main, /Counted as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST/);
    assert.doesNotMatch(main, /under way|no summary yet/);
    const shown = await shownCounts(page);
    const lines = await exportAll();
    const asOf = Date.now();
    const expected = countsOf(lines.map((l) => l.state), asOf);
    assert.equal(shown["all.subscribers"], lines.length, "everyone in the export is counted");
    for (const key of Object.keys(expected)) assert.ok(key in shown, `the overview shows ${key}`);
    const compared = Object.keys(shown).filter((k) => k !== "all.subscribers" && !k.includes(".source."));
    assert.ok(compared.length > 40, "statuses, topics, frequencies, exits and reasons of every list");
    for (const key of compared) {
      const n = expected[key] ?? 0;
      assert.equal(shown[key], n, `${key}: the overview says ${shown[key]}, the export ${n}`);
    }
    // The people of the mix: what /v1/check answers is the standing counted.
    const byEmail = new Map(lines.map((l) => [l.email, l.state]));
    for (const [tag, { email, standing }] of Object.entries(people)) {
      const exported = standings(byEmail.get(email), asOf).newsletter;
      assert.equal(exported, standing, `${tag}: the export says ${exported}`);
      const answer = await check(email);
      const fromCheck = {
        consented: "active",
        pending_confirmation: "pending",
        paused: "paused",
        erased: "erased",
        unsubscribed: ["bounce", "complaint", "manual"].includes(answer.reason.via) ? "suppressed" : "unsubscribed",
      }[answer.reason.code];
      assert.equal(fromCheck, standing, `${tag}: /v1/check says ${JSON.stringify(answer.reason)}`);
    }
    assert.equal((await check(people.monthly.email, { frequency: "monthly" })).allowed, true);
    assert.equal((await check(people.monthly.email, { topic: "tips" })).allowed, false);
    assert.ok(shown["newsletter.via.one_click"] >= 1 && shown["newsletter.via.complaint"] >= 1);
    assert.ok(shown["newsletter.reason.too_many"] >= 1 && shown["newsletter.source.import"] >= 2);

    await page.goto("/admin/activity?lang=en");
    const feed = await page.locator("main").innerText();
    for (const { email } of Object.values(people)) assert.ok(!feed.includes(email), "no address in the activity");
    const sid = lines.find((l) => l.email === people.complaint.email).subscriber_id;
    const row = page.locator("tbody tr", { hasText: sid }).first();
    assert.match(await row.innerText(), /Unsubscribed \(Spam complaint\)/);
    const [opened] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.url().includes("/admin/subscriber/")),
      row.getByRole("link").click(),
    ]);
    await page.waitForLoadState();
    assert.equal(opened.status(), 200);
    assert.ok(!page.url().includes("@") && page.url().includes(sid), `the person opens by id: ${page.url()}`);
    assert.match(await page.locator("main").innerText(), new RegExp(people.complaint.email.replace(/[.+]/g, "\\$&")));
  });
});

test("the overview is one page the Worker draws: an SVG chart with titled bars and a table beside it", async () => {
  await withPage(async (page) => {
    await signIn(page, "ja");
    await page.goto("/admin/overview?lang=ja");
    await submit(page, page.getByRole("button", { name: "今すぐ集計" }));
    const chart = page.locator("section[aria-labelledby=list-newsletter] figure.chart svg").first();
    assert.equal(await chart.getAttribute("role"), "img");
    assert.match(await chart.getAttribute("aria-label"), /^30日間：登録\d+件、配信停止\d+件$/);
    assert.ok((await chart.locator("rect").count()) >= 1, "bars for the days with sign-ups");
    assert.match(await chart.locator("rect title").first().textContent(), /^\d{4}-\d\d-\d\d：(登録|配信停止)\d+件$/);
    assert.equal(await page.locator("script").count(), 0, "no script on the page");
  });
});
