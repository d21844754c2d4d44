// Sending a campaign with Dōi from Node: ask the Worker who may be mailed,
// with `POST /v1/prepare` (docs/api.md), then send each of them the mail over
// SMTP with nodemailer, with the `List-Unsubscribe` and
// `List-Unsubscribe-Post` headers (RFC 2369, RFC 8058) and the footer the
// law asks for (sender, postal address, contact, opt-out links).
//
//   DOI_URL=http://127.0.0.1:8787 DOI_API_TOKEN=… SMTP_PORT=2525 \
//     node examples/node/send-campaign.mjs recipients.txt
//
// recipients.txt: one address a line (a CSV's first column is read too).
// nodemailer comes from this repository's package.json (cargo xtask setup
// installs it); in a project of your own, `npm install nodemailer`.
// Settings, from the environment:
//   DOI_URL        the Worker (default http://127.0.0.1:8787)
//   DOI_API_TOKEN  the sender API's bearer token (required)
//   DOI_LIST       the list (default newsletter); DOI_TOPIC a topic, or none
//   DOI_LOCALE     ja or en: the footer's language (default ja)
//   SMTP_HOST      default 127.0.0.1; SMTP_PORT default 2525
//   SMTP_USER, SMTP_PASS  when the server wants a login
//   MAIL_FROM      the From: (default "Sample Trading <news@sample-shoji.example>")
// Exits 0 when every allowed recipient was sent their mail, 1 otherwise.

import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";

/** The most recipients one `POST /v1/prepare` takes (docs/api.md). */
const BATCH = 100;

const env = process.env;
const doiUrl = (env.DOI_URL ?? "http://127.0.0.1:8787").replace(/\/$/, "");
const list = env.DOI_LIST ?? "newsletter";
const locale = env.DOI_LOCALE ?? "ja";
const from = env.MAIL_FROM ?? "Sample Trading <news@sample-shoji.example>";

function fail(message) {
  console.error(`send-campaign: ${message}`);
  process.exit(1);
}

/** The addresses of a file: one a line, or a CSV's first column; no header. */
function readRecipients(path) {
  return readFileSync(path, "utf8")
    .split(/\r?\n/)
    .map((line) => line.split(",")[0].trim())
    .filter((address) => address.includes("@"));
}

/** One `POST /v1/prepare`: decisions, and links for those who may be mailed. */
async function prepare(recipients) {
  const body = { list, locale, recipients };
  if (env.DOI_TOPIC) body.topic = env.DOI_TOPIC;
  const response = await fetch(`${doiUrl}/v1/prepare`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.DOI_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) fail(`POST /v1/prepare answered ${response.status}: ${text}`);
  return JSON.parse(text).results;
}

/** The campaign's own words, then Dōi's footer. */
function message(result) {
  const ja = locale === "ja";
  const subject = ja ? "今月のお知らせ（テスト配信）" : "This month's news (a test send)";
  const words = ja
    ? "いつもありがとうございます。今月のお知らせをお届けします。"
    : "Thank you for reading. Here is this month's news.";
  return {
    from,
    to: result.email,
    subject,
    text: `${words}\n\n${result.footer_text}`,
    html: `<p>${words}</p>${result.footer_html}`,
    headers: {
      // `prepared`: sent exactly as the Worker wrote it, never re-folded
      // or encoded, so that a mail client reads the URLs intact.
      "List-Unsubscribe": { prepared: true, value: result.list_unsubscribe },
      "List-Unsubscribe-Post": { prepared: true, value: result.list_unsubscribe_post },
    },
  };
}

async function main() {
  const [path] = process.argv.slice(2);
  if (!path) fail("usage: node examples/node/send-campaign.mjs RECIPIENTS_FILE");
  if (!env.DOI_API_TOKEN) fail("set DOI_API_TOKEN to the sender API's token");
  const recipients = readRecipients(path);
  const transport = nodemailer.createTransport({
    host: env.SMTP_HOST ?? "127.0.0.1",
    port: Number(env.SMTP_PORT ?? 2525),
    secure: false,
    ignoreTLS: env.SMTP_HOST === undefined,
    auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASS } : undefined,
  });
  let sent = 0;
  let failed = 0;
  const skipped = {};
  for (let start = 0; start < recipients.length; start += BATCH) {
    for (const result of await prepare(recipients.slice(start, start + BATCH))) {
      if (!result.allowed) {
        skipped[result.reason.code] = (skipped[result.reason.code] ?? 0) + 1;
        continue;
      }
      try {
        await transport.sendMail(message(result));
        sent += 1;
      } catch (error) {
        failed += 1;
        console.error(`send-campaign: a mail was not sent: ${error.message}`);
      }
    }
  }
  transport.close();
  const reasons = Object.entries(skipped).map(([code, n]) => `${n} ${code}`);
  console.log(`sent ${sent}, not sent ${failed}, skipped ${reasons.length ? reasons.join(", ") : "none"}`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
