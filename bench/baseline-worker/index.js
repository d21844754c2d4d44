// The JavaScript baseline of `cargo xtask bench`: the one-click unsubscribe
// path written by hand as a plain Worker, doing the same KV operations as
// the Rust Worker's (crates/worker/src/subscribers/, `before_change` +
// `append` for a withdrawal):
//
//   verify the link's HMAC (WebCrypto) → read snap/{sid} → put the repair
//   mark → read the pulse → put ev/{sid}/{event} → read snap/{sid} again
//   (a racing writer's?) → put snap/{sid} (state and heads) → read it back
//   → 200  (4 reads + 3 writes)
//
// and the read-only unsubscribe page: verify → read and parse snap/{sid} →
// sign the preferences link → HTML.
// Tokens are doi-core's format (crates/core/src/token.rs), signed with the
// same DOI_SIGNING_KEYS (from .dev.vars, copied here by xtask), so the same
// links drive both Workers. Just enough code to be a fair baseline, and no
// less than the same job: like the Rust Worker's, its one-click signs a
// consent receipt (Ed25519 over a JWS signing input, with the same
// DOI_RECEIPT_KEYS, stored in the event key's metadata) and logs one line,
// both answers are the Rust Worker's pages with a preferences link signed
// for the request, and every answer carries the Rust Worker's security
// headers. Without the receipt, the log line or the pages it would measure
// less work, not a faster language: the log line alone costs `wrangler dev`
// about 2 ms per request, and its own pages were 220 and 107 bytes where
// the Rust Worker sends 4.7 and 4.0 KB.
//
// The pages (pages.json, written by bench/worker-data.mjs `prepare` and
// copied here by xtask) are the Rust Worker's own answers for one
// subscriber, their tokens cut out: filling them is cheaper than rendering
// (the Rust Worker also renders the subscriber's choices), which favours
// this baseline.
import PAGES from "./pages.json";

const encoder = new TextEncoder();
const PURPOSE_UNSUBSCRIBE = 1;
const PURPOSE_PREFERENCES = 2;
const MAC_LEN = 16;

let keyring = null; // [kid, CryptoKey] pairs, imported once per isolate

async function keys(env) {
  if (keyring) return keyring;
  const entries = env.DOI_SIGNING_KEYS.split(",").map((entry) => entry.trim().split(":"));
  keyring = new Map(await Promise.all(entries.map(async ([kid, secret]) => [
    kid,
    await crypto.subtle.importKey("raw", base64(secret), { name: "HMAC", hash: "SHA-256" },
      false, ["sign"]),
  ])));
  return keyring;
}

function base64(text) {
  const plain = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(plain + "=".repeat((4 - (plain.length % 4)) % 4)),
    (c) => c.charCodeAt(0));
}

const base64url = (bytes) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The token's claims if its MAC verifies, else null. */
async function verify(token, env) {
  let bytes;
  try {
    bytes = base64(token);
  } catch {
    return null;
  }
  let at = 0;
  const take = (n) => bytes.subarray(at, (at += n));
  const [version, purpose, kidLength] = take(3);
  if (version !== 1 || purpose !== PURPOSE_UNSUBSCRIBE) return null;
  const kid = new TextDecoder().decode(take(kidLength));
  take(5); // issued, seconds
  const id = take(16);
  const list = new TextDecoder().decode(take(take(1)[0]));
  const topic = new TextDecoder().decode(take(take(1)[0]));
  if (bytes.length - at !== MAC_LEN) return null;
  const key = (await keys(env)).get(kid);
  if (!key) return null;
  const signed = await mac(key, bytes.subarray(0, at));
  let difference = 0;
  for (let i = 0; i < MAC_LEN; i++) difference |= signed[i] ^ bytes[at + i];
  return difference === 0 ? { token, id, subscriber: base64url(id), list, topic } : null;
}

/** The token's MAC over its `body`, before truncation. */
async function mac(key, body) {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key,
    concat(encoder.encode("doi token v1\0"), body)));
}

/** A preferences link's token for the claims, issued now with the newest key. */
async function preferencesToken(claims, env) {
  const [kid, key] = (await keys(env)).entries().next().value;
  const issued = Math.floor(Date.now() / 1000);
  const list = encoder.encode(claims.list);
  const body = new Uint8Array(3 + kid.length + 5 + 16 + 1 + list.length + 1);
  let at = 0;
  const put = (part) => {
    body.set(part, at);
    at += part.length;
  };
  put([1, PURPOSE_PREFERENCES, kid.length]);
  put(encoder.encode(kid));
  put([issued / 2 ** 32, issued >>> 24, issued >>> 16, issued >>> 8, issued].map((b) => b & 255));
  put(claims.id);
  put([list.length]);
  put(list);
  put([0]); // no topic
  return base64url(concat(body, (await mac(key, body)).subarray(0, MAC_LEN)));
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// The headers the Rust Worker's answers carry (crates/worker/src/http,
// crates/worker/src/pages).
const SAFE = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
const JSON_HEADERS = {
  ...SAFE,
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
};
const PAGE_HEADERS = {
  ...SAFE,
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": PAGES.unsubscribe.csp,
  "x-frame-options": "DENY",
};

const html = (status, text) => new Response(
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>Unsubscribe</title><p>${text}</p>`,
  { status, headers: PAGE_HEADERS });

/** One of PAGES with this request's links in its holes (worker-data.mjs). */
const page = (template, claims, preferences) => new Response(
  template.html.replaceAll("\u0000u", claims.token).replaceAll("\u0000p", preferences),
  { status: 200, headers: { ...PAGE_HEADERS, "content-security-policy": template.csp } });

let receiptKey = null; // [kid, CryptoKey], imported once per isolate

/** The newest receipt key (an Ed25519 seed, as PKCS #8 for WebCrypto). */
async function receiptSigner(env) {
  if (receiptKey) return receiptKey;
  const [kid, seed] = env.DOI_RECEIPT_KEYS.split(",")[0].trim().split(":");
  const prefix = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
    0x70, 0x04, 0x22, 0x04, 0x20);
  const key = await crypto.subtle.importKey("pkcs8", concat(prefix, base64(seed)),
    { name: "Ed25519" }, false, ["sign"]);
  receiptKey = [kid, key];
  return receiptKey;
}

const base64urlText = (text) => base64url(encoder.encode(text));

/** A receipt for the withdrawal `event`, as its key's metadata stores it. */
async function receipt(event, origin, env) {
  const [kid, key] = await receiptSigner(env);
  const context = { controller: "Sample", contact: "https://sample.example/contact", policy: null };
  const payload = {
    ver: "doi-receipt/1", iss: origin, sub: event.subscriber, iat: Math.floor(event.at / 1000),
    jti: event.id, at: event.at, controller: context.controller, contact: context.contact,
    jurisdiction: "JP", action: "withdrawal", method: event.via,
    purposes: [{ list: event.list, topics: [] }], parents: event.parents,
  };
  const input = `${base64urlText(JSON.stringify({ alg: "EdDSA", kid, typ: "JWT" }))}.` +
    base64urlText(JSON.stringify(payload));
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", key, encoder.encode(input)));
  return { k: kid, s: base64url(signature), c: base64urlText(JSON.stringify(context)) };
}

async function oneClick(claims, request, env) {
  const form = await request.text();
  if (!form.includes("List-Unsubscribe=One-Click")) return html(400, "Not a one-click request.");
  const sid = claims.subscriber;
  const snapshot = JSON.parse((await env.DOI_KV.get(`snap/${sid}`)) ?? '{"state":{},"recent":[]}');
  const id = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const due = String(Date.now() + 75_000).padStart(13, "0");
  await env.DOI_KV.put(`mark/0/${due}/${sid}/${id}`, "", { expirationTtl: 7 * 24 * 3600 });
  await env.DOI_KV.get("pulse");
  const event = {
    id, at: Date.now(), subscriber: sid, parents: snapshot.state.heads ?? [],
    type: "unsubscribed", scope: "list", list: claims.list, via: "one_click",
  };
  const signed = await receipt(event, new URL(request.url).origin, env);
  await env.DOI_KV.put(`ev/${sid}/${id}`, JSON.stringify(event), { metadata: { r: signed } });
  await env.DOI_KV.get(`snap/${sid}`);
  snapshot.recent = [...(snapshot.recent ?? []), { id, at: Date.now() }];
  snapshot.state = { ...snapshot.state, heads: [id], [claims.list]: { status: "unsubscribed", at: Date.now() } };
  await env.DOI_KV.put(`snap/${sid}`, JSON.stringify(snapshot),
    { metadata: { n: (snapshot.state.events ?? 0) + 1 } });
  await env.DOI_KV.get(`snap/${sid}`);
  console.log(`subscriber ${sid} unsubscribed`);
  return page(PAGES.oneClick, claims, await preferencesToken(claims, env));
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz") return Response.json({ ok: true }, { headers: JSON_HEADERS });
    const match = pathname.match(/^\/u\/([A-Za-z0-9_-]{1,200})$/);
    if (!match) return new Response("Not found", { status: 404 });
    const claims = await verify(match[1], env);
    if (!claims) return html(400, "This link is not valid.");
    if (request.method === "POST") return oneClick(claims, request, env);
    const snapshot = JSON.parse((await env.DOI_KV.get(`snap/${claims.subscriber}`)) ?? "null");
    if (!snapshot) return html(404, "This link is not valid.");
    return page(PAGES.unsubscribe, claims, await preferencesToken(claims, env));
  },
};
