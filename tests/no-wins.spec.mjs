// The consent rule at every scope (DESIGN.md, "The consent rule, at every
// scope"), through the real Worker: leaving every topic is leaving the list,
// an import lifts no withdrawal, an empty topic choice is an error, a reason
// is only a reason, a signup records the default frequency, a repeat signup
// changes nothing, a 2xx means the confirmation mail was accepted, and one
// person is one subscriber however their address was typed.
//
// These are acceptance tests written against a Worker that broke each rule:
// every test here failed on main at 6f88c36 (see the commit message).
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorOf, fullWidth, newEmail } from "./lib/http.mjs";
import { consentRecord, consentText, formDefinition, signUp, subscribe } from "./lib/consent.mjs";
import { check, eventCount, importRecords, links, subscriber, subscriberResponse, suppress } from "./lib/sender.mjs";
import { oneClick } from "./lib/recipient.mjs";
import { acceptAgain, mailsTo, refuseAll, waitForMails } from "./lib/mailbox.mjs";
import { submit, withPage } from "./lib/browser.mjs";
import { configNumber, says, visibleText } from "./lib/pages.mjs";

/** Someone signed up through the whitepaper form (single opt-in): topics product and tips. */
async function whitepaperSubscriber(tag) {
  const email = newEmail(tag);
  await signUp("whitepaper", email);
  return email;
}

/** The one-click a mail client sends for the mail about `topic` to `email`. */
async function oneClickTopic(email, topic) {
  const { unsubscribe_url: target } = await links(email, { topic });
  const response = await oneClick(target);
  await response.arrayBuffer();
  assert.equal(response.status, 200, `one-click for topic ${topic}`);
}

/** On a page offering the optional reason for leaving: ticks `label` and sends it. */
async function giveReason(page, label) {
  await page.getByRole("radio", { name: label }).check();
  const response = await submit(page, page.getByRole("button", { name: /send reason/i }));
  assert.equal(response.status(), 200, "the reason was taken");
}

test("one-clicking the link of every topic one receives is leaving the list", async () => {
  const email = await whitepaperSubscriber("nw-every-topic");
  for (const topic of ["product", "tips"]) await oneClickTopic(email, topic);

  const listWide = await check(email);
  assert.equal(listWide.allowed, false, `a mail to the whole list: ${JSON.stringify(listWide.reason)}`);
  assert.equal(listWide.reason.code, "unsubscribed");
  const page = await fetch(`${(await links(email)).preferences_url}?lang=en`);
  assert.equal(page.status, 200);
  assert.match(visibleText(await page.text()), says.en.receivingNothing);
});

test("an import never turns back on a topic the person stopped", async () => {
  const email = await whitepaperSubscriber("nw-import");
  await oneClickTopic(email, "tips");

  const answer = await importRecords([
    {
      email,
      list: "newsletter",
      topics: ["product", "tips"],
      consented_at: Date.now() - 1_000,
      source: "CRM export, after the person stopped tips",
      consent_text: "Yes, send me product news and practical tips",
      locale: "en",
    },
  ]);
  assert.deepEqual(answer, { imported: 1, skipped: [] });
  const tips = await check(email, { topic: "tips" });
  assert.equal(tips.allowed, false, `tips after the import: ${JSON.stringify(tips.reason)}`);
  assert.equal(tips.reason.code, "unsubscribed");
  assert.equal((await check(email, { topic: "product" })).allowed, true, "product is still sent");
});

test("choosing no topic is an error, never every topic", async (t) => {
  const form = await formDefinition("newsletter");
  for (const locale of ["ja", "en"]) {
    await t.test(`[${locale}] on the hosted signup page, unticking every topic is refused with a message and stores nothing`, async () => {
      const email = newEmail(`nw-no-topic-page-${locale}`);
      const { status, lang, text } = await withPage(async (page) => {
        await page.goto(`/f/newsletter?lang=${locale}`);
        for (const box of await page.locator("input[name=topics]").all()) await box.uncheck();
        await page.locator("#email").fill(email);
        await page.getByLabel(consentText(form, locale).text).check();
        // A person takes a moment; the form refuses anything faster.
        await page.waitForTimeout(form.min_fill_ms + 500);
        const response = await submit(page, page.locator("button[type=submit]"));
        return { status: response.status(), lang: await page.getAttribute("html", "lang"), text: await page.locator("body").innerText() };
      });
      assert.equal(status, 422, `the answer to no topic: ${text.slice(0, 300)}`);
      assert.equal(lang, locale);
      assert.match(text, says[locale].topicRequired);
      assert.equal((await subscriberResponse(email)).status, 404, "nothing is stored");
      assert.deepEqual(await mailsTo(email), [], "no confirmation mail is sent");
    });
  }

  await t.test("through /v1/subscribe, an empty topic list is refused with no_topic_chosen", async () => {
    const email = newEmail("nw-no-topic-json");
    const response = await subscribe(consentRecord(form, email, { topics: [] }));
    const error = await errorOf(response);
    assert.equal(response.status, 422, error.text);
    assert.equal(error.code, "no_topic_chosen", error.text);
    assert.equal((await subscriberResponse(email)).status, 404, "nothing is stored");
  });
});

test("a reason for leaving is only a reason", async (t) => {
  await t.test("after stopping one topic on its page, giving a reason keeps the other topic and list-wide mail", async () => {
    const email = await whitepaperSubscriber("nw-reason-topic");
    const { unsubscribe_url: target } = await links(email, { topic: "tips" });
    await withPage(async (page) => {
      await page.goto(`${target}?lang=en`);
      const stopped = await submit(page, page.getByRole("button", { name: /stop only/i }));
      assert.equal(stopped.status(), 200);
      await giveReason(page, /too many emails/i);
    });
    assert.equal((await check(email, { topic: "tips" })).allowed, false, "tips stays stopped");
    const product = await check(email, { topic: "product" });
    assert.equal(product.allowed, true, `product after the reason: ${JSON.stringify(product.reason)}`);
    const listWide = await check(email);
    assert.equal(listWide.allowed, true, `list-wide mail after the reason: ${JSON.stringify(listWide.reason)}`);
  });

  await t.test("after \"this wasn't me\", giving a reason keeps the exit recorded as not_me", async () => {
    const email = newEmail("nw-reason-not-me");
    await signUp("newsletter", email);
    const [mail] = await waitForMails(email, 1);
    await withPage(async (page) => {
      await page.goto(`${mail.json.not_me_url}&lang=en`);
      const stopped = await submit(page, page.getByRole("button", { name: says.en.unsubscribeAll }));
      assert.equal(stopped.status(), 200);
      await giveReason(page, /never signed up/i);
    });
    const { state } = await subscriber(email);
    assert.equal(state.lists.newsletter.exit?.via, "not_me", `the exit: ${JSON.stringify(state.lists.newsletter.exit)}`);
    const result = await check(email);
    assert.equal(result.allowed, false);
    assert.equal(result.reason.via, "not_me");
  });
});

test("a signup records the list's default frequency", async () => {
  const email = await whitepaperSubscriber("nw-frequency");
  const monthly = await check(email, { frequency: "monthly" });
  assert.equal(monthly.allowed, false, `the monthly digest: ${JSON.stringify(monthly.reason)}`);
  assert.equal(monthly.reason.code, "other_frequency");
  assert.equal(monthly.reason.chosen, "weekly");
  assert.equal((await check(email, { frequency: "weekly" })).allowed, true, "the weekly issue");
});

test("signing up again the same way adds no event and answers the same", async () => {
  const form = await formDefinition("whitepaper");
  const email = newEmail("nw-repeat");
  const answers = [];
  const events = [];
  for (let i = 0; i < 2; i += 1) {
    const record = consentRecord(form, email);
    const response = await subscribe(record);
    const body = await response.json();
    assert.equal(body.record_id, record.record_id, "each answer names its own record");
    answers.push({ status: response.status, body: { ...body, record_id: "(the record's own)" } });
    events.push(await eventCount(email));
  }
  assert.deepEqual(answers[1], answers[0], "the repeat is answered as the first");
  assert.equal(answers[0].status, 200);
  assert.equal(events[1], events[0], "the repeat added no event");
});

test("a double opt-in signup says 'check your inbox' only when the confirmation mail was accepted", async () => {
  const max = configNumber("max_per_address_per_day");
  const form = await formDefinition("newsletter");
  const email = newEmail("nw-delivery-down");
  const record = consentRecord(form, email);
  // The local receiver refuses every delivery until told otherwise; the
  // retries go past the day's cap of confirmation mails for one address.
  await refuseAll(500);
  try {
    for (let attempt = 1; attempt <= max + 2; attempt += 1) {
      const response = await subscribe(record);
      const error = await errorOf(response);
      assert.ok([502, 503].includes(response.status), `attempt ${attempt} of ${max + 2}, no mail accepted: ${response.status} ${error.text}`);
      assert.equal(error.code, "delivery_failed", `attempt ${attempt}: ${error.text}`);
    }
  } finally {
    await acceptAgain();
  }

  const retried = await subscribe(record);
  const text = await retried.text();
  assert.equal(retried.status, 200, text);
  assert.deepEqual(JSON.parse(text), { ok: true, record_id: record.record_id, double_opt_in: true, status: "pending" });
  const accepted = (await mailsTo(email)).filter((m) => m.answered === 200);
  assert.equal(accepted.length, 1, "one confirmation mail arrived");
  assert.equal(accepted[0].json.type, "confirmation");
});

test("one person is one subscriber, however their address was typed", async (t) => {
  await t.test("a signup typed in full-width letters and stops is the ASCII address's subscriber", async () => {
    const ascii = newEmail("fw"); // short: a full-width character is 3 octets
    const [local, domain] = ascii.split("@");
    const typed = `${fullWidth(local)}@${domain.replace(".", "．")}`; // U+FF0E
    // RFC 5321's 64 octets are counted as typed, before any normalising.
    assert.ok(Buffer.byteLength(fullWidth(local)) <= 64, "the typed local part is within RFC 5321's limit");
    await signUp("whitepaper", typed);
    const result = await check(ascii);
    assert.equal(result.allowed, true, `the ASCII spelling: ${JSON.stringify(result.reason)}`);
    const [asTyped, asAscii] = [await subscriber(typed), await subscriber(ascii)];
    assert.equal(asAscii.subscriber_id, asTyped.subscriber_id);
    assert.equal(asAscii.events.length, asTyped.events.length);
  });

  await t.test("a suppression typed with a full-width ＠ and an ideographic 。 stops the ASCII address", async () => {
    const ascii = await whitepaperSubscriber("nw-full-width-suppress");
    const [local, domain] = ascii.split("@");
    const typed = `${local}＠${domain.replace(".", "。")}`; // U+FF20, U+3002
    const answer = await suppress([typed], "manual");
    assert.deepEqual(answer, { suppressed: 1, skipped: [] });
    const result = await check(ascii);
    assert.equal(result.allowed, false, `the ASCII spelling after the suppression: ${JSON.stringify(result.reason)}`);
    assert.equal(result.reason.code, "unsubscribed");
  });
});
