// What end-to-end specs need to talk to the Worker under test: its base URL
// (set by `cargo xtask test`), the local secrets, and small fetch helpers.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The `wrangler dev` that `cargo xtask test` started (or `cargo xtask dev`'s). */
export const baseUrl = process.env.DOI_BASE_URL ?? "http://127.0.0.1:8787";

/** Where specs put screenshots and other evidence; git-ignored. */
export const artifactsDir = process.env.DOI_ARTIFACTS ?? `${root}tests/artifacts`;

/** A local secret, as wrangler dev sees it: `.dev.vars`, else the example. */
export function devVar(name) {
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    const path = root + file;
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
      if (match && match[1] === name) return match[2].replace(/^(["'])(.*)\1$/, "$2");
    }
  }
  throw new Error(`${name} is not set in .dev.vars or .dev.vars.example`);
}

/** The sender API's bearer token. */
export const apiToken = () => devVar("DOI_API_TOKEN");

/** An absolute URL on the Worker under test. */
export const url = (path) => new URL(path, baseUrl).href;

/** GET without following redirects (a redirect is part of what we test). */
export const get = (path, init = {}) =>
  fetch(url(path), { redirect: "manual", ...init });

/** POST a JSON body. */
export const postJson = (path, body, init = {}) =>
  fetch(url(path), {
    method: "POST",
    redirect: "manual",
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify(body),
  });

/** POST an HTML form (application/x-www-form-urlencoded). */
export const postForm = (path, fields, init = {}) =>
  fetch(url(path), {
    method: "POST",
    redirect: "manual",
    ...init,
    body: new URLSearchParams(fields),
  });

/** Call the sender API with the bearer token; `body` is sent as JSON. */
export const api = (method, path, body, init = {}) =>
  fetch(url(path), {
    method,
    redirect: "manual",
    ...init,
    headers: {
      authorization: `Bearer ${apiToken()}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** Everything wrangler dev printed so far (for "no email in logs" checks). */
export function wranglerLog() {
  const path = process.env.DOI_WRANGLER_LOG;
  return path && existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** The Worker's own origin, as a browser on its pages would send it. */
export const workerOrigin = new URL(baseUrl).origin;

/** The path of the list of every address the specs used in this run. */
export const addressesFile = () => `${artifactsDir}/addresses.txt`;

/**
 * A fresh address nobody else uses, recorded in `addresses.txt` so the
 * privacy spec can check that none of them reached a log line or a URL.
 * `tag` says which spec made it (it shows up in failure messages).
 */
export function newEmail(tag = "x") {
  const address = `e2e-${tag}-${randomBytes(6).toString("hex")}@example.com`;
  mkdirSync(artifactsDir, { recursive: true });
  appendFileSync(addressesFile(), `${address}\n`);
  return address;
}

/**
 * `text` as a Japanese IME in full-width mode types it: every ASCII character
 * from `!` to `~` as its full-width form (U+FF01 to U+FF5E).
 */
export const fullWidth = (text) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Every address recorded by `newEmail` in this run. */
export function usedEmails() {
  const path = addressesFile();
  if (!existsSync(path)) return [];
  return [...new Set(readFileSync(path, "utf8").split("\n").filter(Boolean))];
}

/** The stable `code` of a JSON error response (and its whole body for messages). */
export async function errorOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    return { code: body?.error?.code, message: body?.error?.message, body, text };
  } catch {
    return { code: undefined, message: undefined, body: undefined, text };
  }
}

/**
 * The sender API's batch limits, read from their one definition
 * (`crates/core/src/limits.rs`), so specs follow when they change:
 * `{ CHECK_BATCH, CHANGE_BATCH, PREPARE_BATCH, EXPORT_PAGE_DEFAULT, EXPORT_PAGE_MAX }`.
 */
export const limits = Object.fromEntries(
  [...readFileSync(`${root}crates/core/src/limits.rs`, "utf8").matchAll(/pub const (\w+): usize = (\d+);/g)]
    .map(([, name, value]) => [name, Number(value)]),
);
