// Proof of consent leaves with the sender: the export pages through every
// subscriber with their evidence; an import keeps where earlier consent came
// from and never lifts an unsubscribe; bounces and complaints suppress.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, errorOf, limits, newEmail, usedEmails } from "./lib/http.mjs";
import { sha256Hex, signUp } from "./lib/consent.mjs";
import { check, consentEvents, exportAll, importRecords, links, subscriber, subscriberResponse } from "./lib/sender.mjs";

const importRecord = (email, overrides = {}) => ({
  email,
  list: "newsletter",
  topics: ["product"],
  consented_at: Date.UTC(2025, 0, 15, 9, 30),
  source: "crm export 2025-01-15 (seminar sign-in sheet)",
  consent_text: "I agree to receive product news by email from Sample Trading Co., Ltd.",
  locale: "en",
  ...overrides,
});

/** RFC 8058 one-click through the List-Unsubscribe URL of `email`. */
async function oneClick(email) {
  const { unsubscribe_url: target } = await links(email);
  const response = await fetch(target, {
    method: "POST",
    body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
    redirect: "manual",
  });
  await response.arrayBuffer();
  assert.equal(response.status, 200);
}

test("the export pages through every subscriber with their evidence", async () => {
  const created = [];
  for (let i = 0; i < 3; i += 1) {
    const email = newEmail("export");
    const pageUrl = `http://127.0.0.1/export-${i}-${Date.now()}`;
    const { record, form } = await signUp("whitepaper", email, { page_url: pageUrl });
    created.push({ email, pageUrl, record, form, id: (await subscriber(email)).subscriber_id });
  }
  const limit = 2;
  const { lines, pages } = await exportAll({ limit });
  assert.ok(pages.length >= 2, "a small limit makes several pages");
  for (const page of pages) {
    assert.match(page.contentType ?? "", /^application\/x-ndjson/);
    assert.ok(page.rows.length <= limit, `a page holds at most ${limit} lines`);
  }
  const ids = lines.map((line) => line.subscriber_id);
  assert.equal(new Set(ids).size, ids.length, "nobody appears twice across pages");

  for (const { email, pageUrl, record, form, id } of created) {
    const line = lines.find((l) => l.subscriber_id === id);
    assert.ok(line, `${email} is in the export`);
    assert.equal(line.email, email);
    assert.ok(line.state, "the line carries the state");
    const [signup] = consentEvents(line.events);
    assert.equal(signup.id, record.record_id);
    assert.equal(signup.evidence.method, "widget");
    assert.equal(signup.evidence.form, "whitepaper");
    assert.equal(signup.evidence.consent_version, form.consent_en.version);
    assert.equal(signup.evidence.page_url, pageUrl);
    assert.equal(signup.evidence.locale, "en");
  }
});

test("the export accounts for every address the run has signed up so far", async () => {
  const { lines } = await exportAll({ limit: 50 });
  const exported = new Map(lines.map((line) => [line.subscriber_id, line]));
  const missing = [];
  for (const email of usedEmails()) {
    const response = await subscriberResponse(email);
    if (response.status !== 200) {
      await response.arrayBuffer();
      continue;
    }
    const { subscriber_id: id } = await response.json();
    if (!exported.has(id)) missing.push(email);
  }
  assert.deepEqual(missing, []);
});

test("an import keeps its provenance: source, original time and the exact text", async () => {
  const email = newEmail("import");
  const record = importRecord(email);
  const answer = await importRecords([record]);
  assert.deepEqual(answer, { imported: 1, skipped: [] });
  const proof = await subscriber(email);
  const [event] = consentEvents(proof.events);
  assert.equal(event.evidence.method, "import");
  assert.equal(event.evidence.source, record.source);
  assert.equal(event.evidence.locale, "en");
  assert.equal(event.evidence.consent_version, sha256Hex(record.consent_text));
  assert.equal(proof.consent_texts[event.evidence.consent_version].text, record.consent_text);
  assert.ok(
    JSON.stringify(event).includes(String(record.consented_at)),
    "the original consent time is kept with the event",
  );
  assert.equal((await check(email, { topic: "product" })).allowed, true);
  assert.equal((await check(email, { topic: "tips" })).reason.code, "topic_not_chosen");
});

test("an import reports each record it skipped, by index and reason, and stores those not", async () => {
  const good = newEmail("import-good");
  const unknownList = newEmail("import-unknown-list");
  const unknownTopic = newEmail("import-unknown-topic");
  const answer = await importRecords([
    importRecord(good),
    importRecord("not-an-address"),
    importRecord(unknownList, { list: "no-such-list" }),
    importRecord(unknownTopic, { topics: ["casino"] }),
  ]);
  assert.equal(answer.imported, 1);
  assert.deepEqual(answer.skipped, [
    { index: 1, code: "invalid_email" },
    { index: 2, code: "unknown_list" },
    { index: 3, code: "unknown_topic" },
  ]);
  assert.equal((await check(good)).allowed, true);
  for (const email of [unknownList, unknownTopic]) {
    assert.equal((await subscriberResponse(email)).status, 404, `${email} was not stored`);
  }
});

test("an import never lifts an unsubscribe", async () => {
  const email = newEmail("import-after-unsub");
  await signUp("whitepaper", email);
  await oneClick(email);
  await importRecords([importRecord(email)]);
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "unsubscribed");
  assert.equal((await check(email, { topic: "product" })).allowed, false);
});

test("suppressions stop mail to subscribers and to addresses never seen, and stick through imports", async () => {
  const known = newEmail("suppress-known");
  const unknown = newEmail("suppress-unknown");
  await signUp("whitepaper", known);
  const response = await api("POST", "/v1/suppressions", { emails: [known, unknown], reason: "bounce" });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  const answer = JSON.parse(text);
  assert.equal(answer.suppressed, 2);
  assert.deepEqual(answer.skipped ?? [], [], "nothing was skipped");
  const result = await check(known);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "unsubscribed");
  assert.equal(result.reason.via, "bounce");

  await importRecords([importRecord(known), importRecord(unknown)]);
  assert.equal((await check(known)).allowed, false, "the import does not lift the bounce");
  assert.equal((await check(unknown)).allowed, false, "an address suppressed before it was known stays suppressed");
});

test("a complaint suppresses with its own reason", async () => {
  const email = newEmail("suppress-complaint");
  await signUp("whitepaper", email);
  const response = await api("POST", "/v1/suppressions", { emails: [email], reason: "complaint" });
  assert.equal(response.status, 200, await response.text());
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.via, "complaint");
});

test("a suppression with an unknown reason is refused and suppresses nobody", async () => {
  const email = newEmail("suppress-bad-reason");
  await signUp("whitepaper", email);
  const response = await api("POST", "/v1/suppressions", { emails: [email], reason: "because" });
  const error = await errorOf(response);
  assert.ok(response.status === 400 || response.status === 422, error.text);
  assert.ok(["invalid_request", "invalid_json"].includes(error.code), error.text);
  assert.equal((await check(email)).allowed, true);
});

test("the export shows an unsubscribe as an event: the proof of withdrawal", async () => {
  const email = newEmail("export-unsub");
  await signUp("whitepaper", email);
  await oneClick(email);
  const id = (await subscriber(email)).subscriber_id;
  const { lines } = await exportAll({ limit: limits.EXPORT_PAGE_MAX });
  const line = lines.find((l) => l.subscriber_id === id);
  assert.ok(line);
  assert.ok(line.events.some((e) => e.type === "unsubscribed" && e.via === "one_click"));
});

test("a malformed export cursor is refused with a 4xx, not a 500", async () => {
  for (const cursor of ["not-a-cursor", "%00", "x".repeat(3000)]) {
    const response = await api("GET", `/v1/export?limit=2&cursor=${encodeURIComponent(cursor)}`);
    const error = await errorOf(response);
    assert.ok(response.status >= 400 && response.status < 500, `cursor ${cursor.slice(0, 20)}: ${response.status} ${error.text.slice(0, 120)}`);
  }
});
