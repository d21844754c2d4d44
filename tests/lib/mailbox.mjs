// The sender's side of the delivery webhook, for end-to-end tests.
//
// As a program (`node tests/lib/mailbox.mjs PORT`, started by `cargo xtask
// test` before wrangler, which gets DOI_WEBHOOK_URL=http://127.0.0.1:PORT/hook)
// it is a tiny HTTP server on 127.0.0.1 that keeps every POST it receives,
// raw body and headers, and hands them back at `GET /messages`; it can be
// told to fail the next deliveries (`POST /control/refuse`).
// As a module it is how specs read those messages (`DOI_MAILBOX_URL`).
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import { pathToFileURL } from "node:url";

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

/** Runs the receiver on 127.0.0.1:`port` until killed. */
export function serve(port) {
  const messages = [];
  let refusals = { count: 0, status: 500 };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      if (request.method === "GET" && request.url === "/messages") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(messages));
        return;
      }
      if (request.method === "POST" && request.url === "/control/refuse") {
        const { count = 1, status = 500 } = JSON.parse(raw || "{}");
        refusals = { count, status };
        response.writeHead(200).end();
        return;
      }
      if (request.method !== "POST") {
        response.writeHead(405).end();
        return;
      }
      const answered = refusals.count > 0 ? refusals.status : 200;
      if (refusals.count > 0) refusals.count -= 1;
      messages.push({ path: request.url, headers: request.headers, raw, received: Date.now(), answered });
      response.writeHead(answered, { "content-type": "application/json" });
      response.end(answered === 200 ? '{"ok":true}' : '{"ok":false}');
    });
  });
  server.listen(port, "127.0.0.1", () => {
    console.log(`mailbox: listening on http://127.0.0.1:${server.address().port}`);
  });
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error("usage: node tests/lib/mailbox.mjs PORT");
    process.exit(2);
  }
  serve(port);
}
