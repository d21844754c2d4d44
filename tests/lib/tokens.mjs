// Making bad links on purpose. The token layout is doi-core's documented one
// (crates/core/src/token.rs): base64url of
//   version(1) purpose(1) kid_len(1) kid issued_secs(5) subscriber(16)
//   list_len(1) list topic_len(1) topic  mac(16)
// with mac = HMAC-SHA256(key, "doi token v1\0" || everything before it), cut
// to 16 bytes. With the local signing keys from .dev.vars the specs can make
// tokens the Worker must refuse (foreign key, unknown key id, wrong purpose,
// expired) and ones it must accept (an older key still in the keyring).
import { createHmac, randomBytes } from "node:crypto";
import { devVar } from "./http.mjs";

export const PURPOSE = { unsubscribe: 1, preferences: 2, confirm: 3, mailto: 4 };

/** The token at the end of a `/u/…`, `/p/…` or `/c/…` URL. */
export const tokenOf = (url) => new URL(url).pathname.split("/").pop();

/** The keyring wrangler dev uses: `[{kid, key}]`, newest first. */
export function signingKeys() {
  return devVar("DOI_SIGNING_KEYS")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [kid, key] = entry.split(":");
      return { kid, key: Buffer.from(key, "base64") };
    });
}

/** A token's fields: `{version, purpose, kid, issuedSecs, subscriber, list, topic, mac}`. */
export function decode(token) {
  const bytes = Buffer.from(token, "base64url");
  let at = 0;
  const take = (n) => {
    if (at + n > bytes.length) throw new Error(`token too short to decode: ${token}`);
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  };
  const version = take(1)[0];
  const purpose = take(1)[0];
  const kid = take(take(1)[0]).toString("utf8");
  const issuedSecs = Number(take(5).readUIntBE(0, 5));
  const subscriber = Buffer.from(take(16));
  const list = take(take(1)[0]).toString("utf8");
  const topic = take(take(1)[0]).toString("utf8");
  const mac = Buffer.from(take(16));
  if (at !== bytes.length) throw new Error(`token has trailing bytes: ${token}`);
  return { version, purpose, kid, issuedSecs, subscriber, list, topic, mac };
}

/** Encodes `fields` (as from `decode`) and signs them with `key`. */
export function sign(fields, key) {
  const kid = Buffer.from(fields.kid, "utf8");
  const issued = Buffer.alloc(5);
  issued.writeUIntBE(fields.issuedSecs, 0, 5);
  const list = Buffer.from(fields.list, "utf8");
  const topic = Buffer.from(fields.topic ?? "", "utf8");
  const body = Buffer.concat([
    Buffer.from([fields.version ?? 1, fields.purpose, kid.length]),
    kid,
    issued,
    fields.subscriber,
    Buffer.from([list.length]),
    list,
    Buffer.from([topic.length]),
    topic,
  ]);
  const mac = createHmac("sha256", key)
    .update(Buffer.from("doi token v1\0", "utf8"))
    .update(body)
    .digest()
    .subarray(0, 16);
  return Buffer.concat([body, mac]).toString("base64url");
}

/** The key wrangler dev signs with, or the one with id `kid`. */
export function keyFor(kid) {
  const keys = signingKeys();
  const found = kid === undefined ? keys[0] : keys.find((k) => k.kid === kid);
  if (!found) throw new Error(`no signing key ${kid} in DOI_SIGNING_KEYS`);
  return found;
}

/** `token` re-signed, with some fields changed, by the current key (or `key`). */
export function resign(token, changes = {}, key) {
  const fields = { ...decode(token), ...changes };
  const signer = key ?? keyFor(fields.kid).key;
  return sign(fields, signer);
}

/**
 * Bad variants of a genuine `token`, each refused for its own reason. The
 * subscriber inside is the real one, so a Worker that acted on any of them
 * would change a real person's consent.
 */
export function badVariants(token, { otherPurpose }) {
  const fields = decode(token);
  const bytes = Buffer.from(token, "base64url");
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 1] ^= 0x01;
  const tamperedList = Buffer.from(bytes);
  // Flip a bit inside the subscriber id: another person, same signature.
  const subscriberAt = 3 + fields.kid.length + 5;
  tamperedList[subscriberAt] ^= 0x01;
  return {
    "forged signature": flipped.toString("base64url"),
    "a tampered subscriber id under the old signature": tamperedList.toString("base64url"),
    truncated: token.slice(0, token.length - 6),
    "cut in half": token.slice(0, Math.floor(token.length / 2)),
    "signed with a foreign key under a real key id": sign(fields, randomBytes(32)),
    "signed by an unknown (retired) key id": sign({ ...fields, kid: "k9" }, randomBytes(32)),
    "a genuine signature for another purpose": resign(token, { purpose: otherPurpose }),
    "an unsupported version": resign(token, { version: 2 }),
    "not base64url": `${token.slice(0, 10)}!*$${token.slice(13)}`,
    "far too long": token.repeat(4),
  };
}
