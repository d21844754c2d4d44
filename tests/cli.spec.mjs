// The `doi` CLI against the real Worker under `wrangler dev`, as a sender
// uses it: import earlier consents from Mailchimp and listmonk exports,
// prepare a campaign, a recipient one-clicks a printed unsubscribe URL,
// `doi check` then says no, suppress bounces, export everything to a file
// and verify it offline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { newEmail } from "./lib/http.mjs";
import { consentEvents, subscriber } from "./lib/sender.mjs";
import { oneClick } from "./lib/recipient.mjs";
import { doi, ndjson, scratchDir } from "./lib/cli.mjs";

const TEXT_EN = "Yes, send me product news and practical tips from Sample Trading Co., Ltd.";

const mailchimpHeader =
  "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP," +
  "LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS";

test("a Mailchimp and a listmonk export import with their provenance; a prepared link unsubscribes", async () => {
  const dir = scratchDir("flow");
  const [mc1, mc2, lm1, blocked, stranger] = ["mc1", "mc2", "lm1", "lmblocked", "stranger"].map((t) =>
    newEmail(`cli-${t}`),
  );
  writeFileSync(
    `${dir}/mailchimp.csv`,
    `${mailchimpHeader}\n` +
      `${mc1},Taro,Yamada,2,2020-09-13 12:26:40,198.51.100.7,2020-09-13 12:30:00,198.51.100.8,,,,,,JP,,2020-09-13 12:30:00,1001,abc123,,\n` +
      `${mc2},Hanako,Sato,2,2021-01-02 03:04:05,203.0.113.9,2021-01-02 03:04:05,,,,,,,JP,,2021-01-02 03:04:05,1002,def456,,\n`,
  );
  const mailchimp = await doi([
    "import", `${dir}/mailchimp.csv`, "--list", "newsletter", "--topics", "product,tips",
    "--consent-text", TEXT_EN, "--locale", "en",
  ]);
  assert.equal(mailchimp.code, 0, mailchimp.stderr);
  assert.match(mailchimp.stderr, /2 consents imported .*\(Mailchimp\)/);

  const proof = await subscriber(mc1);
  const [signup] = consentEvents(proof.events);
  assert.equal(signup.evidence.method, "import");
  assert.equal(signup.evidence.opt_in, "confirmed");
  assert.equal(signup.evidence.client_time, Date.UTC(2020, 8, 13, 12, 26, 40));
  assert.match(signup.evidence.source, /LEID 1001/);
  assert.match(signup.evidence.source, /opted in 2020-09-13T12:26:40Z from IP 198\.51\.100\.7/);
  assert.match(signup.evidence.source, /confirmed 2020-09-13T12:30:00Z from IP 198\.51\.100\.8/);
  assert.equal(proof.consent_texts[signup.evidence.consent_version].text, TEXT_EN);
  assert.equal(consentEvents((await subscriber(mc2)).events)[0].evidence.opt_in, "single");

  writeFileSync(
    `${dir}/listmonk.csv`,
    "uuid,email,name,attributes,status,created_at,updated_at\n" +
      `5e9f6c1e-0000-4000-8000-00000000000a,${lm1},Jiro,{},enabled,2022-03-04 14:15:16.5 +0900 JST,2022-03-04 05:15:16 +0000 UTC\n` +
      `5e9f6c1e-0000-4000-8000-00000000000b,${blocked},Spam,{},blocklisted,2022-03-04 05:15:16 +0000 UTC,2022-03-04 05:15:16 +0000 UTC\n`,
  );
  const listmonk = await doi([
    "import", `${dir}/listmonk.csv`, "--list", "newsletter", "--topics", "tips",
    "--consent-text", TEXT_EN, "--locale", "en",
  ]);
  assert.equal(listmonk.code, 1, "a blocklisted row is not imported, so not everything was taken");
  assert.match(listmonk.stderr, /1 consents imported .*\(Listmonk\), 1 not/);
  assert.match(listmonk.stderr, /listmonk\.csv:3: blocklisted in listmonk/);
  const lmSignup = consentEvents((await subscriber(lm1)).events)[0];
  assert.equal(lmSignup.evidence.client_time, Date.UTC(2022, 2, 4, 5, 15, 16, 500));
  assert.match(lmSignup.evidence.source, /uuid 5e9f6c1e-0000-4000-8000-00000000000a/);
  assert.equal((await subscriber(blocked).catch(() => undefined)), undefined, "nothing is stored for a blocklisted row");

  writeFileSync(
    `${dir}/recipients.csv`,
    `email,name\n${mc1},Taro\n${mc2},Hanako\n${lm1},Jiro\n${stranger},Nobody\nnot an address,X\n${mc1.toUpperCase()},Taro again\n`,
  );
  const prepared = await doi([
    "prepare", `${dir}/recipients.csv`, "--list", "newsletter", "--topic", "tips", "--locale", "ja",
    "--format", "ndjson", "-o", `${dir}/campaign.ndjson`, "--refused", `${dir}/refused.csv`,
  ]);
  assert.equal(prepared.code, 1, `some recipients may not be mailed: ${prepared.stderr}`);
  assert.match(prepared.stderr, /3 may be mailed, 3 may not; 1 calls/);
  assert.ok(!existsSync(`${dir}/campaign.ndjson.journal`), "a finished run leaves no journal");
  const mails = ndjson(readFileSync(`${dir}/campaign.ndjson`, "utf8"));
  assert.deepEqual(mails.map((m) => [m.email, m.fields.name, m.line]), [[mc1, "Taro", 2], [mc2, "Hanako", 3], [lm1, "Jiro", 4]]);
  for (const mail of mails) {
    assert.equal(mail.allowed, true);
    assert.equal(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
    assert.ok(mail.list_unsubscribe.includes(`<${mail.unsubscribe_url}>`), mail.list_unsubscribe);
    assert.match(mail.footer_text, /株式会社サンプル商事/);
    assert.match(mail.footer_html, /丸の内/);
  }
  const refused = readFileSync(`${dir}/refused.csv`, "utf8");
  assert.match(refused, new RegExp(`^5,${stranger.replace(/[.+]/g, "\\$&")},no_consent,`, "m"));
  assert.match(refused, /^6,not an address,invalid_email,/m);
  assert.match(refused, /^7,.*,duplicate,same mailbox as line 2$/m);

  const csv = await doi([
    "prepare", `${dir}/recipients.csv`, "--list", "newsletter", "--topic", "tips", "-o", `${dir}/campaign.csv`,
  ]);
  assert.equal(csv.code, 1, csv.stderr);
  const csvText = readFileSync(`${dir}/campaign.csv`, "utf8");
  assert.ok(
    csvText.startsWith(
      "email,name,subscriber_id,unsubscribe_url,preferences_url,list_unsubscribe,list_unsubscribe_post,footer_text,footer_html\n",
    ),
  );
  assert.ok(csvText.includes(`${mc1},Taro,`) && !csvText.includes(stranger));

  const click = await oneClick(mails[0].unsubscribe_url);
  await click.arrayBuffer();
  assert.equal(click.status, 200);
  const no = await doi(["check", "--list", "newsletter", "--topic", "tips", "--email", mc1]);
  assert.equal(no.code, 1, no.stderr);
  assert.match(no.stdout, new RegExp(`^0,${mc1.replace(/[.+]/g, "\\$&")},false,unsubscribed,"via one_click, at `, "m"));
  const yes = await doi(["check", "--list", "newsletter", "--topic", "tips", "--email", mc2]);
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(yes.stdout, /,true,consented,/);

  writeFileSync(`${dir}/bounces.csv`, `email,reason\n${mc2},bounce\n${lm1},complaint\n`);
  const suppressed = await doi(["suppress", `${dir}/bounces.csv`]);
  assert.equal(suppressed.code, 0, suppressed.stderr);
  assert.match(suppressed.stderr, /2 addresses suppressed, 0 not; 2 calls/);
  const after = ndjson((await doi(["check", "--list", "newsletter", "--format", "ndjson", "--email", mc2, "--email", lm1])).stdout);
  assert.deepEqual(after.map((r) => [r.reason.code, r.reason.via]), [["unsubscribed", "bounce"], ["unsubscribed", "complaint"]]);

  const exported = await doi(["export", "-o", `${dir}/export.ndjson`, "--limit", "50"]);
  assert.equal(exported.code, 0, exported.stderr);
  const lines = ndjson(readFileSync(`${dir}/export.ndjson`, "utf8"));
  const ids = lines.map((l) => l.subscriber_id);
  assert.equal(new Set(ids).size, ids.length, "every page once");
  for (const email of [mc1, mc2, lm1]) assert.ok(lines.some((l) => l.email === email), `${email} is exported`);
  assert.match(exported.stderr, new RegExp(`${lines.length} subscribers in \\d+ pages`));
  assert.ok(!existsSync(`${dir}/export.ndjson.journal`));

  const verified = await doi(["verify", `${dir}/export.ndjson`]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stderr, new RegExp(`${lines.length} subscribers verify \\(\\d+ events\\), 0 fail`));

  // One changed character in Taro's imported consent: verify names him.
  const text = readFileSync(`${dir}/export.ndjson`, "utf8");
  const taro = lines.find((l) => l.email === mc1);
  const tampered = text.replace("opted in 2020-09-13T12:26:40Z", "opted in 2020-09-13T12:26:41Z");
  assert.notEqual(tampered, text);
  writeFileSync(`${dir}/tampered.ndjson`, tampered);
  const caught = await doi(["verify", `${dir}/tampered.ndjson`]);
  assert.equal(caught.code, 1, caught.stderr);
  assert.match(caught.stdout, new RegExp(`subscriber ${taro.subscriber_id} event [0-9a-f]+ names parent [0-9a-f]+, which is not in the log`));
  assert.match(caught.stderr, /, 1 fail/);
});
