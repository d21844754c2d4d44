// "Lost the mail? Get a link" (/m): the same answer whether or not the
// address is known (status, headers, words), a mail with a fresh preference
// link only to a known address, delivered after the answer through the
// confirmation delivery path into the local inbox, at most three a day per
// address; linked from every hosted page and every mail footer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail, url } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { links, subscriberResponse } from "./lib/sender.mjs";
import { mailsTo, waitForMails } from "./lib/mailbox.mjs";
import { submit, withPage } from "./lib/browser.mjs";
import { htmlLang, visibleText } from "./lib/pages.mjs";

const ask = (email, lang = "en") =>
  fetch(url(`/m?lang=${lang}`), {
    method: "POST",
    body: new URLSearchParams({ email, website: "" }),
    redirect: "manual",
  });

/** What a visitor can see of an answer: status, headers but the date, body. */
async function seen(response) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== "date"));
  return { status: response.status, headers, body: await response.text() };
}

test("a known and an unknown address get the very same answer", async () => {
  const known = newEmail("manage-known");
  await signUp("whitepaper", known);
  const unknown = newEmail("manage-unknown");
  for (const lang of ["ja", "en"]) {
    const a = await seen(await ask(known, lang));
    const b = await seen(await ask(unknown, lang));
    assert.equal(a.status, 200);
    assert.deepEqual(a, b, `${lang}: the answer tells nothing about the address`);
    assert.equal(htmlLang(a.body), lang);
  }
  assert.equal((await subscriberResponse(unknown)).status, 404, "asking stores no subscriber");
});

test("only the known address gets a mail, with a fresh preference link that works", async () => {
  const known = newEmail("manage-mail");
  await signUp("whitepaper", known);
  const unknown = newEmail("manage-nomail");
  await ask(unknown);
  await ask(known, "ja");
  const [mail] = await waitForMails(known, 1);
  assert.equal(mail.json.type, "manage_link");
  assert.equal(mail.json.locale, "ja");
  const prefs = new URL(mail.json.preferences_url);
  assert.match(prefs.pathname, /^\/p\/[A-Za-z0-9_-]+$/);
  const page = await fetch(prefs);
  assert.equal(page.status, 200);
  assert.ok(mail.json.text.includes(mail.json.preferences_url));
  // The unknown address was asked for first; by now its mail would be here.
  assert.equal((await mailsTo(unknown)).length, 0, "no mail for an unknown address");
});

test("an address gets at most three links a day, and the answer never changes", async () => {
  const known = newEmail("manage-cap");
  await signUp("whitepaper", known);
  const first = await seen(await ask(known));
  for (let i = 0; i < 4; i += 1) assert.deepEqual(await seen(await ask(known)), first);
  await waitForMails(known, 3);
  // A marker asked for after the capped ones: once its mail is here, any
  // fourth mail to the capped address would be too.
  const marker = newEmail("manage-cap-marker");
  await signUp("whitepaper", marker);
  await ask(marker);
  await waitForMails(marker, 1);
  assert.equal((await mailsTo(known)).length, 3);
});

test("in a browser, the page takes an address and answers in the page's language; every hosted page links it", async () => {
  const email = newEmail("manage-browser");
  await signUp("whitepaper", email);
  const text = await withPage(async (page) => {
    await page.goto("/f/whitepaper?lang=en");
    await page.getByRole("link", { name: /lost the mail/i }).click();
    await page.waitForLoadState();
    assert.match(new URL(page.url()).pathname, /^\/m$/);
    await page.getByRole("textbox", { name: /email/i }).fill(email);
    const response = await submit(page, page.getByRole("button", { name: /send me a link/i }));
    assert.equal(response.status(), 200);
    return page.locator("main").innerText();
  });
  assert.match(text, /if this address is subscribed/i);
  await waitForMails(email, 1);
  const footer = (await links(email)).footer_text;
  assert.match(footer, /\/m\?lang=/, "the mail footer links the page");
  assert.match(visibleText(await (await fetch(url("/m?lang=ja"))).text()), /リンクを送る/);
});
