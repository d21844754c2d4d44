// A campaign batch through the real Worker: `POST /v1/prepare` decides each
// recipient in input order and hands those who may be mailed their working
// links, RFC 8058 headers and the footer the law asks for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, prepare } from "./lib/sender.mjs";
import { oneClick } from "./lib/recipient.mjs";

test("a prepared batch says who may be mailed, in order, with links that work", async () => {
  const yes = newEmail("prepare-yes");
  const left = newEmail("prepare-left");
  const never = newEmail("prepare-never");
  await signUp("whitepaper", yes);
  await signUp("whitepaper", left);
  const first = await prepare([left], { locale: "en" });
  const stop = await oneClick(first.results[0].unsubscribe_url);
  await stop.arrayBuffer();
  assert.equal(stop.status, 200);

  const batch = await prepare([yes, left, never, "not an address"], { topic: "tips", locale: "en" });
  assert.deepEqual(
    batch.results.map((r) => [r.email, r.allowed, r.reason.code]),
    [
      [yes, true, "consented"],
      [left, false, "unsubscribed"],
      [never, false, "no_consent"],
      ["not an address", false, "invalid_email"],
    ],
  );
  const mail = batch.results[0];
  assert.match(mail.list_unsubscribe, new RegExp(`<${mail.unsubscribe_url.replace(/[.?*+^$()[\]{}|\\]/g, "\\$&")}>`));
  assert.equal(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
  assert.match(mail.footer_text, /Sample Trading Co\., Ltd\./);
  assert.match(mail.footer_html, /Marunouchi/);
  for (const refused of batch.results.slice(1)) assert.equal(refused.unsubscribe_url, undefined);

  // The topic link stops that topic only.
  const response = await oneClick(mail.unsubscribe_url);
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  assert.equal((await check(yes, { topic: "tips" })).allowed, false);
  assert.equal((await check(yes, { topic: "product" })).allowed, true);
});
