// Mail providers' webhooks → suppressions, through the real Worker: a
// correctly signed bounce, complaint or unsubscribe from each provider makes
// `/v1/check` answer "no"; a soft bounce does not; a forged delivery is a 401
// and changes nothing. Deliveries are signed here with test keys (see
// lib/providers.mjs); SNS's certificate and SubscribeURL come from a local
// stand-in on 127.0.0.1, since the real SNS hosts cannot be reached here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { errorOf, newEmail } from "./lib/http.mjs";
import { signUp } from "./lib/consent.mjs";
import { check, eventCount } from "./lib/sender.mjs";
import {
  mailgun,
  postmark,
  resend,
  secondsAgo,
  sendgrid,
  sns,
  snsStandIn,
  snsTopic,
  unsigned,
} from "./lib/providers.mjs";

let standIn;
before(async () => {
  standIn = await snsStandIn();
});
after(async () => {
  await standIn.close();
});

async function subscribed(tag) {
  const email = newEmail(tag);
  await signUp("whitepaper", email);
  assert.equal((await check(email)).allowed, true, "sendable before the provider reports");
  return email;
}

async function assertSuppressed(email, via) {
  const result = await check(email);
  assert.equal(result.allowed, false, JSON.stringify(result));
  assert.equal(result.reason.code, "unsubscribed");
  assert.equal(result.reason.via, via);
}

async function assertOk(response) {
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text);
}

const sesNotification = (message, id) => ({
  Type: "Notification",
  MessageId: id,
  TopicArn: snsTopic(),
  Subject: "Amazon SES Email Event Notification",
  Message: JSON.stringify(message),
  Timestamp: new Date().toISOString(),
  SigningCertURL: standIn.certUrl,
  UnsubscribeURL: `${standIn.origin}/?Action=Unsubscribe`,
});

const sesBounce = (email, bounceType) => ({
  notificationType: "Bounce",
  bounce: {
    bounceType,
    bounceSubType: "General",
    bouncedRecipients: [{ emailAddress: email, action: "failed", status: "5.1.1" }],
    timestamp: new Date().toISOString(),
    feedbackId: "0100018c-e2e",
  },
  mail: { messageId: "0100018c-e2e-mail", destination: [email] },
});

test("Amazon SNS: the Worker confirms a signed subscription by visiting its SubscribeURL", async () => {
  const subscribeUrl = `${standIn.origin}/?Action=ConfirmSubscription&Token=e2e`;
  const answer = await assertOk(
    await sns({
      Type: "SubscriptionConfirmation",
      MessageId: `e2e-confirm-${Date.now()}`,
      Token: "e2e",
      TopicArn: snsTopic(),
      Message: "You have chosen to subscribe to the topic. To confirm, visit the SubscribeURL.",
      SubscribeURL: subscribeUrl,
      Timestamp: new Date().toISOString(),
      SigningCertURL: standIn.certUrl,
    }),
  );
  assert.equal(answer.subscribed, true);
  assert.ok(standIn.visits.includes("/?Action=ConfirmSubscription&Token=e2e"), standIn.visits.join(" "));
});

for (const version of ["1", "2"]) {
  test(`Amazon SES through SNS (SignatureVersion ${version}): a permanent bounce suppresses, a transient one does not`, async () => {
    const hard = await subscribed(`ses-hard-v${version}`);
    const soft = await subscribed(`ses-soft-v${version}`);
    const id = `e2e-ses-${version}-${Date.now()}`;
    await assertOk(await sns(sesNotification(sesBounce(hard, "Permanent"), `${id}-p`), version));
    await assertSuppressed(hard, "bounce");
    const answer = await assertOk(await sns(sesNotification(sesBounce(soft, "Transient"), `${id}-t`), version));
    assert.equal(answer.suppressed, 0);
    assert.equal((await check(soft)).allowed, true);
  });
}

test("Amazon SES through SNS: a complaint suppresses, and a forged notification is a 401", async () => {
  const angry = await subscribed("ses-complaint");
  const kept = await subscribed("ses-forged");
  const complaint = {
    notificationType: "Complaint",
    complaint: { complainedRecipients: [{ emailAddress: angry }], complaintFeedbackType: "abuse" },
    mail: { messageId: "m" },
  };
  await assertOk(await sns(sesNotification(complaint, `e2e-ses-c-${Date.now()}`)));
  await assertSuppressed(angry, "complaint");
  const message = sesNotification(sesBounce(newEmail("ses-other"), "Permanent"), `e2e-ses-f-${Date.now()}`);
  // Signed for one address, sent naming another: refused.
  const forged = await sns(message, "1", { tamper: (m) => ({ ...m, Message: JSON.stringify(sesBounce(kept, "Permanent")) }) });
  assert.equal(forged.status, 401);
  assert.equal((await errorOf(forged)).code, "invalid_signature");
  const foreign = await sns({ ...message, TopicArn: "arn:aws:sns:us-east-1:999999999999:not-ours" });
  assert.equal(foreign.status, 401, "a topic that is not configured");
  const old = await sns({ ...message, Timestamp: new Date(Date.now() - 2 * 3600_000).toISOString() });
  assert.equal(old.status, 401);
  assert.equal((await check(kept)).allowed, true);
});

test("SendGrid: a signed batch suppresses its hard bounce, complaint and unsubscribe but not its soft bounce", async () => {
  const [hard, soft, spam, bye] = await Promise.all(["sg-hard", "sg-soft", "sg-spam", "sg-bye"].map(subscribed));
  const t = Math.floor(Date.now() / 1000);
  const id = `e2e-sg-${Date.now()}`;
  const events = [
    { email: hard, timestamp: t, event: "bounce", type: "bounce", reason: "550 5.1.1 unknown user", sg_event_id: `${id}-1` },
    { email: soft, timestamp: t, event: "bounce", type: "blocked", reason: "421 try later", sg_event_id: `${id}-2` },
    { email: soft, timestamp: t, event: "deferred", sg_event_id: `${id}-3` },
    { email: spam, timestamp: t, event: "spamreport", sg_event_id: `${id}-4` },
    { email: bye, timestamp: t, event: "unsubscribe", sg_event_id: `${id}-5` },
  ];
  const answer = await assertOk(await sendgrid(events));
  assert.equal(answer.suppressed, 3);
  await assertSuppressed(hard, "bounce");
  await assertSuppressed(spam, "complaint");
  await assertSuppressed(bye, "api");
  assert.equal((await check(soft)).allowed, true, "a soft bounce is not a dead mailbox");

  const events1 = await eventCount(hard);
  const again = await assertOk(await sendgrid(events));
  assert.equal(again.duplicates, 3, "SendGrid's redelivery of the same batch");
  assert.equal(await eventCount(hard), events1, "recorded once");
});

test("SendGrid: forged, unsigned and old deliveries are refused with 401", async () => {
  const email = await subscribed("sg-forged");
  const events = [{ email, timestamp: 1, event: "bounce", type: "bounce", sg_event_id: `e2e-sg-f-${Date.now()}` }];
  const forged = await sendgrid(events, { tamper: (body) => body.replace('"bounce","type"', '"spamreport","type"') });
  assert.equal(forged.status, 401);
  assert.equal((await errorOf(forged)).code, "invalid_signature");
  const old = await sendgrid(events, { timestamp: secondsAgo(3600) });
  assert.equal(old.status, 401);
  assert.equal((await unsigned("sendgrid", events)).status, 401);
  assert.equal((await check(email)).allowed, true);
});

test("Postmark: a hard bounce with the webhook URL's credentials suppresses; wrong credentials are a 401", async () => {
  const hard = await subscribed("pm-hard");
  const soft = await subscribed("pm-soft");
  const bounce = (email, type, id) => ({
    RecordType: "Bounce", MessageStream: "outbound", ID: id, Type: type, TypeCode: type === "HardBounce" ? 1 : 4096,
    MessageID: "883953f4-6105-42a2-a16a-77a8eac79483", Email: email, BouncedAt: new Date().toISOString(),
    Description: "The server was unable to deliver your message", Inactive: type === "HardBounce",
  });
  const id = Date.now();
  const refused = await postmark(bounce(hard, "HardBounce", id), "postmark:not-the-password");
  assert.equal(refused.status, 401);
  assert.equal((await check(hard)).allowed, true);
  await assertOk(await postmark(bounce(hard, "HardBounce", id)));
  await assertSuppressed(hard, "bounce");
  const answer = await assertOk(await postmark(bounce(soft, "SoftBounce", id + 1)));
  assert.equal(answer.suppressed, 0);
  assert.equal((await check(soft)).allowed, true);
});

test("Resend: a signed complaint suppresses; a forged or old one is a 401", async () => {
  const email = await subscribed("rs-complaint");
  const payload = { type: "email.complained", created_at: new Date().toISOString(), data: { email_id: "e2e", to: [email], subject: "News" } };
  const id = `msg_e2e${Date.now()}`;
  const old = await resend(payload, id, { timestamp: secondsAgo(600) });
  assert.equal(old.status, 401);
  const forged = await resend({ ...payload, type: "email.delivered" }, id, {
    tamper: (body) => body.replace("email.delivered", "email.complained"),
  });
  assert.equal(forged.status, 401);
  assert.equal((await unsigned("resend", payload)).status, 401);
  assert.equal((await check(email)).allowed, true);
  await assertOk(await resend(payload, id));
  await assertSuppressed(email, "complaint");
});

test("Mailgun: a permanent failure suppresses, a temporary one does not, a forged one is a 401", async () => {
  const hard = await subscribed("mg-hard");
  const soft = await subscribed("mg-soft");
  const failed = (email, severity) => ({
    id: `e2e${severity}${Date.now()}`, timestamp: Date.now() / 1000, event: "failed", severity, reason: "bounce",
    recipient: email, "delivery-status": { code: severity === "permanent" ? 550 : 452, message: "no" },
  });
  await assertOk(await mailgun(failed(hard, "permanent")));
  await assertSuppressed(hard, "bounce");
  assert.equal((await assertOk(await mailgun(failed(soft, "temporary")))).suppressed, 0);
  assert.equal((await check(soft)).allowed, true);
  const old = await mailgun(failed(soft, "permanent"), { timestamp: secondsAgo(3600) });
  assert.equal(old.status, 401);
  // Mailgun signs its timestamp and token (not the body): a token other than
  // the one signed is a forgery.
  const forged = await mailgun(failed(soft, "permanent"), { tamper: (body) => body.replace('"token":"', '"token":"1') });
  assert.equal(forged.status, 401);
  assert.equal((await check(soft)).allowed, true);
});
