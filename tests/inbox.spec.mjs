// The local inbox in Chromium, as a newcomer uses it: a confirmation mail
// from a double opt-in signup is there and its confirm link works; a mail
// sent over SMTP shows its List-Unsubscribe headers, and the inbox's
// one-click button makes the RFC 8058 POST and shows the Worker's answer.
// Whatever a mail brings is shown as text: its HTML body only in a sandboxed
// frame under its own strict CSP.
import { test } from "node:test";
import assert from "node:assert/strict";
import nodemailer from "nodemailer";
import { artifactsDir, newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, links } from "./lib/sender.mjs";
import { withPage, submit } from "./lib/browser.mjs";
import { inboxMails, mailboxUrl, smtpPort, waitForMails, waitForSmtpMails } from "./lib/mailbox.mjs";

/**
 * A screenshot for the README. The sandboxed frame paints a moment after its
 * content is there: the pause only makes the picture complete, no
 * assertion depends on it.
 */
async function picture(page, name) {
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${artifactsDir}/${name}.png`, fullPage: true });
}

/** Sends one mail to the inbox over SMTP, as a sender's script does. */
async function sendOverSmtp(message) {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: smtpPort, ignoreTLS: true });
  try {
    await transport.sendMail({ from: "Sample Trading <news@sample-shoji.example>", ...message });
  } finally {
    transport.close();
  }
}

test("a confirmation mail is in the inbox and its confirm link works", async () => {
  const email = newEmail("inbox-confirm");
  await signUp("newsletter", email, { locale: "en" });
  await waitForMails(email);
  const mail = (await inboxMails()).find((m) => m.via === "webhook" && m.to === email);
  assert.ok(mail, "the webhook delivery is read as a mail");
  await withPage(async (page, context) => {
    await page.goto(`${mailboxUrl}/mail/${mail.id}?lang=en`);
    const frame = page.frameLocator("iframe");
    const [confirmPage] = await Promise.all([
      context.waitForEvent("page"),
      frame.locator("a[href*='/c/']").click(),
    ]);
    await confirmPage.waitForLoadState();
    await submit(confirmPage, confirmPage.locator("form button[type=submit]").first());
  });
  assert.equal((await check(email)).allowed, true);
});

test("a campaign mail offers the one-click button, which unsubscribes and shows the answer", async () => {
  const email = newEmail("inbox-oneclick");
  await signUp("whitepaper", email);
  const prepared = await links(email, { locale: "ja" });
  await sendOverSmtp({
    to: email,
    subject: "今月のお知らせ / This month's news",
    text: `こんにちは。\n\n${prepared.footer_text}`,
    html: `<p>こんにちは。</p>${prepared.footer_html}`,
    headers: {
      "List-Unsubscribe": { prepared: true, value: prepared.list_unsubscribe },
      "List-Unsubscribe-Post": { prepared: true, value: prepared.list_unsubscribe_post },
    },
  });
  const [mail] = await waitForSmtpMails(email);
  await withPage(async (page) => {
    await page.goto(`${mailboxUrl}/?lang=ja`);
    await picture(page, "inbox-list");
    await page.goto(`${mailboxUrl}/mail/${mail.id}?lang=ja`);
    assert.match(await page.locator("dl").first().innerText(), /今月のお知らせ/);
    assert.match(await page.locator("section").innerText(), /List-Unsubscribe=One-Click/);
    // The body as the recipient reads it, footer included, in its frame.
    assert.match(await page.frameLocator("iframe").locator("body").innerText(), /株式会社サンプル商事/);
    await picture(page, "inbox-mail");
    await page.getByRole("button", { name: "ワンクリックで配信停止" }).click();
    await page.waitForURL(`${mailboxUrl}/mail/${mail.id}?lang=ja`);
    assert.equal(await page.locator("[role=status] output").innerText(), "200");
    await page.frameLocator("iframe").locator("body").innerText();
    await picture(page, "inbox-one-click");
    // Tall enough for the whole mail: Chromium paints a sandboxed frame
    // only where the viewport reaches.
  }, { viewport: { width: 1100, height: 1500 } });
  const after = await check(email);
  assert.equal(after.allowed, false);
  assert.equal(after.reason.via, "one_click");
});

test("what a mail brings is escaped, and its HTML runs nowhere", async () => {
  const email = newEmail("inbox-hostile");
  await sendOverSmtp({
    to: email,
    subject: `<img src=x onerror="document.title='pwned'">`,
    text: "<script>document.title='pwned'</script>",
    html: `<script>parent.document.title='pwned'</script><p id="body">hello</p>`,
  });
  const [mail] = await waitForSmtpMails(email);
  const body = await fetch(`${mailboxUrl}/mail/${mail.id}/html`);
  assert.match(body.headers.get("content-security-policy"), /^sandbox /);
  await body.arrayBuffer();
  await withPage(async (page) => {
    await page.goto(`${mailboxUrl}/mail/${mail.id}?lang=en`);
    assert.equal(await page.locator("h1").innerText(), `<img src=x onerror="document.title='pwned'">`);
    assert.equal(await page.locator("iframe").getAttribute("sandbox"), "allow-popups allow-popups-to-escape-sandbox");
    assert.equal(await page.frameLocator("iframe").locator("#body").innerText(), "hello");
    assert.notEqual(await page.title(), "pwned");
    await page.goto(`${mailboxUrl}/?lang=en`);
    assert.notEqual(await page.title(), "pwned");
  });
});
