// What a mail client does with a mail's `List-Unsubscribe` headers (RFC 2369,
// RFC 8058), for the local inbox: read the URIs out of the header, and make
// the one-click POST — `List-Unsubscribe=One-Click`, form-encoded, no cookie,
// no redirect followed — to its https/http URI.

/** The most bytes of an answer the inbox keeps to show. */
const ANSWER_LIMIT = 4096;

/** How long the inbox waits for the sender's server to answer. */
const ANSWER_TIMEOUT_MS = 15_000;

/**
 * The URIs of a `List-Unsubscribe` value, in order: `<https://…>, <mailto:…>`.
 * At most 8, each at most 2,000 characters; anything else is ignored.
 */
export function listUnsubscribeUris(value) {
  const uris = [];
  for (const match of String(value ?? "").matchAll(/<([^<>\s]{1,2000})>/g)) {
    uris.push(match[1]);
    if (uris.length === 8) break;
  }
  return uris;
}

/** The first http(s) URI of a `List-Unsubscribe` value, or undefined. */
export function oneClickTarget(value) {
  return listUnsubscribeUris(value).find((uri) => /^https?:\/\//i.test(uri));
}

/** The first mailto URI of a `List-Unsubscribe` value, or undefined. */
export function mailtoTarget(value) {
  return listUnsubscribeUris(value).find((uri) => /^mailto:/i.test(uri));
}

/**
 * Whether a mail offers RFC 8058 one-click: an http(s) URI in
 * `List-Unsubscribe` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
 */
export function offersOneClick(listUnsubscribe, listUnsubscribePost) {
  const post = String(listUnsubscribePost ?? "").trim();
  return oneClickTarget(listUnsubscribe) !== undefined && post === "List-Unsubscribe=One-Click";
}

/**
 * Makes the one-click POST to `target` and returns what came back:
 * `{ url, status, text, at }`, or `{ url, error, at }` when nothing did.
 * `text` is the answer's first bytes with tags removed, for showing.
 */
export async function oneClick(target) {
  const at = Date.now();
  try {
    const response = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
      redirect: "manual",
      credentials: "omit",
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    const text = await readSome(response, ANSWER_LIMIT);
    return { url: target, status: response.status, text: plainText(text), at };
  } catch (error) {
    return { url: target, error: String(error?.message ?? error), at };
  }
}

/** At most `limit` bytes of a response's body, as text. */
async function readSome(response, limit) {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks).subarray(0, limit).toString("utf8");
}

/** An HTML answer as the words a person reads in it, roughly. */
function plainText(html) {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 600);
}
