// Unsubscribing by mail, through the real Worker's `email` handler: wrangler
// dev's local Email Routing endpoint (`POST /cdn-cgi/handler/email?from=…&to=…`,
// the raw message as body) hands the mail to the Worker as Cloudflare would.
// The signed token in the mailto's subject unsubscribes its subscriber; an
// unsigned mail, a forged token, a link token of another purpose, or the
// right person's From: without a token change nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { newEmail, url, wranglerLog } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, links } from "./lib/sender.mjs";
import { PURPOSE, decode, keyFor, sign, tokenOf } from "./lib/tokens.mjs";

const OURS = "unsubscribe@sample-shoji.example";

/** The mailto of a List-Unsubscribe header: `{ to, subject }`. */
function mailtoOf(header) {
  const uri = header.match(/<(mailto:[^>]+)>/)?.[1];
  assert.ok(uri, `a mailto in ${header}`);
  const parsed = new URL(uri);
  return { to: decodeURIComponent(parsed.pathname), subject: parsed.searchParams.get("subject") };
}

/**
 * What a mail client sends for the mailto, delivered by Email Routing. The
 * envelope sender is a stranger's address: the Worker must not need it.
 */
async function sendMail({ to, subject, from = "someone@elsewhere.example" }) {
  const raw = [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(8).toString("hex")}@elsewhere.example>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "unsubscribe",
    "",
  ].join("\r\n");
  const target = new URL(url("/cdn-cgi/handler/email"));
  target.searchParams.set("from", from);
  target.searchParams.set("to", to);
  const response = await fetch(target, { method: "POST", body: raw });
  return { status: response.status, text: await response.text() };
}

test("a signed unsubscribe mail unsubscribes the person its token names", async () => {
  const email = newEmail("mailto-yes");
  await signUp("whitepaper", email);
  const mail = await links(email, { locale: "en" });
  const { to, subject } = mailtoOf(mail.list_unsubscribe);
  assert.equal(to, OURS);
  assert.match(subject, /^unsubscribe [A-Za-z0-9_-]{40,}$/);
  assert.equal((await check(email)).allowed, true);

  const sent = await sendMail({ to, subject });
  assert.ok(sent.status < 400, `the handler accepted the mail: ${sent.status} ${sent.text}`);
  const after = await check(email);
  assert.equal(after.allowed, false);
  assert.equal(after.reason.code, "unsubscribed");
  assert.equal(after.reason.via, "mailto");
});

test("unsigned, forged or wrong-purpose mail, even from the right From:, changes nothing", async () => {
  const email = newEmail("mailto-no");
  await signUp("whitepaper", email);
  const mail = await links(email, { locale: "en" });
  const { subject } = mailtoOf(mail.list_unsubscribe);
  const token = subject.split(" ")[1];
  const fields = decode(token);
  assert.equal(fields.purpose, PURPOSE.mailto);
  const foreignKey = randomBytes(32);
  const attempts = [
    { to: OURS, subject: "unsubscribe", from: email },
    { to: OURS, subject: `unsubscribe ${sign(fields, foreignKey)}` },
    { to: OURS, subject: `unsubscribe ${tokenOf(mail.unsubscribe_url)}` },
    { to: OURS, subject: `unsubscribe ${sign({ ...fields, purpose: PURPOSE.unsubscribe }, keyFor().key)}` },
    { to: "sales@sample-shoji.example", subject },
  ];
  for (const attempt of attempts) {
    const sent = await sendMail(attempt);
    assert.ok(sent.status < 500, `no crash: ${sent.status} ${sent.text}`);
    const now = await check(email);
    assert.equal(now.allowed, true, `still consented after ${attempt.subject} to ${attempt.to}`);
  }
  assert.match(wranglerLog(), /mailto: ignored a mail \(no token in the subject\)/);
  assert.match(wranglerLog(), /mailto: ignored a mail \(the token's signature is invalid\)/);
});
