// Links that are not ours (forged, truncated, signed by a foreign or retired
// key, made for another purpose) get a plain error page in the reader's
// language: never a 5xx, never a change to anyone's consent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail, workerOrigin } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, eventCount, links } from "./lib/sender.mjs";
import { waitForMails } from "./lib/mailbox.mjs";
import { PURPOSE, badVariants, keyFor, resign, signingKeys, tokenOf } from "./lib/tokens.mjs";
import { htmlLang, says, visibleText } from "./lib/pages.mjs";

/** A subscriber with genuine /u, /p and /c tokens (the last from a pending signup). */
async function genuineTokens() {
  const email = newEmail("tokens");
  await signUp("whitepaper", email);
  const mail = await links(email);
  const pending = newEmail("tokens-pending");
  await signUp("newsletter", pending);
  const [confirmation] = await waitForMails(pending, 1);
  return {
    email,
    pending,
    u: tokenOf(mail.unsubscribe_url),
    p: tokenOf(mail.preferences_url),
    c: tokenOf(confirmation.json.confirm_url),
  };
}

const OTHER_PURPOSE = { u: PURPOSE.confirm, p: PURPOSE.unsubscribe, c: PURPOSE.preferences };

/** Every request a page route takes, with a body that would act if the token were good. */
const REQUESTS = [
  ["GET", undefined],
  ["POST", () => new URLSearchParams({ "List-Unsubscribe": "One-Click" })],
  ["POST", () => {
    const form = new FormData();
    form.append("List-Unsubscribe", "One-Click");
    return form;
  }],
  ["POST", () => new URLSearchParams({ action: "unsubscribe_all" })],
  ["POST", () => new URLSearchParams([["action", "save"], ["topics", "product"], ["frequency", "monthly"]])],
];

/** Asserts that `path` answers every request with a plain 400 page in `locale`. */
async function refusesPlainly(path, { locale, headers = {}, query = "" }) {
  for (const [method, body] of REQUESTS) {
    const response = await fetch(`${workerOrigin}${path}${query}`, {
      method,
      headers,
      body: body?.(),
      redirect: "manual",
    });
    const html = await response.text();
    const what = `${method} ${path.slice(0, 60)}${query}`;
    assert.equal(response.status, 400, `${what} answered ${response.status}: ${html.slice(0, 200)}`);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/, what);
    assert.equal(htmlLang(html), locale, what);
    assert.match(visibleText(html), says[locale].invalidLink, what);
  }
}

test("bad tokens on /u, /p and /c get a plain 400 page and change nobody's consent", async (t) => {
  const tokens = await genuineTokens();
  const before = { email: await eventCount(tokens.email), pending: await eventCount(tokens.pending) };
  for (const route of ["u", "p", "c"]) {
    const variants = badVariants(tokens[route], { otherPurpose: OTHER_PURPOSE[route] });
    for (const [name, bad] of Object.entries(variants)) {
      await t.test(`${name} on /${route}`, () => refusesPlainly(`/${route}/${bad}`, { locale: "en", query: "?lang=en" }));
    }
  }
  assert.equal(await eventCount(tokens.email), before.email, "the subscriber's log is untouched");
  assert.equal(await eventCount(tokens.pending), before.pending, "the pending signup's log is untouched");
  assert.equal((await check(tokens.email)).allowed, true);
  assert.equal((await check(tokens.pending)).reason.code, "pending_confirmation");
});

test("the error page speaks the reader's language (Accept-Language, then ?lang=)", async () => {
  const tokens = await genuineTokens();
  const forged = `${tokens.u.slice(0, -3)}AAA`;
  await refusesPlainly(`/u/${forged}`, { locale: "ja", headers: { "accept-language": "ja-JP,ja;q=0.9" } });
  await refusesPlainly(`/p/${forged}`, { locale: "en", headers: { "accept-language": "en-US" } });
  await refusesPlainly(`/c/${forged}`, { locale: "en", headers: { "accept-language": "ja" }, query: "?lang=en" });
  await refusesPlainly(`/u/${forged}`, { locale: "ja", headers: { "accept-language": "en" }, query: "?lang=ja" });
});

test("links that are not tokens at all get the same plain page", async () => {
  for (const junk of ["x", "not-a-token", "AAAA", "%00", "..%2F..%2Fetc%2Fpasswd", "%E2%80%AE", "a".repeat(2000)]) {
    for (const route of ["u", "p", "c"]) {
      const response = await fetch(`${workerOrigin}/${route}/${junk}?lang=en`, { redirect: "manual" });
      const html = await response.text();
      assert.ok(response.status >= 400 && response.status < 500, `/${route}/${junk.slice(0, 20)} answered ${response.status}`);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.doesNotMatch(html, /panicked|RuntimeError|stack backtrace/i);
    }
  }
});

test("a link signed with an older key that is still in the keyring keeps working", async () => {
  const keys = signingKeys();
  assert.ok(keys.length >= 2, "the local keyring has an older key to rotate from");
  const older = keys[keys.length - 1];
  const email = newEmail("tokens-rotated");
  await signUp("whitepaper", email);
  const mail = await links(email);
  const rotated = resign(tokenOf(mail.unsubscribe_url), { kid: older.kid }, keyFor(older.kid).key);
  const page = await fetch(`${workerOrigin}/u/${rotated}?lang=en`, { redirect: "manual" });
  await page.arrayBuffer();
  assert.equal(page.status, 200, "the page opens");
  const body = new FormData();
  body.append("List-Unsubscribe", "One-Click");
  const response = await fetch(`${workerOrigin}/u/${rotated}`, { method: "POST", body, redirect: "manual" });
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  assert.equal((await check(email)).allowed, false, "and it unsubscribes");
});

test("an unsubscribe link never expires, however old", async () => {
  const email = newEmail("tokens-old");
  await signUp("whitepaper", email);
  const mail = await links(email);
  const yearAgo = Math.floor(Date.now() / 1000) - 400 * 24 * 3600;
  const old = resign(tokenOf(mail.unsubscribe_url), { issuedSecs: yearAgo });
  const response = await fetch(`${workerOrigin}/u/${old}`, {
    method: "POST",
    body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
    redirect: "manual",
  });
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  assert.equal((await check(email)).allowed, false);
});

test("a valid token for another list that does not exist is refused without a 5xx", async () => {
  const email = newEmail("tokens-list");
  await signUp("whitepaper", email);
  const mail = await links(email);
  const otherList = resign(tokenOf(mail.unsubscribe_url), { list: "no-such-list" });
  const response = await fetch(`${workerOrigin}/u/${otherList}?lang=en`, {
    method: "POST",
    body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
    redirect: "manual",
  });
  await response.arrayBuffer();
  assert.ok(response.status < 500, `answered ${response.status}`);
  assert.equal((await check(email)).allowed, true, "the real list is untouched");
});
