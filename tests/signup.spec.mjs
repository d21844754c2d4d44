// Signing up: consent is recorded only with evidence a sender can stand
// behind (who, when, which exact text, where, how), and every submission that
// cannot be stood behind is refused with a clear 4xx and leaves no trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { domainToASCII } from "node:url";
import { errorOf, newEmail, url, workerOrigin } from "./lib/http.mjs";
import {
  consentRecord,
  formDefinition,
  newRecordId,
  sha256Hex,
  signUp,
  subscribe,
} from "./lib/consent.mjs";
import { check, checkMany, consentEvents, eventCount, subscriber, subscriberResponse } from "./lib/sender.mjs";
import { withPage } from "./lib/browser.mjs";
import { hiddenFields } from "./lib/pages.mjs";

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

// ---- what is refused, and leaves nothing behind ------------------------

/**
 * Submits a record built by `spoil(form, email)` for a fresh address and
 * checks the status, the error code, and that nothing was stored.
 */
async function refused(spoil, { status, code, origin }) {
  const email = newEmail("refused");
  const form = await formDefinition("whitepaper");
  const record = spoil(form, email);
  const response = await subscribe(record, origin === undefined ? {} : { origin });
  const error = await errorOf(response);
  assert.equal(response.status, status, error.text);
  assert.equal(error.code, code, error.text);
  assert.equal(typeof error.message, "string", "a human sentence explains the refusal");
  assert.ok(error.message.length > 0);
  if (record.email === email) {
    const lookup = await subscriberResponse(email);
    assert.equal(lookup.status, 404, "nothing is stored for a refused submission");
    assert.equal((await check(email)).allowed, false);
  } else {
    // A malformed address cannot be stored; looking it up is not a success.
    const lookup = await subscriberResponse(record.email);
    assert.notEqual(lookup.status, 200);
    assert.ok(lookup.status < 500, `looking up ${record.email} answered ${lookup.status}`);
  }
}

test("a consent text from before the form changed is refused as stale", () =>
  refused(
    (form, email) => {
      const old = "I agree to receive email from Sample Trading Co., Ltd."; // an earlier wording
      return consentRecord(form, email, { consent_text: old, consent_version: sha256Hex(old) });
    },
    { status: 422, code: "stale_consent_text" },
  ));

test("a consent text altered on the way (hash no longer matches) is refused", () =>
  refused(
    (form, email) =>
      consentRecord(form, email, { consent_text: `${form.consent_en.text} (and partners)` }),
    { status: 422, code: "altered_consent_text" },
  ));

test("the Japanese text under the English locale is refused as stale", () =>
  refused(
    (form, email) =>
      consentRecord(form, email, {
        locale: "en",
        consent_text: form.consent_ja.text,
        consent_version: form.consent_ja.version,
      }),
    { status: 422, code: "stale_consent_text" },
  ));

test("an unticked consent box is refused", () =>
  refused((form, email) => consentRecord(form, email, { consent: false }), {
    status: 422,
    code: "consent_not_given",
  }));

test("a submission from a foreign origin is refused", () =>
  refused((form, email) => consentRecord(form, email), {
    status: 403,
    code: "forbidden_origin",
    origin: "https://evil.example",
  }));

test("a submission from a look-alike of an allowed origin is refused", () =>
  refused((form, email) => consentRecord(form, email), {
    status: 403,
    code: "forbidden_origin",
    origin: `${workerOrigin}.evil.example`,
  }));

test("a submission without an Origin header is refused", () =>
  refused((form, email) => consentRecord(form, email), {
    status: 403,
    code: "forbidden_origin",
    origin: null,
  }));

for (const bad of ["not-an-email", "two@@example.com", "spaced out@example.com", "nodot@example", "@example.com", `${"a".repeat(65)}@example.com`]) {
  test(`a malformed address (${bad.slice(0, 30)}) is refused`, () =>
    refused((form) => consentRecord(form, bad), { status: 422, code: "invalid_email" }));
}

test("a topic the form does not offer is refused", () =>
  refused((form, email) => consentRecord(form, email, { topics: ["events"] }), {
    status: 422,
    code: "unknown_topic",
  }));

test("a topic no list has is refused", () =>
  refused((form, email) => consentRecord(form, email, { topics: ["product", "casino"] }), {
    status: 422,
    code: "unknown_topic",
  }));

test("a filled-in honeypot is refused as automated", () =>
  refused((form, email) => consentRecord(form, email, { website: "http://spam.example" }), {
    status: 422,
    code: "automated",
  }));

test("a form submitted faster than a person can is refused as automated", async () => {
  const form = await formDefinition("newsletter");
  assert.ok(form.min_fill_ms > 0, "the newsletter form sets a minimum fill time");
  const email = newEmail("fast");
  const record = consentRecord(form, email, { elapsed_ms: 10 });
  const response = await subscribe(record);
  const error = await errorOf(response);
  assert.equal(response.status, 422, error.text);
  assert.equal(error.code, "automated");
  assert.equal((await subscriberResponse(email)).status, 404);
});

test("a record id that is not 16-64 URL-safe characters is refused", () =>
  refused((form, email) => consentRecord(form, email, { record_id: "short" }), {
    status: 422,
    code: "bad_record_id",
  }));

test("an unknown form is refused", () =>
  refused((form, email) => consentRecord(form, email, { form: "no-such-form" }), {
    status: 422,
    code: "unknown_form",
  }));

test("a page URL longer than evidence may hold is refused", () =>
  refused((form, email) => consentRecord(form, email, { page_url: `${workerOrigin}/?${"u".repeat(3000)}` }), {
    status: 422,
    code: "invalid_request",
  }));

test("a body over 16 KiB is refused with 413 and nothing is stored", () =>
  refused((form, email) => consentRecord(form, email, { page_url: `${workerOrigin}/?${"x".repeat(17 * 1024)}` }), {
    status: 413,
    code: "payload_too_large",
  }));

test("a body over 16 KiB sent without a Content-Length (chunked) is refused with 413", async () => {
  const email = newEmail("chunked");
  const form = await formDefinition("whitepaper");
  const json = JSON.stringify(consentRecord(form, email, { page_url: `${workerOrigin}/?${"y".repeat(40 * 1024)}` }));
  const bytes = new TextEncoder().encode(json);
  const body = new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 4096) controller.enqueue(bytes.subarray(at, at + 4096));
      controller.close();
    },
  });
  const response = await fetch(url("/v1/subscribe"), {
    method: "POST",
    headers: { "content-type": "application/json", origin: workerOrigin },
    body,
    duplex: "half",
    redirect: "manual",
  });
  const error = await errorOf(response);
  assert.equal(response.status, 413, error.text);
  assert.equal(error.code, "payload_too_large");
  assert.equal((await subscriberResponse(email)).status, 404);
});

test("a body that is not JSON is refused with invalid_json", async () => {
  const response = await fetch(url("/v1/subscribe"), {
    method: "POST",
    headers: { "content-type": "application/json", origin: workerOrigin },
    body: '{"record_id": "abc',
  });
  const error = await errorOf(response);
  assert.equal(response.status, 400, error.text);
  assert.equal(error.code, "invalid_json");
});

test("a text/plain body (which browsers send cross-origin without asking) is refused", async () => {
  const email = newEmail("plain");
  const form = await formDefinition("whitepaper");
  const response = await fetch(url("/v1/subscribe"), {
    method: "POST",
    headers: { "content-type": "text/plain", origin: workerOrigin },
    body: JSON.stringify(consentRecord(form, email)),
  });
  const error = await errorOf(response);
  assert.equal(response.status, 415, error.text);
  assert.equal(error.code, "unsupported_media_type");
  assert.equal((await subscriberResponse(email)).status, 404);
});

test("a refused submission for someone already subscribed adds no event", async () => {
  const email = newEmail("refused-existing");
  const { form } = await signUp("whitepaper", email);
  const before = await eventCount(email);
  const spoiled = [
    consentRecord(form, email, { consent: false }),
    consentRecord(form, email, { consent_text: `${form.consent_en.text}!` }),
    consentRecord(form, email, { topics: ["events"] }),
    consentRecord(form, email, { website: "bot" }),
  ];
  for (const record of spoiled) {
    const response = await subscribe(record);
    assert.equal(response.status, 422, await response.text());
  }
  const foreign = await subscribe(consentRecord(form, email), { origin: "https://evil.example" });
  assert.equal(foreign.status, 403);
  assert.equal(await eventCount(email), before);
});

test("GET on the subscribe endpoint is not a way to sign up", async () => {
  const response = await fetch(url("/v1/subscribe"), { headers: { origin: workerOrigin } });
  assert.equal(response.status, 405, await response.text());
});

// ---- the hosted signup page, without JavaScript ------------------------

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
