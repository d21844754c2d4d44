// The sender API as a sender's mailing code calls it (bearer token, JSON):
// "may I send?", "give me the links", "show me the proof", export.
import { api } from "./http.mjs";

async function json(response, what) {
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${what} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

/** `POST /v1/check` for one address: its result `{email, allowed, reason, …}`. */
export async function check(email, { list = "newsletter", topic, frequency } = {}) {
  const results = await checkMany([email], { list, topic, frequency });
  return results[0];
}

/** `POST /v1/check` for many addresses: the results, in input order. */
export async function checkMany(emails, { list = "newsletter", topic, frequency } = {}) {
  const body = { list, emails };
  if (topic !== undefined) body.topic = topic;
  if (frequency !== undefined) body.frequency = frequency;
  const answer = await json(await api("POST", "/v1/check", body), "POST /v1/check");
  return answer.results;
}

/** `POST /v1/links`: unsubscribe and preference URLs, headers, footer. */
export async function links(email, { list = "newsletter", topic, locale } = {}) {
  const body = { email, list };
  if (topic !== undefined) body.topic = topic;
  if (locale !== undefined) body.locale = locale;
  return json(await api("POST", "/v1/links", body), "POST /v1/links");
}

/** `POST /v1/prepare`: a campaign batch's decisions and, for those who may be mailed, links. */
export async function prepare(recipients, { list = "newsletter", topic, frequency, locale } = {}) {
  const body = { list, recipients };
  if (topic !== undefined) body.topic = topic;
  if (frequency !== undefined) body.frequency = frequency;
  if (locale !== undefined) body.locale = locale;
  return json(await api("POST", "/v1/prepare", body), "POST /v1/prepare");
}

/** `GET /v1/subscribers/{email or id}` as a Response (404 is an answer). */
export const subscriberResponse = (emailOrId) =>
  api("GET", `/v1/subscribers/${encodeURIComponent(emailOrId)}`);

/** `GET /v1/subscribers/{email or id}`: state, events and consent texts. */
export async function subscriber(emailOrId) {
  return json(await subscriberResponse(emailOrId), `GET /v1/subscribers/${emailOrId}`);
}

/** How many events a subscriber's log holds; 0 when the Worker knows nobody. */
export async function eventCount(emailOrId) {
  const response = await subscriberResponse(emailOrId);
  if (response.status === 404) return 0;
  const body = await json(response, `GET /v1/subscribers/${emailOrId}`);
  return body.events.length;
}

/** `POST /v1/import` of consents recorded elsewhere: `{imported, skipped}`. */
export async function importRecords(records) {
  return json(await api("POST", "/v1/import", { records }), "POST /v1/import");
}

/** `POST /v1/suppressions` (`reason`: bounce, complaint or manual): `{suppressed, skipped}`. */
export async function suppress(emails, reason = "manual") {
  return json(await api("POST", "/v1/suppressions", { emails, reason }), "POST /v1/suppressions");
}

/** Every line of `GET /v1/export`, following `Doi-Next-Cursor` page by page. */
export async function exportAll({ limit } = {}) {
  const lines = [];
  const pages = [];
  let cursor;
  for (let page = 0; page < 10_000; page += 1) {
    const query = new URLSearchParams();
    if (limit !== undefined) query.set("limit", String(limit));
    if (cursor !== undefined) query.set("cursor", cursor);
    const response = await api("GET", `/v1/export?${query}`);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET /v1/export answered ${response.status}: ${text}`);
    const rows = text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
    pages.push({ rows, contentType: response.headers.get("content-type"), cursor });
    lines.push(...rows);
    cursor = response.headers.get("doi-next-cursor") ?? undefined;
    if (cursor === undefined) return { lines, pages };
  }
  throw new Error("GET /v1/export never stopped handing out cursors");
}

/** The subscribed/resubscribed events of a log: the ones that carry evidence. */
export const consentEvents = (events) =>
  events.filter((event) => event.type === "subscribed" || event.type === "resubscribed");
