// Mail providers' webhook deliveries as each provider signs them, made here
// with the test keys in crates/worker/src/tests/data/ (made for Dōi's tests,
// never a provider's key) and the local secrets in .dev.vars.
import { createHmac, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { devVar, url } from "./http.mjs";

const data = fileURLToPath(new URL("../../crates/worker/src/tests/data/", import.meta.url));
const testKey = (name) => readFileSync(data + name, "utf8");

/** Seconds since the epoch, as providers sign them. */
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** Seconds since the epoch `ago` seconds back. */
export const secondsAgo = (ago) => String(Math.floor(Date.now() / 1000) - ago);

/** POST with no signature at all. */
export const unsigned = (provider, body) =>
  post(provider, JSON.stringify(body), { "content-type": "application/json" });

const post = (provider, body, headers) =>
  fetch(url(`/v1/providers/${provider}`), { method: "POST", redirect: "manual", headers, body });

/** SendGrid's Event Webhook: ECDSA P-256 over timestamp + body. */
export function sendgrid(events, { timestamp = nowSeconds(), tamper } = {}) {
  const body = JSON.stringify(events);
  const signature = sign("sha256", Buffer.from(timestamp + body), testKey("sendgrid-test-key.pem"));
  return post("sendgrid", tamper ? tamper(body) : body, {
    "content-type": "application/json",
    "x-twilio-email-event-webhook-signature": signature.toString("base64"),
    "x-twilio-email-event-webhook-timestamp": timestamp,
  });
}

/** Postmark: basic-auth credentials from the webhook URL, no signature. */
export function postmark(record, credentials = devVar("DOI_POSTMARK_WEBHOOK_AUTH")) {
  return post("postmark", JSON.stringify(record), {
    "content-type": "application/json",
    authorization: `Basic ${Buffer.from(credentials).toString("base64")}`,
  });
}

/** Resend: the Svix scheme, HMAC-SHA256 of `id.timestamp.body`. */
export function resend(payload, id, { timestamp = nowSeconds(), tamper } = {}) {
  const body = JSON.stringify(payload);
  const key = Buffer.from(devVar("DOI_RESEND_WEBHOOK_SECRET").replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return post("resend", tamper ? tamper(body) : body, {
    "content-type": "application/json",
    "svix-id": id,
    "svix-timestamp": timestamp,
    "svix-signature": `v1,${mac}`,
  });
}

/** Mailgun: hex HMAC-SHA256 of timestamp + token with the signing key. */
export function mailgun(eventData, { timestamp = nowSeconds(), token = String(Math.random()).slice(2), tamper } = {}) {
  const signature = createHmac("sha256", devVar("DOI_MAILGUN_SIGNING_KEY"))
    .update(timestamp + token)
    .digest("hex");
  const body = JSON.stringify({ signature: { timestamp, token, signature }, "event-data": eventData });
  return post("mailgun", tamper ? tamper(body) : body, { "content-type": "application/json" });
}

/** The configured SNS topic of the local secrets. */
export const snsTopic = () => devVar("DOI_SES_TOPIC_ARNS").split(",")[0];

/** SNS's string to sign for a message, in its documented field order. */
function snsStringToSign(m) {
  const names =
    m.Type === "Notification"
      ? ["Message", "MessageId", ...(m.Subject === undefined ? [] : ["Subject"]), "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  return names.map((n) => `${n}\n${m[n]}\n`).join("");
}

/**
 * POSTs an SNS message signed with the test key (SignatureVersion 1 or 2);
 * `tamper` changes the signed message before it is sent.
 */
export function sns(message, version = "1", { tamper } = {}) {
  const m = { ...message, SignatureVersion: version };
  const digest = version === "1" ? "sha1" : "sha256";
  m.Signature = sign(digest, Buffer.from(snsStringToSign(m)), testKey("sns-test-key.pem")).toString("base64");
  return post("ses", JSON.stringify(tamper ? tamper(m) : m), {
    "content-type": "text/plain; charset=UTF-8",
    "x-amz-sns-message-type": m.Type,
  });
}

/**
 * A local stand-in for the SNS endpoints the Worker fetches: the signing
 * certificate (the test one) and the SubscribeURL. The real
 * sns.<region>.amazonaws.com cannot be reached from the test machines; the
 * Worker takes 127.0.0.1 URLs only with DOI_SNS_LOOPBACK=on while it runs on
 * a loopback origin. Listens on 127.0.0.1; `close()` stops it.
 */
export async function snsStandIn() {
  const visits = [];
  const server = createServer((req, res) => {
    visits.push(req.url);
    if (req.url === "/SimpleNotificationService-test.pem") {
      res.writeHead(200, { "content-type": "application/x-pem-file" });
      res.end(testKey("sns-test-cert.pem"));
    } else if (req.url.startsWith("/?Action=ConfirmSubscription")) {
      res.writeHead(200, { "content-type": "text/xml" });
      res.end("<ConfirmSubscriptionResponse/>");
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    certUrl: `${origin}/SimpleNotificationService-test.pem`,
    visits,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
