// Double opt-in: a signup through the newsletter form is pending until the
// person confirms from the mail the sender's webhook received; the mail can
// also say "this wasn't me"; and the form can be used neither to find out who
// is subscribed nor to bomb someone's inbox with confirmation mails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { devVar, newEmail, url, workerOrigin } from "./lib/http.mjs";
import { consentRecord, formDefinition, newRecordId, signUp, subscribe } from "./lib/consent.mjs";
import { check, eventCount, subscriber } from "./lib/sender.mjs";
import { mailsTo, refuseNext, verifySignature, waitForMails } from "./lib/mailbox.mjs";
import { withPage } from "./lib/browser.mjs";
import { PURPOSE, decode, resign, tokenOf } from "./lib/tokens.mjs";
import { configNumber, forms, hiddenFields, htmlLang, postalAddress, says, sender, visibleText } from "./lib/pages.mjs";

const webhookSecret = () => devVar("DOI_WEBHOOK_SECRET");

/** Signs `email` up through the double opt-in form and returns its confirmation mail. */
async function pendingWithMail(tag, overrides = {}) {
  const email = newEmail(tag);
  const { answer } = await signUp("newsletter", email, overrides);
  const [mail] = await waitForMails(email, 1);
  return { email, answer, mail };
}

test("a double opt-in signup is pending, and a pending address may not be mailed", async () => {
  const email = newEmail("doi-pending");
  const { answer, record } = await signUp("newsletter", email);
  assert.deepEqual(answer, { ok: true, record_id: record.record_id, double_opt_in: true, status: "pending" });
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "pending_confirmation");
  assert.equal((await subscriber(email)).state.lists.newsletter.status, "pending");
});

test("the webhook receives a confirmation mail signed with DOI_WEBHOOK_SECRET", async () => {
  const { email, mail } = await pendingWithMail("doi-webhook", { locale: "en" });
  assert.equal(mail.path, "/hook");
  assert.match(mail.headers["content-type"] ?? "", /^application\/json/);
  const { valid, timestamp } = verifySignature(mail.headers["doi-signature"], mail.raw, webhookSecret());
  assert.equal(valid, true, `Doi-Signature ${mail.headers["doi-signature"]} verifies over the raw body`);
  const nowSecs = Date.now() / 1000;
  assert.ok(Math.abs(nowSecs - timestamp) < 600, "the signature's time is the sending time (replay protection)");
  // A signature made with another secret must not verify: the check above can fail.
  assert.equal(verifySignature(mail.headers["doi-signature"], mail.raw, "not-the-secret").valid, false);

  const body = mail.json;
  assert.equal(body.type, "confirmation");
  assert.equal(body.to, email);
  assert.equal(body.locale, "en");
  assert.ok(body.subject.includes(sender("en")), `the subject names the sender: ${body.subject}`);
  assert.match(new URL(body.confirm_url).pathname, /^\/c\/[A-Za-z0-9_-]+$/);
  assert.match(new URL(body.unsubscribe_url).pathname, /^\/u\/[A-Za-z0-9_-]+$/);
  assert.equal(new URL(body.confirm_url).origin, workerOrigin);
  for (const part of [body.text, body.html]) {
    assert.ok(part.includes(body.confirm_url), "the mail carries the confirm link");
    assert.ok(part.includes(body.unsubscribe_url), "the mail carries a 'this wasn't me' link");
    assert.ok(part.includes(postalAddress("en")), "the mail names the sender's postal address");
  }
});

test("a Japanese signup gets its confirmation mail in Japanese", async () => {
  const { mail } = await pendingWithMail("doi-ja", { locale: "ja" });
  assert.equal(mail.json.locale, "ja");
  assert.ok(mail.json.subject.includes(sender("ja")));
});

test("opening the confirm link shows a button and changes nothing", async () => {
  const { email, mail } = await pendingWithMail("doi-get");
  const before = await eventCount(email);
  for (let i = 0; i < 3; i += 1) {
    const response = await fetch(`${mail.json.confirm_url}?lang=en`, { redirect: "manual" });
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.equal(htmlLang(html), "en");
    const [form] = forms(html);
    assert.ok(form, "a form to confirm with");
    assert.equal((form.attrs.method ?? "").toLowerCase(), "post");
    assert.match(form.body, /<button\b|type="submit"/i);
  }
  assert.equal(await eventCount(email), before);
  assert.equal((await check(email)).reason.code, "pending_confirmation");
});

test("pressing the confirm button makes the address sendable", async () => {
  const { email, mail } = await pendingWithMail("doi-confirm", { locale: "en" });
  const { status, text } = await withPage(async (page) => {
    await page.goto(`${mail.json.confirm_url}?lang=en`);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
      page.getByRole("button").first().click(),
    ]);
    await page.waitForLoadState();
    return { status: response.status(), text: await page.locator("body").innerText() };
  });
  assert.equal(status, 200);
  assert.match(text, says.en.confirmed);
  const result = await check(email);
  assert.equal(result.allowed, true, JSON.stringify(result));
  assert.equal(result.reason.code, "consented");
  const events = (await subscriber(email)).events;
  assert.ok(events.some((e) => e.type === "confirmed" && e.list === "newsletter"));
});

test("confirming twice is harmless", async () => {
  const { email, mail } = await pendingWithMail("doi-twice");
  for (let i = 0; i < 2; i += 1) {
    const response = await fetch(mail.json.confirm_url, { method: "POST", redirect: "manual" });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
  }
  assert.equal((await check(email)).allowed, true);
});

test("an expired confirm link is refused with a plain page and confirms nothing", async () => {
  const { email, mail } = await pendingWithMail("doi-expired");
  const ttlHours = configNumber("ttl_hours");
  const token = tokenOf(mail.json.confirm_url);
  const issuedSecs = Math.floor(Date.now() / 1000) - (ttlHours + 1) * 3600;
  // Signed with the real key: only its age is wrong.
  const expired = resign(token, { issuedSecs });
  assert.equal(decode(expired).purpose, PURPOSE.confirm);
  for (const method of ["GET", "POST"]) {
    const response = await fetch(`${workerOrigin}/c/${expired}?lang=en`, { method, redirect: "manual" });
    const html = await response.text();
    assert.equal(response.status, 400, `${method}: ${html.slice(0, 200)}`);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(visibleText(html), says.en.expiredLink);
  }
  assert.equal((await check(email)).reason.code, "pending_confirmation");
});

test("a confirm link just inside its lifetime is accepted, and confirms only a signup made before it", async () => {
  const { email, mail } = await pendingWithMail("doi-fresh-enough");
  const ttlHours = configNumber("ttl_hours");
  const issuedSecs = Math.floor(Date.now() / 1000) - (ttlHours - 1) * 3600;
  const older = resign(tokenOf(mail.json.confirm_url), { issuedSecs });
  const response = await fetch(`${workerOrigin}/c/${older}`, { method: "POST", redirect: "manual" });
  await response.arrayBuffer();
  assert.equal(response.status, 200, "not expired");
  // Issued hours before this signup, the link was for an earlier one: the
  // confirmation of an older pending signup lifts nothing.
  assert.equal((await check(email)).reason.code, "pending_confirmation");
  const current = await fetch(mail.json.confirm_url, { method: "POST", redirect: "manual" });
  await current.arrayBuffer();
  assert.equal((await check(email)).allowed, true);
});

test("a forged or truncated confirm link is refused with a plain page and confirms nothing", async () => {
  const { email, mail } = await pendingWithMail("doi-forged");
  const token = tokenOf(mail.json.confirm_url);
  const bytes = Buffer.from(token, "base64url");
  bytes[bytes.length - 2] ^= 0x40;
  for (const bad of [bytes.toString("base64url"), token.slice(0, -5), token.slice(0, 12)]) {
    for (const method of ["GET", "POST"]) {
      const response = await fetch(`${workerOrigin}/c/${bad}?lang=ja`, { method, redirect: "manual" });
      const html = await response.text();
      assert.equal(response.status, 400, `${method} /c/${bad}`);
      assert.equal(htmlLang(html), "ja");
      assert.match(visibleText(html), says.ja.invalidLink);
    }
  }
  assert.equal((await check(email)).reason.code, "pending_confirmation");
});

test("saving preferences from the confirmation mail's footer does not confirm the signup", async () => {
  const { email, mail } = await pendingWithMail("doi-prefs-pending");
  const link = mail.json.text.match(/https?:\/\/\S+\/p\/[A-Za-z0-9_-]+/)?.[0];
  assert.ok(link, "the confirmation mail's footer links the preference page");
  const saved = await fetch(`${link}?lang=en`, {
    method: "POST",
    body: new URLSearchParams([["action", "save"], ["topics", "product"], ["frequency", "weekly"], ["pause", "0"]]),
    redirect: "manual",
  });
  await saved.arrayBuffer();
  assert.ok(saved.status < 500, `save answered ${saved.status}`);
  const result = await check(email, { topic: "product" });
  assert.equal(result.allowed, false, "only the confirm button confirms");
  assert.equal(result.reason.code, "pending_confirmation");
});

test("the mail's 'this wasn't me' link stops everything, and the confirm link no longer starts mail", async () => {
  const { email, mail } = await pendingWithMail("doi-not-me");
  const notMe = mail.json.not_me_url;
  assert.equal(notMe, `${mail.json.unsubscribe_url}?from=not_me`);
  assert.ok(mail.json.text.includes(notMe), "the mail's 'this wasn't me' link is this one");
  const page = await fetch(`${notMe}&lang=en`);
  assert.equal(page.status, 200);
  // The page's button posts where it was reached, marker included.
  const action = (await page.text()).match(/<form[^>]*action="([^"]*)"/)[1].replaceAll("&amp;", "&");
  assert.match(action, /from=not_me/);
  const stop = await fetch(new URL(action, notMe), {
    method: "POST",
    body: new URLSearchParams({ action: "unsubscribe_all" }),
    redirect: "manual",
  });
  assert.equal(stop.status, 200);
  assert.match(visibleText(await stop.text()), says.en.noMoreMail(sender("en")));
  const stopped = await check(email);
  assert.equal(stopped.allowed, false);
  assert.equal(stopped.reason.via, "not_me", "recorded as 'this wasn't me', not as an ordinary unsubscribe");

  // A confirmation after "not me" must not lift it (only fresh consent can).
  const confirm = await fetch(mail.json.confirm_url, { method: "POST", redirect: "manual" });
  await confirm.arrayBuffer();
  assert.ok(confirm.status < 500, `confirm answered ${confirm.status}`);
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "unsubscribed");
});

test("the 'this wasn't me' link also works as an RFC 8058 one-click target", async () => {
  const { email, mail } = await pendingWithMail("doi-not-me-oneclick");
  const body = new FormData();
  body.append("List-Unsubscribe", "One-Click");
  const response = await fetch(mail.json.unsubscribe_url, { method: "POST", body, redirect: "manual" });
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  const confirm = await fetch(mail.json.confirm_url, { method: "POST", redirect: "manual" });
  await confirm.arrayBuffer();
  assert.equal((await check(email)).allowed, false);
});

test("signing up an address again answers exactly as for a new address (no enumeration)", async () => {
  const form = await formDefinition("newsletter");
  const confirmed = await pendingWithMail("doi-enum-confirmed");
  const c = await fetch(confirmed.mail.json.confirm_url, { method: "POST" });
  await c.arrayBuffer();
  assert.equal((await check(confirmed.email)).allowed, true);
  const pending = await pendingWithMail("doi-enum-pending");
  const fresh = newEmail("doi-enum-new");

  const answers = [];
  for (const email of [fresh, pending.email, confirmed.email]) {
    const record = consentRecord(form, email);
    const response = await subscribe(record);
    const body = await response.json();
    assert.equal(body.record_id, record.record_id);
    answers.push({
      status: response.status,
      contentType: response.headers.get("content-type"),
      body: { ...body, record_id: "(the record's own)" },
    });
  }
  assert.deepEqual(answers[1], answers[0], "an already pending address looks new");
  assert.deepEqual(answers[2], answers[0], "an already confirmed address looks new");
});

test("the hosted signup page answers a known address exactly as a new one", async () => {
  const confirmed = await pendingWithMail("doi-enum-hosted");
  const c = await fetch(confirmed.mail.json.confirm_url, { method: "POST" });
  await c.arrayBuffer();
  const page = await fetch(url("/f/newsletter?lang=en"));
  const fields = hiddenFields(await page.text());
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // person speed
  const answers = [];
  for (const email of [newEmail("doi-enum-hosted-new"), confirmed.email]) {
    const body = new URLSearchParams(fields);
    body.set("record_id", newRecordId());
    body.set("email", email);
    body.set("consent", "yes");
    body.append("topics", "tips"); // the form offers a choice: one must be made
    const response = await fetch(url("/f/newsletter?lang=en"), {
      method: "POST",
      headers: { origin: workerOrigin },
      body,
      redirect: "manual",
    });
    answers.push({ status: response.status, html: await response.text() });
  }
  assert.equal(answers[0].status, 200, answers[0].html.slice(0, 300));
  assert.deepEqual(answers[1], answers[0]);
});

test("confirmation mails to one address are capped; the form answers the same regardless", async () => {
  const max = configNumber("max_per_address_per_day");
  const form = await formDefinition("newsletter");
  const victim = newEmail("doi-bomb");
  const answers = [];
  for (let i = 0; i < max + 3; i += 1) {
    const record = consentRecord(form, victim);
    const response = await subscribe(record);
    const body = await response.json();
    answers.push({ status: response.status, body: { ...body, record_id: body.record_id === record.record_id } });
  }
  for (const answer of answers) assert.deepEqual(answer, answers[0], "every attempt gets the same answer");
  assert.equal(answers[0].status, 200);

  // Mail to someone else, sent after all of those: once it has arrived, any
  // mail the victim's signups were going to cause has been sent too.
  const marker = newEmail("doi-bomb-marker");
  await signUp("newsletter", marker);
  await waitForMails(marker, 1);
  const received = await mailsTo(victim);
  assert.equal(received.length, max, `at most ${max} confirmation mails per address per day`);
});

test("signup to a double opt-in form stays pending even when the browser claims to be confirmed", async () => {
  const email = newEmail("doi-claim");
  const form = await formDefinition("newsletter");
  const record = { ...consentRecord(form, email), double_opt_in: false, status: "subscribed" };
  const response = await subscribe(record);
  await response.arrayBuffer();
  // Unknown fields are refused outright, or ignored; never obeyed.
  assert.ok(response.status === 200 || (response.status >= 400 && response.status < 500));
  assert.equal((await check(email)).allowed, false);
});

test("when the sender's webhook fails, the signup says so (502, retryable) and a retry delivers once", async () => {
  const form = await formDefinition("newsletter");
  const email = newEmail("doi-webhook-down");
  const record = consentRecord(form, email);
  await refuseNext(1, 500);
  const failed = await subscribe(record);
  const error = await failed.json();
  assert.equal(failed.status, 502, JSON.stringify(error));
  assert.equal(error.error.code, "delivery_failed");
  assert.equal(error.error.retryable, true);
  assert.equal((await check(email)).allowed, false, "nothing is sendable before the person confirms");

  const retried = await subscribe(record);
  assert.equal(retried.status, 200);
  assert.deepEqual(await retried.json(), { ok: true, record_id: record.record_id, double_opt_in: true, status: "pending" });
  const attempts = await waitForMails(email, 2);
  assert.deepEqual(
    attempts.map((m) => m.answered),
    [500, 200],
    "one failed attempt, then one delivered mail",
  );
  assert.equal((await subscriber(email)).events.filter((e) => e.type === "subscribed").length, 1, "the retry stored nothing new");
});
