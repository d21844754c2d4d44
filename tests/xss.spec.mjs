// Every input that can reach a page comes back escaped: a corpus of XSS
// payloads through ?lang=, Accept-Language, token path segments, the reason
// for leaving, the hosted signup form's fields and the page URL kept as
// evidence. Checked in the HTML itself and, in Chromium, by no dialog firing.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { newEmail, url, workerOrigin } from "./lib/http.mjs";
import { consentRecord, formDefinition, signUp, subscribe } from "./lib/consent.mjs";
import { links } from "./lib/sender.mjs";
import { waitForMails } from "./lib/mailbox.mjs";
import { launch } from "./lib/browser.mjs";
import { hiddenFields } from "./lib/pages.mjs";
import { findings, headerPayloads, payloads } from "./lib/xss.mjs";

let fixture;
before(async () => {
  const email = newEmail("xss");
  await signUp("whitepaper", email);
  const pending = newEmail("xss-pending");
  await signUp("newsletter", pending);
  const [confirmation] = await waitForMails(pending, 1);
  fixture = { email, mail: await links(email), confirmUrl: confirmation.json.confirm_url };
});

/** Fetches `request(payload)` for every payload and collects what got through. */
async function sweep(corpus, request) {
  const failures = [];
  for (const entry of corpus) {
    const [target, init = {}] = await request(entry.payload);
    const response = await fetch(target, { redirect: "manual", ...init });
    const body = await response.text();
    const type = response.headers.get("content-type") ?? "";
    const what = `${init.method ?? "GET"} ${target.slice(0, 90)}`;
    if (response.status >= 500) failures.push(`${what}: status ${response.status}`);
    if (/html/i.test(type) || /<html/i.test(body)) {
      for (const finding of findings(body, entry)) failures.push(`${what} [${entry.payload.slice(0, 40)}]: ${finding}`);
    } else if (!/json/i.test(type) && body.includes(entry.payload)) {
      failures.push(`${what}: the payload came back as ${type || "no content type"}`);
    }
  }
  return failures;
}

const withLang = (target, payload) => {
  const u = new URL(target);
  u.searchParams.set("lang", payload);
  return u.href;
};

test("?lang= is escaped on every page", async () => {
  const pages = [
    fixture.mail.unsubscribe_url,
    fixture.mail.preferences_url,
    fixture.confirmUrl,
    url("/f/newsletter"),
    url("/u/not-a-token"),
  ];
  const failures = [];
  for (const page of pages) failures.push(...(await sweep(payloads, (p) => [withLang(page, p)])));
  assert.deepEqual(failures, []);
});

test("Accept-Language is escaped on every page", async () => {
  const pages = [fixture.mail.unsubscribe_url, fixture.mail.preferences_url, url("/f/whitepaper"), url("/c/not-a-token")];
  const failures = [];
  for (const page of pages) {
    failures.push(...(await sweep(headerPayloads, (p) => [page, { headers: { "accept-language": p } }])));
  }
  assert.deepEqual(failures, []);
});

test("token path segments are escaped on the error page", async () => {
  const failures = [];
  for (const route of ["u", "p", "c", "f"]) {
    failures.push(...(await sweep(payloads, (p) => [`${workerOrigin}/${route}/${encodeURIComponent(p)}?lang=en`])));
    failures.push(
      ...(await sweep(payloads, (p) => [
        `${workerOrigin}/${route}/${encodeURIComponent(p)}`,
        { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) },
      ])),
    );
  }
  assert.deepEqual(failures, []);
});

test("a reason for leaving is escaped", async () => {
  const failures = [];
  const target = `${fixture.mail.preferences_url}?lang=en`;
  failures.push(...(await sweep(payloads, (p) => [target, { method: "POST", body: new URLSearchParams({ action: "reason", reason: p }) }])));
  failures.push(
    ...(await sweep(payloads, (p) => [target, { method: "POST", body: new URLSearchParams({ action: "unsubscribe_all", reason: p }) }])),
  );
  failures.push(...(await sweep(payloads, (p) => [target, { method: "POST", body: new URLSearchParams({ action: p }) }])));
  failures.push(
    ...(await sweep(payloads, (p) => [
      target,
      { method: "POST", body: new URLSearchParams([["action", "save"], ["topics", p], ["frequency", p], ["pause", p]]) },
    ])),
  );
  assert.deepEqual(failures, []);
});

test("the hosted signup form's fields are escaped when the page answers", async () => {
  const page = await fetch(url("/f/newsletter?lang=en"));
  const fields = hiddenFields(await page.text());
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // person speed
  const failures = [];
  for (const field of ["email", "topics", "locale", "consent", "consent_version", "record_id", "rendered_at", "website"]) {
    failures.push(
      ...(await sweep(payloads, (p) => {
        const body = new URLSearchParams(fields);
        body.set("email", field === "email" ? p : newEmail("xss-form"));
        body.set("consent", "yes");
        body.set(field, p);
        return [url("/f/newsletter?lang=en"), { method: "POST", headers: { origin: workerOrigin }, body }];
      })),
    );
  }
  assert.deepEqual(failures, []);
});

test("a page URL kept as evidence never reaches a page unescaped", async () => {
  const form = await formDefinition("whitepaper");
  const email = newEmail("xss-page-url");
  const first = consentRecord(form, email, { page_url: `${workerOrigin}/${payloads[0].payload}` });
  const answer = await subscribe(first);
  assert.equal(answer.status, 200, await answer.text());
  for (const { payload } of payloads.slice(1)) {
    const response = await subscribe(consentRecord(form, email, { page_url: payload }));
    assert.ok(response.status < 500, `page_url ${payload.slice(0, 30)} answered ${response.status}`);
    const type = response.headers.get("content-type") ?? "";
    assert.match(type, /json/, "the API answers JSON, never HTML");
    await response.arrayBuffer();
  }
  const mail = await links(email);
  const failures = [];
  for (const target of [mail.unsubscribe_url, mail.preferences_url, `${mail.preferences_url}?lang=en`]) {
    failures.push(...(await sweep(payloads, () => [target])));
  }
  assert.deepEqual(failures, []);
});

test("in Chromium, no payload opens a dialog on any page", async () => {
  const browser = await launch();
  const fired = [];
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("dialog", async (dialog) => {
      fired.push(`${page.url().slice(0, 90)}: ${dialog.message()}`);
      await dialog.dismiss();
    });
    const visit = async (target, headers = {}) => {
      await page.setExtraHTTPHeaders(headers);
      await page.goto(target, { waitUntil: "load" });
    };
    for (const { payload } of payloads) {
      await visit(withLang(fixture.mail.preferences_url, payload));
      await visit(withLang(url("/f/newsletter"), payload));
      await visit(`${workerOrigin}/u/${encodeURIComponent(payload)}`);
    }
    for (const { payload } of headerPayloads) {
      await visit(fixture.mail.unsubscribe_url, { "accept-language": payload });
    }
    await page.setExtraHTTPHeaders({});
    // The hosted form, posted by the browser itself with a payload in each field.
    for (const { payload } of payloads) {
      await page.goto(url("/f/newsletter?lang=en"));
      await Promise.all([
        page.waitForNavigation(),
        page.evaluate((value) => {
          const form = document.querySelector("form");
          for (const input of form.querySelectorAll("input")) {
            if (input.type === "checkbox") input.checked = true;
            else if (input.type !== "submit") input.value = value;
          }
          form.setAttribute("novalidate", "");
          HTMLFormElement.prototype.submit.call(form);
        }, payload),
      ]);
    }
  } finally {
    await browser.close();
  }
  assert.deepEqual(fired, []);
});
