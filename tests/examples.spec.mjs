// The integration examples run as a sender would run them: each prepares a
// campaign with `POST /v1/prepare` and sends it over SMTP to the local inbox
// (tools/inbox/, a stand-in for the sender's mail provider: no provider is
// reachable from here). The received mail, read back raw and parsed with a
// real mail parser (mailparser), carries the RFC 8058 headers and the footer;
// its one-click works, after which `/v1/check` says no. Only people who
// may be mailed get a mail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { simpleParser } from "mailparser";
import { apiToken, artifactsDir, baseUrl, newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check } from "./lib/sender.mjs";
import { oneClick } from "./lib/recipient.mjs";
import { inboxMails, mailboxUrl, rawMail, smtpPort, waitForSmtpMails } from "./lib/mailbox.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const run = promisify(execFile);

/** Runs an example with the settings a sender would export. */
function runExample(command, args, recipients, locale) {
  const file = `${artifactsDir}/recipients-${locale}-${Date.now()}.txt`;
  writeFileSync(file, `${recipients.join("\n")}\n`);
  return run(command, [...args, file], {
    cwd: root,
    timeout: 60_000,
    env: {
      ...process.env,
      DOI_URL: baseUrl,
      DOI_API_TOKEN: apiToken(),
      DOI_LOCALE: locale,
      SMTP_PORT: String(smtpPort),
    },
  });
}

/** The raw mail to `email`, parsed as a mail client would. */
async function receivedBy(email) {
  const [mail] = await waitForSmtpMails(email);
  return { id: mail.id, parsed: await simpleParser(await rawMail(mail.id)) };
}

/** A header of a parsed mail as its unfolded text, after the name. */
function header(parsed, name) {
  const line = parsed.headerLines.find((h) => h.key === name)?.line ?? "";
  return line.slice(line.indexOf(":") + 1).replace(/\r?\n[ \t]+/g, " ").trim();
}

/** The https/http URI of a parsed mail's List-Unsubscribe, as a client reads it. */
function oneClickUrl(parsed) {
  const uri = header(parsed, "list-unsubscribe").match(/<(https?:\/\/[^>]+)>/)?.[1];
  assert.ok(uri, `no http(s) URI in ${header(parsed, "list-unsubscribe")}`);
  return uri;
}

async function sendsToTheConsentedOnly(command, args, locale, tag) {
  const yes = newEmail(`${tag}-yes`);
  const never = newEmail(`${tag}-never`);
  await signUp("whitepaper", yes);
  const { stdout } = await runExample(command, args, [yes, never], locale);
  assert.match(stdout, /sent 1, not sent 0, skipped 1 no_consent/);
  const { id, parsed } = await receivedBy(yes);
  assert.equal(header(parsed, "list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  assert.match(header(parsed, "list-unsubscribe"), /, <mailto:unsubscribe@sample-shoji\.example\?subject=unsubscribe%20[\w-]+>$/);
  assert.match(parsed.text, locale === "ja" ? /株式会社サンプル商事/ : /Sample Trading Co\., Ltd\./);
  assert.match(parsed.html, /<a href="http[^"]+\/u\/[^"]+">/);
  const mails = await inboxMails();
  assert.ok(!mails.some((m) => m.envelope?.to.includes(never)), "no mail to someone who never said yes");
  return { yes, id, parsed };
}

test("the Node example sends the campaign only to who may be mailed, and its one-click works", async () => {
  const { yes, parsed } = await sendsToTheConsentedOnly(
    process.execPath,
    ["examples/node/send-campaign.mjs"],
    "en",
    "example-node",
  );
  assert.equal((await check(yes)).allowed, true);
  const response = await oneClick(oneClickUrl(parsed));
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  const after = await check(yes);
  assert.equal(after.allowed, false);
  assert.equal(after.reason.code, "unsubscribed");
  assert.equal(after.reason.via, "one_click");
});

test("the Python example does the same, and the inbox's one-click button unsubscribes", async () => {
  const { yes, id } = await sendsToTheConsentedOnly(
    "python3",
    ["examples/python/send_campaign.py"],
    "ja",
    "example-python",
  );
  assert.equal((await check(yes)).allowed, true);
  // What a person does in the inbox: open the mail, press the button.
  const page = await (await fetch(`${mailboxUrl}/mail/${id}?lang=ja`)).text();
  const csrf = page.match(/name="csrf" value="([0-9a-f]+)"/)?.[1];
  assert.ok(csrf, "the mail's page offers the one-click button");
  const pressed = await fetch(`${mailboxUrl}/mail/${id}/one-click?lang=ja`, {
    method: "POST",
    body: new URLSearchParams({ csrf }),
    redirect: "manual",
  });
  assert.equal(pressed.status, 303);
  const [mail] = (await inboxMails()).filter((m) => m.id === id);
  assert.equal(mail.one_click.status, 200);
  const after = await check(yes);
  assert.equal(after.allowed, false);
  assert.equal(after.reason.via, "one_click");
});
