// Signing up: consent is recorded only with evidence a sender can stand
// behind (who, when, which exact text, where, how), and one person is one
// subscriber. What is refused is in signup-refused.spec.mjs, the hosted
// page in signup-hosted.spec.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { domainToASCII } from "node:url";
import { newEmail, workerOrigin } from "./lib/http.mjs";
import { consentRecord, formDefinition, newRecordId, sha256Hex, signUp, subscribe } from "./lib/consent.mjs";
import { check, checkMany, consentEvents, eventCount, subscriber } from "./lib/sender.mjs";

const SLACK_MS = 5_000;

test("a form's definition carries each consent text with its SHA-256 as version", async () => {
  const form = await formDefinition("whitepaper");
  for (const shown of [form.consent_ja, form.consent_en]) {
    assert.ok(shown.text.length > 0);
    assert.equal(shown.version, sha256Hex(shown.text));
  }
  assert.equal(form.id, "whitepaper");
  assert.equal(form.list, "newsletter");
});

test("a signup with evidence is stored exactly as given, with the server's time", async () => {
  const email = newEmail("signup");
  const form = await formDefinition("whitepaper");
  const pageUrl = `${workerOrigin}/whitepaper?campaign=e2e-${newRecordId()}`;
  const clientTime = Date.now() - 3_600_000; // the person's clock is an hour off
  const record = consentRecord(form, email, {
    locale: "en",
    page_url: pageUrl,
    client_time: clientTime,
    topics: ["tips"],
  });
  const before = Date.now();
  const response = await subscribe(record);
  const after = Date.now();
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    ok: true,
    record_id: record.record_id,
    double_opt_in: false,
    status: "subscribed",
  });

  const proof = await subscriber(email);
  assert.equal(proof.email, email);
  assert.match(proof.subscriber_id, /^[A-Za-z0-9_-]{22}$/);
  const [signup, ...others] = consentEvents(proof.events);
  assert.equal(others.length, 0, "one signup, one consent event");
  assert.equal(signup.type, "subscribed");
  assert.equal(signup.id, record.record_id);
  assert.equal(signup.list, "newsletter");
  assert.deepEqual(signup.topics, ["tips"]);
  assert.equal(signup.evidence.method, "widget");
  assert.equal(signup.evidence.form, "whitepaper");
  assert.equal(signup.evidence.consent_version, form.consent_en.version);
  assert.equal(signup.evidence.locale, "en");
  assert.equal(signup.evidence.page_url, pageUrl);
  assert.equal(signup.evidence.client_time, clientTime);
  assert.ok(
    signup.at >= before - SLACK_MS && signup.at <= after + SLACK_MS,
    `the event time ${signup.at} is the server's, not the browser's ${clientTime}`,
  );
  // The exact text the person saw can be read back from its version.
  assert.deepEqual(proof.consent_texts[form.consent_en.version], {
    text: form.consent_en.text,
    locale: "en",
    form: "whitepaper",
  });
});

test("a signup in Japanese keeps the Japanese text as evidence", async () => {
  const email = newEmail("signup-ja");
  const { form } = await signUp("whitepaper", email, { locale: "ja" });
  const proof = await subscriber(email);
  const [signup] = consentEvents(proof.events);
  assert.equal(signup.evidence.locale, "ja");
  assert.equal(signup.evidence.consent_version, form.consent_ja.version);
  assert.equal(proof.consent_texts[form.consent_ja.version].text, form.consent_ja.text);
  assert.equal(proof.consent_texts[form.consent_ja.version].locale, "ja");
});

test("after a signup without double opt-in, the sender may mail the chosen topics only", async () => {
  const email = newEmail("signup-check");
  await signUp("whitepaper", email, { topics: ["product"] });
  const whole = await check(email);
  assert.equal(whole.allowed, true, JSON.stringify(whole));
  assert.equal(whole.reason.code, "consented");
  assert.equal((await check(email, { topic: "product" })).allowed, true);
  const other = await check(email, { topic: "tips" });
  assert.equal(other.allowed, false);
  assert.equal(other.reason.code, "topic_not_chosen");
});

test("someone who never signed up may not be mailed", async () => {
  const result = await check(newEmail("never"));
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "no_consent");
});

test("a malformed address in a check batch is answered in its place, not by failing the batch", async () => {
  const email = newEmail("check-batch");
  await signUp("whitepaper", email);
  const results = await checkMany(["not-an-address", email, "x@"]);
  assert.deepEqual(results.map((r) => r.email), ["not-an-address", email, "x@"]);
  assert.equal(results[0].allowed, false);
  assert.equal(results[0].reason.code, "invalid_email");
  assert.equal(results[1].allowed, true);
  assert.equal(results[2].reason.code, "invalid_email");
});

test("retrying a submission with the same record id gives the same answer and stores one event", async () => {
  const email = newEmail("retry");
  const form = await formDefinition("whitepaper");
  const record = consentRecord(form, email);
  const first = await subscribe(record);
  const firstBody = await first.text();
  const second = await subscribe(record);
  const secondBody = await second.text();
  assert.equal(first.status, 200);
  assert.equal(second.status, first.status);
  assert.deepEqual(JSON.parse(secondBody), JSON.parse(firstBody));
  assert.equal(await eventCount(email), 1);
});

test("the sender API can look a subscriber up by id as well as by address", async () => {
  const email = newEmail("by-id");
  await signUp("whitepaper", email);
  const byEmail = await subscriber(email);
  const byId = await subscriber(byEmail.subscriber_id);
  assert.equal(byId.subscriber_id, byEmail.subscriber_id);
  assert.equal(byId.events.length, byEmail.events.length);
});

test("an address differing only in the case of its domain is the same subscriber", async () => {
  const email = newEmail("case");
  await signUp("whitepaper", email);
  const [local, domain] = email.split("@");
  const shouted = `${local}@${domain.toUpperCase()}`;
  assert.equal((await check(shouted)).allowed, true);
  assert.equal((await subscriber(shouted)).subscriber_id, (await subscriber(email)).subscriber_id);
});

test("an address with an internationalised domain is the same subscriber as its punycode spelling", async () => {
  const local = newEmail("idn").split("@")[0];
  const unicode = `${local}@例え.example`;
  const ascii = `${local}@${domainToASCII("例え.example")}`;
  assert.notEqual(unicode, ascii);
  await signUp("whitepaper", unicode);
  assert.equal((await check(ascii)).allowed, true);
  assert.equal((await subscriber(ascii)).subscriber_id, (await subscriber(unicode)).subscriber_id);
});
