// Signing up, refused: every submission that cannot be stood behind is
// refused with a clear 4xx and leaves no trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorOf, newEmail, url, workerOrigin } from "./lib/http.mjs";
import { consentRecord, formDefinition, sha256Hex, signUp, subscribe } from "./lib/consent.mjs";
import { check, eventCount, subscriberResponse } from "./lib/sender.mjs";

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
