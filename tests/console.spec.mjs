// The sender's console at /admin through the real Worker under wrangler dev:
// nothing is reachable signed out, the token sign-in gives a strict cookie,
// and one person is looked up, proven, suppressed and erased in Chromium,
// with what /v1/check answers afterwards. A CSV upload suppresses a list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { get, limits, postForm, newEmail, fullWidth, workerOrigin } from "./lib/http.mjs";
import { withPage, submit } from "./lib/browser.mjs";
import { signUp, consentText } from "./lib/consent.mjs";
import { check } from "./lib/sender.mjs";
import { consoleRoutes, signIn, lookUp } from "./lib/console.mjs";

function framedByNobodyAndNeverStored(response, what) {
  assert.equal(response.headers.get("cache-control"), "no-store", what);
  assert.equal(response.headers.get("x-frame-options"), "DENY", what);
  assert.match(response.headers.get("content-security-policy"), /frame-ancestors 'none'/, what);
}

test("every console route refuses without sign-in, and with a forged cookie", async () => {
  for (const cookie of [undefined, "doi_console=v1.9999999999999.bm9uY2U.AAAA"]) {
    for (const [method, path] of consoleRoutes) {
      const response = await fetch(new URL(path, workerOrigin), {
        method,
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
        body: method === "GET" ? undefined : "csrf=x&email=someone%40example.com&confirm=yes",
      });
      const what = `${method} ${path} ${cookie ? "forged" : "signed out"}`;
      assert.equal(response.status, 401, what);
      framedByNobodyAndNeverStored(response, what);
      assert.match(await response.text(), /name="token"/, `${what}: offers the sign-in form`);
    }
  }
});

test("a wrong token is refused and the right one gives an HttpOnly, Secure, SameSite=Strict session", async () => {
  const wrong = await postForm("/admin/sign-in?lang=en", { token: "guess" }, { headers: { origin: workerOrigin } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get("set-cookie"), null);
  await withPage(async (page, context) => {
    const refused = await signIn(page, "en", "not-the-token");
    assert.equal(refused.status(), 401);
    assert.match(await page.locator("[role=alert]").innerText(), /not right/);
    const signedIn = await signIn(page, "en");
    assert.equal(signedIn.status(), 303, "the sign-in answers with a redirect to the console");
    assert.equal(new URL(page.url()).pathname, "/admin");
    assert.match(await page.locator("header").innerText(), /Signed in as: API token holder/);
    const [cookie] = (await context.cookies()).filter((c) => c.name === "doi_console");
    assert.ok(cookie, "the session cookie is set");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.path, "/admin");
    const lifetime = cookie.expires - Date.now() / 1000;
    assert.ok(lifetime > 7 * 3600 && lifetime <= 8 * 3600 + 5, `expires in 8 hours, not ${lifetime} s`);
    await submit(page, page.getByRole("button", { name: "Sign out" }));
    assert.equal((await page.goto("/admin")).status(), 401, "signed out");
  });
});

test("a console form without its CSRF token is refused even with the session cookie", async () => {
  await withPage(async (page, context) => {
    await signIn(page, "en");
    const cookie = (await context.cookies()).find((c) => c.name === "doi_console");
    const response = await postForm("/admin/person?lang=en", { email: "a@example.com" }, {
      headers: { cookie: `doi_console=${cookie.value}` },
    });
    assert.equal(response.status, 403);
    framedByNobodyAndNeverStored(response, "refused form");
  });
});

test("one person is looked up, proven, suppressed after a confirmation, and /v1/check agrees", async () => {
  const email = newEmail("console");
  const { form } = await signUp("whitepaper", email, { locale: "en" });
  await withPage(async (page) => {
    await signIn(page, "en");
    // The address goes in the form, as a Japanese IME in full-width mode types it.
    const person = await lookUp(page, fullWidth(email));
    assert.equal(person.status(), 200);
    assert.equal(new URL(page.url()).search, "?lang=en", "no address in the URL");
    const main = await page.locator("main").innerText();
    assert.match(main, new RegExp(email.replace(/[.]/g, "\\.")));
    assert.match(main, /Log check: every event links and verifies/);
    assert.match(main, /subscribed/);
    assert.match(main, /JST/);
    await submit(page, page.getByRole("button", { name: "Proof of consent (printable)" }));
    const proof = await page.locator("main").innerText();
    assert.ok(proof.includes(consentText(form, "en").text), "the exact consent text as shown");
    assert.match(proof, /signup widget on the site/);
    assert.match(proof, /UTC/);
    assert.equal((await check(email, { list: form.list })).allowed, true);
    await lookUp(page, email);
    await submit(page, page.getByRole("button", { name: "Suppress" }));
    assert.match(await page.locator("h1").innerText(), /Are you sure\?/);
    assert.equal((await check(email, { list: form.list })).allowed, true, "asking changes nothing");
    await page.locator("#reason").selectOption("complaint");
    await submit(page, page.getByRole("button", { name: "Yes, suppress" }));
    assert.match(await page.locator("[role=status]").first().innerText(), /Suppressed/);
    const after = await check(email, { list: form.list });
    assert.equal(after.allowed, false);
    assert.equal(after.reason.code, "unsubscribed");
    await submit(page, page.getByRole("button", { name: "Erase personal data" }));
    // Inside the record-keeping period (once any mail was prepared) an
    // erasure takes a legal reason, which its signed receipt records.
    await page.locator("#legal").selectOption("gdpr_erasure");
    await submit(page, page.getByRole("button", { name: "Yes, erase" }));
    assert.match(await page.locator("[role=status]").first().innerText(), /Erased/);
    assert.equal((await check(email, { list: form.list })).reason.code, "erased");
  });
});

test("a CSV upload suppresses its addresses and names the lines it could not read", async () => {
  const [a, b] = [newEmail("console-csv"), newEmail("console-csv")];
  const { form } = await signUp("whitepaper", a);
  await signUp("whitepaper", b);
  await withPage(async (page) => {
    await signIn(page, "ja");
    await page.goto("/admin/suppress-list?lang=ja");
    assert.match(await page.locator("main").innerText(), new RegExp(`1回に${limits.CHANGE_BATCH}件まで`));
    const csv = `名前,メールアドレス\r\n佐藤,${a}\r\n誰か,not-an-address\r\n鈴木,${b}\r\n`;
    await page.locator("#file").setInputFiles({ name: "list.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.locator("#reason").selectOption("bounce");
    const done = await submit(page, page.locator("main button[type=submit]"));
    assert.equal(done.status(), 200);
    assert.match(await page.locator("[role=status]").innerText(), /2件を配信停止にしました/);
    assert.match(await page.locator("tbody").innerText(), /3\s+not-an-address/);
  });
  for (const email of [a, b]) assert.equal((await check(email, { list: form.list })).reason.code, "unsubscribed");
});

test("the export downloads as NDJSON from the console", async () => {
  const email = newEmail("console-export");
  await signUp("whitepaper", email);
  await withPage(async (page) => {
    await signIn(page, "en");
    await page.goto("/admin/export?lang=en");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download this page/ }).click()]);
    assert.equal(download.suggestedFilename(), "doi-export.ndjson");
    const lines = (await streamText(await download.createReadStream())).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(lines.length >= 1 && lines.every((l) => l.subscriber_id && Array.isArray(l.events)));
  }, { acceptDownloads: true });
});

async function streamText(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

test("the console's sign-in page needs no sign-in and is never stored", async () => {
  const response = await get("/admin/sign-in?lang=ja");
  assert.equal(response.status, 200);
  framedByNobodyAndNeverStored(response, "sign-in");
  assert.match(await response.text(), /<html lang="ja"/);
});
