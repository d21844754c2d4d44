// The double opt-in confirmation page against link scanners and people.
// GET changes nothing; the page carries one script, allowed by its hash in
// the CSP, that submits the confirmation once it sees a person move the
// pointer in a browser not driven by automation. Scanners: plain fetches
// (no script), a headless browser that only loads the page (and fires
// synthetic events), and one that hides navigator.webdriver but does not
// move the pointer. People: a browser whose pointer moves (confirms without
// a click), and a browser without script (the button).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, eventCount } from "./lib/sender.mjs";
import { waitForMails } from "./lib/mailbox.mjs";
import { args, launch } from "./lib/browser.mjs";
import { says } from "./lib/pages.mjs";

async function pending(tag) {
  const email = newEmail(tag);
  await signUp("newsletter", email, { locale: "en" });
  const [mail] = await waitForMails(email, 1);
  return { email, confirmUrl: `${mail.json.confirm_url}?lang=en` };
}

/** A browser as a person has it: no automation flag (navigator.webdriver false). */
const personBrowser = () =>
  launch({ args: [...args, "--disable-blink-features=AutomationControlled"], ignoreDefaultArgs: ["--enable-automation"] });

/** Loads `url` in `browser`, runs `act(page)`, and returns the POSTs the page made. */
async function visit(browser, url, act, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const posts = [];
  page.on("request", (r) => {
    if (r.method() === "POST") posts.push(r.url());
  });
  const violations = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(url, { waitUntil: "networkidle" });
  const result = await act(page);
  await context.close();
  return { posts, violations, result };
}

test("the confirm page allows exactly its own inline script, by hash, and still has the button", async () => {
  const { confirmUrl } = await pending("scan-csp");
  const response = await fetch(confirmUrl);
  const html = await response.text();
  const csp = response.headers.get("content-security-policy");
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1, "one inline script");
  const hash = createHash("sha256").update(scripts[0], "utf8").digest("base64");
  assert.match(csp, new RegExp(`script-src 'sha256-${hash.replace(/[+/=]/g, "\\$&")}'`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(html, /<form id="confirm" method="post"/);
  assert.match(html, /<button type="submit"/);
});

test("plain fetches, as link scanners make them, confirm nothing", async () => {
  const { email, confirmUrl } = await pending("scan-fetch");
  const before = await eventCount(email);
  for (const agent of ["Mozilla/5.0 (compatible; Safe Links)", "Proofpoint URL Defense", "curl/8.5.0"]) {
    for (const method of ["GET", "HEAD"]) {
      const r = await fetch(confirmUrl, { method, headers: { "user-agent": agent }, redirect: "manual" });
      await r.arrayBuffer();
      assert.ok(r.status === 200 || (method === "HEAD" && r.status === 405), `${method}: ${r.status}`);
    }
  }
  assert.equal(await eventCount(email), before);
  assert.equal((await check(email)).reason.code, "pending_confirmation");
});

test("a headless browser that loads the page, runs its script and fires synthetic events confirms nothing", async () => {
  const { email, confirmUrl } = await pending("scan-headless");
  const browser = await launch();
  try {
    const { posts, violations } = await visit(browser, confirmUrl, async (page) => {
      // What a sandbox may do without a real input device: events made by script.
      await page.evaluate(() => {
        for (let i = 0; i < 20; i += 1) {
          dispatchEvent(new PointerEvent("pointermove", { clientX: i * 10, clientY: i * 10, pointerType: "mouse" }));
          dispatchEvent(new TouchEvent("touchmove"));
        }
      });
      await page.waitForLoadState("networkidle");
    });
    assert.deepEqual(posts, [], "the page posted nothing");
    assert.deepEqual(violations, [], "the script ran under the CSP");
  } finally {
    await browser.close();
  }
  assert.equal((await check(email)).reason.code, "pending_confirmation");
});

test("a sandboxed browser hiding its automation flag that only loads the page confirms nothing", async () => {
  const { email, confirmUrl } = await pending("scan-stealth");
  const browser = await personBrowser();
  try {
    const { posts, result } = await visit(browser, confirmUrl, async (page) => {
      await page.waitForLoadState("networkidle");
      return page.evaluate(() => navigator.webdriver);
    });
    assert.equal(result, false, "precondition: this browser does not say it is automated");
    assert.deepEqual(posts, []);
  } finally {
    await browser.close();
  }
  assert.equal((await check(email)).reason.code, "pending_confirmation");
});

test("a person who moves the pointer is confirmed without pressing the button", async () => {
  const { email, confirmUrl } = await pending("scan-person");
  const browser = await personBrowser();
  try {
    const { result } = await visit(browser, confirmUrl, async (page) => {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
        (async () => {
          await page.mouse.move(20, 20);
          await page.mouse.move(260, 180, { steps: 12 });
        })(),
      ]);
      await page.waitForLoadState();
      return { status: response.status(), text: await page.locator("body").innerText() };
    });
    assert.equal(result.status, 200);
    assert.match(result.text, says.en.confirmed);
  } finally {
    await browser.close();
  }
  const now = await check(email);
  assert.equal(now.allowed, true, JSON.stringify(now));
});

test("without script, the button confirms", async () => {
  const { email, confirmUrl } = await pending("scan-noscript");
  const browser = await launch();
  try {
    const { result } = await visit(
      browser,
      confirmUrl,
      async (page) => {
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
          page.getByRole("button").first().click(),
        ]);
        await page.waitForLoadState();
        return { status: response.status(), text: await page.locator("body").innerText() };
      },
      { javaScriptEnabled: false },
    );
    assert.equal(result.status, 200);
    assert.match(result.text, says.en.confirmed);
  } finally {
    await browser.close();
  }
  assert.equal((await check(email)).allowed, true);
});
