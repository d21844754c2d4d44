// How specs read the local inbox (tools/inbox/, started by `cargo xtask
// test` before wrangler, which gets DOI_WEBHOOK_URL=http://127.0.0.1:PORT/hook):
// the Worker's signed webhook deliveries at `GET /messages` (and telling the
// inbox to fail the next ones, `POST /control/refuse`), and the mails it holds
// — those deliveries read as mails, and every mail sent to its SMTP port —
// at `GET /mails`. `DOI_MAILBOX_URL` and `DOI_INBOX_SMTP_PORT` say where it is.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Where the running mailbox is; `cargo xtask test` sets it. */
export const mailboxUrl = process.env.DOI_MAILBOX_URL;

/**
 * Every delivery attempt so far, oldest first: `{ path, headers, raw, json,
 * received, answered }` (`answered`: the status the mailbox gave back).
 */
export async function deliveries() {
  if (!mailboxUrl) {
    throw new Error("DOI_MAILBOX_URL is not set: run the specs with `cargo xtask test --only e2e`");
  }
  const response = await fetch(`${mailboxUrl}/messages`);
  const messages = await response.json();
  return messages.map((message) => {
    let json;
    try {
      json = JSON.parse(message.raw);
    } catch {
      json = undefined;
    }
    return { ...message, json };
  });
}

/** Deliveries whose JSON body is addressed to `email`. */
export async function mailsTo(email) {
  return (await deliveries()).filter((message) => message.json?.to === email);
}

/**
 * Waits (polling) until `count` mails to `email` have arrived and returns
 * them. Fails after `timeoutMs`: the wait bounds how long a broken Worker can
 * hang the suite, it is not what the test checks.
 */
export async function waitForMails(email, count = 1, { timeoutMs = 20_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailsTo(email);
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} webhook delivery(ies) to ${email}, got ${mails.length}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Checks a `Doi-Signature: t=<secs>,v1=<hex>` header against the raw body
 * with HMAC-SHA256(secret, "<t>.<raw body>"), as docs/api.md specifies.
 * Returns `{ valid, timestamp }`.
 */
export function verifySignature(header, raw, secret) {
  const fields = Object.fromEntries(
    String(header ?? "")
      .split(",")
      .map((part) => part.trim().split("="))
      .filter((pair) => pair.length === 2),
  );
  if (!/^\d+$/.test(fields.t ?? "") || !/^[0-9a-f]{64}$/.test(fields.v1 ?? "")) {
    return { valid: false, timestamp: undefined };
  }
  const expected = createHmac("sha256", secret).update(`${fields.t}.${raw}`, "utf8").digest();
  const given = Buffer.from(fields.v1, "hex");
  return { valid: timingSafeEqual(expected, given), timestamp: Number(fields.t) };
}

/**
 * Makes the sender's system fail: the next `count` deliveries are answered
 * with `status` (they are still recorded, with `answered`).
 */
export async function refuseNext(count, status = 500) {
  const response = await fetch(`${mailboxUrl}/control/refuse`, {
    method: "POST",
    body: JSON.stringify({ count, status }),
  });
  if (response.status !== 200) throw new Error(`the mailbox refused the control call: ${response.status}`);
}

/** Makes the sender's system refuse every delivery with `status` until `acceptAgain()`. */
export const refuseAll = (status = 500) => refuseNext(Number.MAX_SAFE_INTEGER, status);

/** Ends `refuseNext` and `refuseAll`: deliveries are accepted again. */
export const acceptAgain = () => refuseNext(0);

/** The inbox's SMTP port on 127.0.0.1; `cargo xtask test` sets it. */
export const smtpPort = Number(process.env.DOI_INBOX_SMTP_PORT);

/**
 * Every mail in the inbox, oldest first: `{ id, via: "smtp"|"webhook",
 * from, to, subject, date, text, html, list_unsubscribe,
 * list_unsubscribe_post, envelope?, one_click? }`.
 */
export async function inboxMails() {
  if (!mailboxUrl) {
    throw new Error("DOI_MAILBOX_URL is not set: run the specs with `cargo xtask test --only e2e`");
  }
  return (await fetch(`${mailboxUrl}/mails`)).json();
}

/** The raw RFC 5322 source of an SMTP mail, as the inbox received it. */
export async function rawMail(id) {
  const response = await fetch(`${mailboxUrl}/mails/${id}/raw`);
  if (response.status !== 200) throw new Error(`mail ${id} has no raw source (${response.status})`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * Waits (polling) until the inbox holds `count` SMTP mails whose envelope
 * goes to `email`, and returns them. The wait bounds how long a broken
 * sender can hang the suite; it is not what the test checks.
 */
export async function waitForSmtpMails(email, count = 1, { timeoutMs = 20_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await inboxMails()).filter((m) => m.via === "smtp" && m.envelope?.to.includes(email));
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`expected ${count} SMTP mail(s) to ${email}, got ${mails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
