// Signing up the way the widget does: read the form's definition, build a
// consent record from the exact text shown (and its SHA-256), POST it with
// the page's Origin.
import { createHash, randomBytes } from "node:crypto";
import { get, postJson, workerOrigin } from "./http.mjs";

/** Lower-case hex SHA-256 of a text's UTF-8 bytes: a consent text's version. */
export const sha256Hex = (text) => createHash("sha256").update(text, "utf8").digest("hex");

/** A new record id: 24 URL-safe characters (the contract wants 16-64). */
export const newRecordId = () => randomBytes(18).toString("base64url");

/** `GET /v1/forms/{id}` as the widget on the Worker's own page asks for it. */
export async function formDefinition(id) {
  const response = await get(`/v1/forms/${id}`, { headers: { origin: workerOrigin } });
  if (response.status !== 200) {
    throw new Error(`GET /v1/forms/${id} answered ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/** The consent text a form shows in `locale` ("ja" | "en"): `{text, version}`. */
export const consentText = (form, locale) => (locale === "ja" ? form.consent_ja : form.consent_en);

/**
 * A consent record for `form` (a definition from `formDefinition`), built like
 * the widget builds it. `overrides` replace any field.
 */
export function consentRecord(form, email, overrides = {}) {
  const locale = overrides.locale ?? "en";
  const shown = consentText(form, locale);
  return {
    record_id: newRecordId(),
    form: form.id,
    email,
    locale,
    consent_text: shown.text,
    consent_version: sha256Hex(shown.text),
    consent: true,
    topics: form.topics.map((topic) => topic.id),
    page_url: `${workerOrigin}/signup-page?from=e2e`,
    client_time: Date.now(),
    // Comfortably slower than any person-speed minimum the form sets.
    elapsed_ms: Math.max(5_000, (form.min_fill_ms ?? 0) + 1_000),
    website: "",
    ...overrides,
  };
}

/** `POST /v1/subscribe` from a page at `origin` (the Worker's own unless told). */
export function subscribe(record, { origin = workerOrigin, headers = {} } = {}) {
  const originHeader = origin === null ? {} : { origin };
  return postJson("/v1/subscribe", record, { headers: { ...originHeader, ...headers } });
}

/**
 * Signs `email` up through `formId` and fails loudly unless the Worker says
 * ok. Returns `{ record, answer }`.
 */
export async function signUp(formId, email, overrides = {}) {
  const form = await formDefinition(formId);
  const record = consentRecord(form, email, overrides);
  const response = await subscribe(record);
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`signing up through ${formId} answered ${response.status}: ${text}`);
  }
  return { form, record, answer: JSON.parse(text) };
}
