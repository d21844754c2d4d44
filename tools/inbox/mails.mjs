// The inbox's mails, in memory, oldest first: what arrived over SMTP (parsed
// with mailparser, the raw source kept) and the Worker's confirmation-mail
// webhooks (their JSON read as a mail). A bounded store: the oldest go first.

import { simpleParser } from "mailparser";

/** The most mails kept; a local inbox for trying flows, not an archive. */
const KEPT = 1000;

/** Every mail, oldest first. */
const mails = [];
let next = 1;

function keep(mail) {
  mails.push(mail);
  if (mails.length > KEPT) mails.shift();
  return mail;
}

/** All mails, oldest first. */
export const all = () => mails;

/** The mail with id `id` (a number as text), or undefined. */
export const byId = (id) => mails.find((mail) => String(mail.id) === String(id));

/** A header's value as text (mailparser gives structured values for some). */
function headerText(parsed, name) {
  const line = parsed.headerLines.find((h) => h.key === name);
  if (!line) return undefined;
  return line.line.slice(line.line.indexOf(":") + 1).replace(/\r?\n[ \t]+/g, " ").trim();
}

/** Parses a raw RFC 5322 message received over SMTP and keeps it. */
export async function addRaw(raw, envelope) {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  return keep({
    id: next++,
    via: "smtp",
    received: Date.now(),
    envelope,
    from: parsed.from?.text ?? "",
    to: parsed.to ? [parsed.to].flat().map((a) => a.text).join(", ") : "",
    subject: parsed.subject ?? "",
    date: (parsed.date ?? new Date()).toISOString(),
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
    list_unsubscribe: headerText(parsed, "list-unsubscribe"),
    list_unsubscribe_post: headerText(parsed, "list-unsubscribe-post"),
    raw: raw.toString("utf8"),
    one_click: undefined,
  });
}

/**
 * Keeps a confirmation mail the Worker delivered by webhook, when its body
 * is the JSON of docs/api.md (`type: "confirmation"`); anything else is not
 * a mail and is only a delivery.
 */
export function addDelivery(raw) {
  let json;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== "object" || typeof json.to !== "string") return undefined;
  return keep({
    id: next++,
    via: "webhook",
    received: Date.now(),
    from: "Dōi (webhook)",
    to: json.to,
    subject: String(json.subject ?? ""),
    date: new Date().toISOString(),
    text: String(json.text ?? ""),
    html: String(json.html ?? ""),
    list_unsubscribe: undefined,
    list_unsubscribe_post: undefined,
    raw: undefined,
    one_click: undefined,
  });
}

/** A mail as `GET /mails` lists it: everything but the raw source. */
export function summary(mail) {
  const { raw, ...rest } = mail;
  return { ...rest, has_raw: raw !== undefined };
}
