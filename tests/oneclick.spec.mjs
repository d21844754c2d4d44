// RFC 8058 one-click unsubscribe: the mail client POSTs
// "List-Unsubscribe=One-Click" to the List-Unsubscribe URL, with no cookie and
// no login, and from then on the sender may not mail that person. And mail
// scanners that GET every link change nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail, url, workerOrigin } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, eventCount, links, subscriber } from "./lib/sender.mjs";
import { decodeEntities, postalAddress, sender, visibleText } from "./lib/pages.mjs";
import { oneClick } from "./lib/recipient.mjs";

/** The http(s) URL inside a `List-Unsubscribe` header value. */
function httpUrlOf(listUnsubscribe) {
  const urls = [...listUnsubscribe.matchAll(/<([^>]+)>/g)].map((m) => m[1]);
  const http = urls.filter((u) => /^https?:\/\//.test(u));
  assert.equal(http.length, 1, `one web URL in List-Unsubscribe: ${listUnsubscribe}`);
  return http[0];
}

/** A subscriber on the newsletter list (no double opt-in) and their mail links. */
async function subscribedWithLinks(tag, { topic } = {}) {
  const email = newEmail(tag);
  await signUp("whitepaper", email);
  assert.equal((await check(email)).allowed, true, "sendable before unsubscribing");
  return { email, mail: await links(email, { topic }) };
}

test("/v1/links gives the List-Unsubscribe headers for RFC 8058", async () => {
  const { mail } = await subscribedWithLinks("links");
  assert.equal(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
  const target = httpUrlOf(mail.list_unsubscribe);
  assert.equal(target, mail.unsubscribe_url);
  assert.equal(new URL(target).origin, workerOrigin);
  assert.match(new URL(target).pathname, /^\/u\/[A-Za-z0-9_-]+$/);
  assert.match(new URL(mail.preferences_url).pathname, /^\/p\/[A-Za-z0-9_-]+$/);
  assert.ok(target.length < 300, "the URL fits comfortably in a header line");
});

for (const locale of ["ja", "en"]) {
  test(`[${locale}] /v1/links gives a footer with the sender's name, postal address, contact and both links`, async () => {
    const email = newEmail(`footer-${locale}`);
    await signUp("whitepaper", email);
    const mail = await links(email, { locale });
    for (const footer of [mail.footer_text, visibleText(mail.footer_html)]) {
      assert.ok(footer.includes(sender(locale)), `the sender's name: ${footer}`);
      assert.ok(footer.includes(postalAddress(locale)), `the postal address: ${footer}`);
    }
    assert.ok(mail.footer_text.includes(mail.unsubscribe_url));
    assert.ok(mail.footer_text.includes(mail.preferences_url));
    const hrefs = [...mail.footer_html.matchAll(/href="([^"]*)"/g)].map((m) => decodeEntities(m[1]));
    assert.ok(hrefs.includes(mail.unsubscribe_url), "the HTML footer links the unsubscribe page");
    assert.ok(hrefs.includes(mail.preferences_url), "the HTML footer links the preference page");
  });
}

for (const encoding of ["multipart", "urlencoded"]) {
  test(`one-click POST as ${encoding === "multipart" ? "multipart/form-data" : "application/x-www-form-urlencoded"} unsubscribes, with 200 and no redirect`, async () => {
    const { email, mail } = await subscribedWithLinks(`oneclick-${encoding}`);
    const target = httpUrlOf(mail.list_unsubscribe);
    const before = Date.now();
    const response = await oneClick(target, encoding);
    await response.arrayBuffer();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("location"), null, "no redirect");
    assert.equal(response.headers.get("set-cookie"), null, "nothing to remember the person by");

    const result = await check(email);
    assert.equal(result.allowed, false);
    assert.equal(result.reason.code, "unsubscribed");
    assert.equal(result.reason.via, "one_click");
    assert.ok(result.reason.at >= before - 5_000, "the unsubscribe is dated when it happened");
    for (const topic of ["product", "tips"]) {
      assert.equal((await check(email, { topic })).allowed, false, `topic ${topic} is refused too`);
    }
  });
}

test("repeating the one-click POST is harmless: 200 again, still unsubscribed", async () => {
  const { email, mail } = await subscribedWithLinks("oneclick-repeat");
  const target = httpUrlOf(mail.list_unsubscribe);
  for (const encoding of ["multipart", "urlencoded", "multipart"]) {
    const response = await oneClick(target, encoding);
    await response.arrayBuffer();
    assert.equal(response.status, 200);
  }
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "unsubscribed");
  assert.equal(result.reason.via, "one_click");
});

test("a one-click link for one topic stops that topic and leaves the others", async () => {
  const { email, mail } = await subscribedWithLinks("oneclick-topic", { topic: "tips" });
  const response = await oneClick(httpUrlOf(mail.list_unsubscribe), "multipart");
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  assert.equal((await check(email, { topic: "tips" })).allowed, false);
  assert.equal((await check(email, { topic: "product" })).allowed, true);
});

test("an unsubscribe link keeps working after the person signs up again elsewhere", async () => {
  const { email, mail } = await subscribedWithLinks("oneclick-later");
  await signUp("seminar", email); // a later signup adds topics, the old link must still stop mail
  const response = await oneClick(httpUrlOf(mail.list_unsubscribe), "urlencoded");
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  assert.equal((await check(email)).allowed, false);
  assert.equal((await check(email, { topic: "events" })).allowed, false);
});

test("the one-click unsubscribe is kept in the subscriber's log as proof", async () => {
  const { email, mail } = await subscribedWithLinks("oneclick-log");
  const response = await oneClick(httpUrlOf(mail.list_unsubscribe), "multipart");
  await response.arrayBuffer();
  const events = (await subscriber(email)).events;
  assert.ok(events.some((e) => e.type === "unsubscribed" && e.via === "one_click"));
  assert.equal((await check(email)).allowed, false);
});

test("fetching the unsubscribe and preference pages many times changes nothing", async () => {
  const { email, mail } = await subscribedWithLinks("get-safe");
  const before = await eventCount(email);
  for (let i = 0; i < 5; i += 1) {
    for (const target of [mail.unsubscribe_url, mail.preferences_url]) {
      const response = await fetch(target, { redirect: "manual" });
      const html = await response.text();
      assert.equal(response.status, 200, `GET ${target}: ${html.slice(0, 200)}`);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    }
    // Link scanners also send HEAD and prefetch with odd headers.
    const head = await fetch(mail.unsubscribe_url, { method: "HEAD", redirect: "manual" });
    assert.ok(head.status < 500, `HEAD answered ${head.status}`);
    const prefetch = await fetch(mail.unsubscribe_url, {
      headers: { purpose: "prefetch", "sec-purpose": "prefetch" },
      redirect: "manual",
    });
    await prefetch.arrayBuffer();
  }
  assert.equal(await eventCount(email), before);
  const result = await check(email);
  assert.equal(result.allowed, true, JSON.stringify(result));
  assert.equal(result.reason.code, "consented");
});

test("a GET carrying the one-click words in its query changes nothing", async () => {
  const { email, mail } = await subscribedWithLinks("get-query");
  const target = new URL(mail.unsubscribe_url);
  target.searchParams.set("List-Unsubscribe", "One-Click");
  const response = await fetch(target, { redirect: "manual" });
  await response.arrayBuffer();
  assert.ok(response.status < 500);
  assert.equal((await check(email)).allowed, true);
});

/** Five subscribers, each with a one-click and a preference save sent at the same moment. */
async function race(tag) {
  const racers = [];
  for (let i = 0; i < 5; i += 1) racers.push(await subscribedWithLinks(`${tag}-${i}`));
  const statuses = await Promise.all(
    racers.flatMap(({ mail }) => [
      oneClick(httpUrlOf(mail.list_unsubscribe), "multipart").then((r) => r.arrayBuffer().then(() => r.status)),
      fetch(mail.preferences_url, {
        method: "POST",
        body: new URLSearchParams([["action", "save"], ["topics", "product"], ["topics", "tips"], ["frequency", "monthly"]]),
        redirect: "manual",
      }).then((r) => r.arrayBuffer().then(() => r.status)),
    ]),
  );
  assert.deepEqual(statuses, statuses.map(() => 200), "both writes were accepted");
  return racers;
}

test("a one-click racing a preference save: both events are kept, and the log says no mail", async () => {
  for (const { email } of await race("race-log")) {
    const proof = await subscriber(email);
    assert.ok(proof.events.some((e) => e.type === "unsubscribed" && e.via === "one_click"), "the unsubscribe is kept");
    assert.ok(proof.events.some((e) => e.type === "preferences_changed"), "the preference change is kept");
    assert.equal(proof.state.lists.newsletter.status, "unsubscribed");
  }
});

test("after such a race, the scheduled repair makes /v1/check say no mail", async () => {
  const racers = await race("race-repair");
  // wrangler dev's way to run the Worker's cron handler now.
  const cron = await fetch(url("/cdn-cgi/local/scheduled"));
  await cron.arrayBuffer();
  assert.equal(cron.status, 200);
  for (const { email } of racers) {
    const result = await check(email);
    assert.equal(result.allowed, false, `${email}: ${JSON.stringify(result.reason)}`);
    assert.equal(result.reason.code, "unsubscribed");
  }
});

test("/v1/check says no mail right after a one-click that raced a preference save", async () => {
  // The person got "200, unsubscribed": a mailing run started a minute later
  // must not mail them (the stricter reading of issue 6: no waiting for cron).
  for (const { email } of await race("race-now")) {
    const result = await check(email);
    assert.equal(result.allowed, false, `${email}: ${JSON.stringify(result.reason)}`);
  }
});
