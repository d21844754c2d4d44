// Privacy, checked last (the name sorts it after every other spec, and
// `cargo xtask test` runs spec files one at a time): no address the run used
// reached the Worker's log or a URL it made; erasure leaves nothing personal
// and the address stays suppressed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, limits, newEmail, usedEmails, workerOrigin, wranglerLog } from "./lib/http.mjs";
import { consentRecord, formDefinition, signUp, subscribe } from "./lib/consent.mjs";
import { check, exportAll, links, subscriber, subscriberResponse } from "./lib/sender.mjs";
import { deliveries } from "./lib/mailbox.mjs";
import { tokenOf } from "./lib/tokens.mjs";

/** The spellings of an address that would give it away. */
function spellings(email) {
  const [local] = email.split("@");
  return [email, encodeURIComponent(email), email.replace("@", "%40"), local];
}

const leaks = (text, email) => spellings(email).filter((s) => text.includes(s));

test("erasure removes the address and the evidence, and the address stays suppressed", async () => {
  const email = newEmail("erase");
  const pageUrl = `${workerOrigin}/landing-${Date.now()}`;
  const agent = `e2e-agent-${Math.random().toString(36).slice(2)}`;
  await signUp("whitepaper", email, { page_url: pageUrl, locale: "en" });
  // A second signup from a recognisable browser, so there is a user agent to erase.
  const again = await subscribe(consentRecord(await formDefinition("seminar"), email, { page_url: pageUrl }), {
    headers: { "user-agent": agent },
  });
  assert.equal(again.status, 200);
  const id = (await subscriber(email)).subscriber_id;

  // The person asked (GDPR art. 17); inside the record-keeping period
  // (once any mail was prepared: README, Record keeping) the sender says so.
  const erased = await api("DELETE", `/v1/subscribers/${id}?override=gdpr_erasure`);
  const text = await erased.text();
  assert.equal(erased.status, 200, text);
  const answer = JSON.parse(text);
  assert.equal(answer.erased, true);
  assert.equal(answer.subscriber_id, id);

  for (const lookup of [id, email]) {
    const response = await subscriberResponse(lookup);
    const body = await response.text();
    assert.equal(response.status, 200, `GET /v1/subscribers after erasure: ${body}`);
    const state = JSON.parse(body);
    assert.equal(state.subscriber_id, id);
    assert.equal(state.state.erased, true);
    for (const personal of [email, pageUrl, agent]) {
      assert.ok(!body.includes(personal), `${personal} is gone from GET /v1/subscribers`);
    }
  }
  const { lines } = await exportAll({ limit: limits.EXPORT_PAGE_MAX });
  const line = lines.find((l) => l.subscriber_id === id);
  if (line) {
    const exported = JSON.stringify(line);
    for (const personal of [email, pageUrl, agent]) {
      assert.ok(!exported.includes(personal), `${personal} is gone from the export`);
    }
  }
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "erased");
});

test("after erasure, importing the address again does not re-enable sending", async () => {
  const email = newEmail("erase-import");
  await signUp("whitepaper", email);
  const erased = await api("DELETE", `/v1/subscribers/${encodeURIComponent(email)}?override=gdpr_erasure`);
  assert.equal(erased.status, 200, await erased.text());
  const imported = await api("POST", "/v1/import", {
    records: [
      {
        email,
        list: "newsletter",
        consented_at: Date.now() - 86_400_000,
        source: "old crm",
        consent_text: "I agree to receive email.",
        locale: "en",
      },
    ],
  });
  assert.equal(imported.status, 200, await imported.text());
  for (const topic of [undefined, "product", "tips"]) {
    assert.equal((await check(email, { topic })).allowed, false, `still suppressed for ${topic ?? "the list"}`);
  }
});

test("subscriber ids in the export are keyed hashes, never addresses", async () => {
  const { lines } = await exportAll({ limit: limits.EXPORT_PAGE_MAX });
  assert.ok(lines.length > 0, "the run created subscribers");
  for (const line of lines) {
    assert.match(line.subscriber_id, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(!line.subscriber_id.includes("@"));
    if (line.email) assert.notEqual(line.subscriber_id, line.email);
  }
});

test("no link the Worker made carries an address, in the clear or in its token", async () => {
  const failures = [];
  const inspect = (where, email, value) => {
    for (const found of leaks(value, email)) failures.push(`${where} carries ${found}`);
  };
  const inspectToken = (where, email, target) => {
    const token = Buffer.from(tokenOf(target), "base64url").toString("latin1");
    for (const found of leaks(token, email)) failures.push(`${where}'s token holds ${found}`);
  };
  const known = [];
  for (const email of usedEmails()) {
    const response = await subscriberResponse(email);
    await response.arrayBuffer();
    if (response.status === 200) known.push(email);
  }
  assert.ok(known.length > 0, "the run created subscribers to look at");
  for (const email of known.slice(0, 60)) {
    const mail = await links(email);
    for (const key of ["unsubscribe_url", "preferences_url", "list_unsubscribe"]) inspect(`links.${key}`, email, mail[key]);
    inspectToken("unsubscribe_url", email, mail.unsubscribe_url);
    inspectToken("preferences_url", email, mail.preferences_url);
    for (const href of mail.footer_html.matchAll(/href="([^"]*)"/g)) inspect("a footer link", email, href[1]);
  }
  for (const delivery of await deliveries()) {
    const body = delivery.json;
    if (!body?.to) continue;
    // Confirmation mails, and the preference-link mails of /m.
    for (const key of ["confirm_url", "unsubscribe_url", "preferences_url"]) {
      if (typeof body[key] !== "string") continue;
      inspect(`a mail's ${key}`, body.to, body[key]);
      inspectToken(`a mail's ${key}`, body.to, body[key]);
    }
  }
  assert.deepEqual(failures, []);
});

test("no address the run used appears in the Worker's log", () => {
  const log = wranglerLog();
  assert.ok(log.includes("Ready on"), "the wrangler log of this run is readable (DOI_WRANGLER_LOG)");
  assert.match(log, /\b(GET|POST) \/v1\//, "the log records the run's requests");
  // The one exception: wrangler's own access-log lines for requests the specs
  // made by address (`GET /v1/subscribers/{email}`, as the contract allows).
  // Those URLs were chosen by the tests, not made by the Worker.
  const lines = log
    .split("\n")
    .filter((line) => !/^\[wrangler:info\] (GET|DELETE) \/v1\/subscribers\/\S+ \d{3}/.test(line.trim()));
  const text = lines.join("\n");
  const emails = usedEmails();
  assert.ok(emails.length > 0, "the run recorded the addresses it used");
  const failures = [];
  for (const email of emails) {
    for (const found of leaks(text, email)) {
      const line = lines.find((l) => l.includes(found));
      failures.push(`${found}: ${line.trim().slice(0, 160)}`);
    }
  }
  assert.deepEqual(failures, []);
});
