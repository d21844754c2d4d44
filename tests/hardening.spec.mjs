// Web hardening on every response the Worker makes: a strict CSP, no
// referrer (tokens are in URLs), no MIME sniffing, no caching of token pages;
// CORS only for a form's allowed origins; the sender API behind its bearer
// token; limits answered with 4xx, not crashes.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { api, apiToken, errorOf, limits, newEmail, url, workerOrigin } from "./lib/http.mjs";
import { consentRecord, formDefinition, signUp } from "./lib/consent.mjs";
import { check, links } from "./lib/sender.mjs";
import { waitForMails } from "./lib/mailbox.mjs";

/** Parses a Content-Security-Policy into `{directive: [sources]}`. */
function parseCsp(header) {
  const directives = {};
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives[name.toLowerCase()] = sources;
  }
  return directives;
}

/** What every response must carry; returns the problems found. */
function hardeningProblems(response) {
  const problems = [];
  const csp = response.headers.get("content-security-policy");
  if (!csp) {
    problems.push("no Content-Security-Policy");
  } else {
    const d = parseCsp(csp);
    const scripts = d["script-src"] ?? d["default-src"];
    if (!scripts) problems.push(`CSP limits no scripts: ${csp}`);
    else {
      for (const loose of ["'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"]) {
        if (scripts.includes(loose)) problems.push(`CSP allows ${loose} scripts: ${csp}`);
      }
    }
    if (JSON.stringify(d["frame-ancestors"]) !== JSON.stringify(["'none'"])) {
      problems.push(`CSP frame-ancestors is not 'none': ${csp}`);
    }
  }
  if (response.headers.get("referrer-policy") !== "no-referrer") {
    problems.push(`Referrer-Policy is ${response.headers.get("referrer-policy")}`);
  }
  if ((response.headers.get("x-content-type-options") ?? "").toLowerCase() !== "nosniff") {
    problems.push(`X-Content-Type-Options is ${response.headers.get("x-content-type-options")}`);
  }
  if (!response.headers.get("content-type")) problems.push("no Content-Type");
  const acao = response.headers.get("access-control-allow-origin");
  if (acao === "*") problems.push("Access-Control-Allow-Origin: *");
  return problems;
}

const noStore = (response) => /\bno-store\b/i.test(response.headers.get("cache-control") ?? "");

let fixture;
before(async () => {
  const email = newEmail("hardening");
  await signUp("whitepaper", email);
  const mail = await links(email);
  const leaving = newEmail("hardening-leaving");
  await signUp("whitepaper", leaving);
  const leavingMail = await links(leaving);
  const pending = newEmail("hardening-pending");
  await signUp("newsletter", pending);
  const [confirmation] = await waitForMails(pending, 1);
  fixture = { email, mail, leaving, leavingMail, confirmUrl: confirmation.json.confirm_url };
});

/** Every kind of response: pages (with and without a valid token) and API answers. */
function requests() {
  const { mail, leavingMail, confirmUrl } = fixture;
  const oneClick = () => new URLSearchParams({ "List-Unsubscribe": "One-Click" });
  const page = (target) => [target, {}];
  return {
    pages: [
      page(url("/f/newsletter")),
      page(url("/f/whitepaper?lang=en")),
      page(url("/no-such-page")),
    ],
    tokenPages: [
      page(mail.unsubscribe_url),
      page(`${mail.preferences_url}?lang=en`),
      page(confirmUrl),
      page(url("/u/not-a-token")),
      page(url("/p/not-a-token")),
      page(url("/c/not-a-token")),
      [leavingMail.unsubscribe_url, { method: "POST", body: oneClick() }],
      [`${leavingMail.preferences_url}?lang=en`, { method: "POST", body: new URLSearchParams({ action: "reason", reason: "other" }) }],
      [url("/u/not-a-token"), { method: "POST", body: oneClick() }],
      [url("/c/not-a-token"), { method: "POST" }],
    ],
    api: [
      [url("/healthz"), {}],
      [url("/v1/forms/newsletter"), { headers: { origin: workerOrigin } }],
      [url("/v1/forms/no-such-form"), {}],
      [url("/v1/subscribe"), { method: "OPTIONS", headers: { origin: workerOrigin, "access-control-request-method": "POST" } }],
      [url("/v1/subscribe"), { method: "POST", headers: { "content-type": "application/json", origin: workerOrigin }, body: "{" }],
      [url("/v1/check"), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
      [url("/v1/check"), { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiToken()}` }, body: JSON.stringify({ list: "newsletter", emails: [fixture.email] }) }],
      [url("/v1/export?limit=1"), { headers: { authorization: `Bearer ${apiToken()}` } }],
      [url("/v1/subscribers/nobody%40example.com"), { headers: { authorization: `Bearer ${apiToken()}` } }],
      [url("/v1/nothing-here"), {}],
    ],
  };
}

test("every page and API response carries CSP, Referrer-Policy and nosniff", async () => {
  const all = requests();
  const failures = [];
  for (const [target, init] of [...all.pages, ...all.tokenPages, ...all.api]) {
    const response = await fetch(target, { redirect: "manual", ...init });
    await response.arrayBuffer();
    const problems = hardeningProblems(response);
    if (response.status >= 500) problems.push(`status ${response.status}`);
    if (problems.length) failures.push(`${init.method ?? "GET"} ${target} (${response.status}): ${problems.join("; ")}`);
  }
  assert.deepEqual(failures, []);
});

test("pages reached through a token are never cached", async () => {
  const failures = [];
  for (const [target, init] of requests().tokenPages) {
    const response = await fetch(target, { redirect: "manual", ...init });
    await response.arrayBuffer();
    if (!noStore(response)) failures.push(`${init.method ?? "GET"} ${target}: Cache-Control ${response.headers.get("cache-control")}`);
  }
  assert.deepEqual(failures, []);
});

test("sender API answers are not cached either (they hold personal data)", async () => {
  for (const [target, init] of requests().api.filter(([t]) => /\/v1\/(check|export|subscribers)/.test(t))) {
    const response = await fetch(target, { redirect: "manual", ...init });
    await response.arrayBuffer();
    assert.ok(noStore(response), `${target}: Cache-Control ${response.headers.get("cache-control")}`);
  }
});

// ---- CORS ------------------------------------------------------------

test("a form definition is not shared with a foreign origin", async () => {
  for (const origin of ["https://evil.example", "null", `${workerOrigin}.evil.example`, "http://127.0.0.1:1"]) {
    const response = await fetch(url("/v1/forms/newsletter"), { headers: { origin } });
    await response.arrayBuffer();
    assert.equal(response.headers.get("access-control-allow-origin"), null, `Origin ${origin}`);
  }
});

test("a form definition is shared with the form's allowed origins and the Worker's own", async () => {
  for (const origin of ["http://localhost:8787", workerOrigin]) {
    const response = await fetch(url("/v1/forms/newsletter"), { headers: { origin } });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), origin);
    assert.match(response.headers.get("vary") ?? "", /origin/i, "caches keep answers per Origin");
  }
});

test("the subscribe preflight is answered for an allowed origin only", async () => {
  const ask = (origin) =>
    fetch(url("/v1/subscribe"), {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
  const allowed = await ask("http://localhost:8787");
  await allowed.arrayBuffer();
  assert.ok(allowed.status === 200 || allowed.status === 204, `preflight answered ${allowed.status}`);
  assert.equal(allowed.headers.get("access-control-allow-origin"), "http://localhost:8787");
  assert.match(allowed.headers.get("access-control-allow-methods") ?? "", /\bPOST\b/);
  assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /content-type/i);
  assert.equal(allowed.headers.get("access-control-allow-credentials"), null, "no cookies are involved");

  const foreign = await ask("https://evil.example");
  await foreign.arrayBuffer();
  assert.equal(foreign.headers.get("access-control-allow-origin"), null);
});

test("a signup from an allowed origin can read its answer; a foreign one cannot", async () => {
  const form = await formDefinition("whitepaper");
  const ok = await fetch(url("/v1/subscribe"), {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://localhost:8787" },
    body: JSON.stringify(consentRecord(form, newEmail("cors-ok"))),
  });
  await ok.arrayBuffer();
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), "http://localhost:8787");
  const foreign = await fetch(url("/v1/subscribe"), {
    method: "POST",
    headers: { "content-type": "application/json", origin: "https://evil.example" },
    body: JSON.stringify(consentRecord(form, newEmail("cors-foreign"))),
  });
  await foreign.arrayBuffer();
  assert.equal(foreign.status, 403);
  assert.equal(foreign.headers.get("access-control-allow-origin"), null);
});

test("the sender API is never opened to browsers by CORS", async () => {
  const response = await api("POST", "/v1/check", { list: "newsletter", emails: [] }, { headers: { origin: "http://localhost:8787" } });
  await response.arrayBuffer();
  assert.equal(response.headers.get("access-control-allow-origin"), null);
});

// ---- the sender API's bearer token -------------------------------------

test("the sender API refuses requests without the right bearer token, and acts on none", async () => {
  const victim = newEmail("auth-victim");
  await signUp("whitepaper", victim);
  const token = apiToken();
  const wrongs = {
    "no Authorization": undefined,
    "a wrong token": "Bearer wrong-token",
    "the token minus its last character": `Bearer ${token.slice(0, -1)}`,
    "the token plus a character": `Bearer ${token}x`,
    "the token without a scheme": token,
    "the token as Basic credentials": `Basic ${Buffer.from(`user:${token}`).toString("base64")}`,
    "an empty bearer": "Bearer ",
  };
  const calls = [
    ["POST", "/v1/links", { email: victim, list: "newsletter" }],
    ["POST", "/v1/check", { list: "newsletter", emails: [victim] }],
    ["GET", `/v1/subscribers/${encodeURIComponent(victim)}`],
    ["GET", "/v1/export"],
    ["POST", "/v1/import", { records: [] }],
    ["POST", "/v1/suppressions", { emails: [victim], reason: "manual" }],
    ["DELETE", `/v1/subscribers/${encodeURIComponent(victim)}`],
  ];
  const failures = [];
  for (const [label, authorization] of Object.entries(wrongs)) {
    for (const [method, path, body] of calls) {
      const headers = {};
      if (authorization !== undefined) headers.authorization = authorization;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
      });
      const error = await errorOf(response);
      if (response.status !== 401 || error.code !== "unauthorized" || typeof error.body?.error?.retryable !== "boolean") {
        failures.push(`${label}: ${method} ${path.split("/").slice(0, 3).join("/")} → ${response.status} ${error.text.slice(0, 120)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  const result = await check(victim);
  assert.equal(result.allowed, true, "no refused call suppressed or erased anyone");
});

// ---- limits -----------------------------------------------------------

const addresses = (n) => Array.from({ length: n }, (_, i) => `limit-${i}@example.com`);

test(`/v1/check takes ${limits.CHECK_BATCH} addresses and refuses one more`, async () => {
  const most = limits.CHECK_BATCH;
  const ok = await api("POST", "/v1/check", { list: "newsletter", emails: addresses(most) });
  const body = await ok.json();
  assert.equal(ok.status, 200);
  assert.equal(body.results.length, most);
  assert.deepEqual(body.results.map((r) => r.email), addresses(most), "results come in input order");
  const tooMany = await api("POST", "/v1/check", { list: "newsletter", emails: addresses(most + 1) });
  const error = await errorOf(tooMany);
  assert.ok([413, 422].includes(tooMany.status), `answered ${tooMany.status}`);
  assert.equal(error.code, "batch_too_large");
});

test(`/v1/import and /v1/suppressions refuse more than ${limits.CHANGE_BATCH} items and store none`, async () => {
  const marker = newEmail("batch-marker");
  const records = [marker, ...addresses(limits.CHANGE_BATCH)].map((email) => ({
    email,
    list: "newsletter",
    consented_at: Date.now() - 86_400_000,
    source: "e2e batch limit",
    consent_text: "I agree to receive the newsletter.",
    locale: "en",
  }));
  const imported = await api("POST", "/v1/import", { records });
  const importError = await errorOf(imported);
  assert.ok([413, 422].includes(imported.status), `import answered ${imported.status}`);
  assert.equal(importError.code, "batch_too_large");
  assert.equal((await check(marker)).reason.code, "no_consent", "nothing of the batch was imported");

  const suppressed = await api("POST", "/v1/suppressions", { emails: [marker, ...addresses(limits.CHANGE_BATCH)], reason: "manual" });
  const suppressError = await errorOf(suppressed);
  assert.ok([413, 422].includes(suppressed.status), `suppressions answered ${suppressed.status}`);
  assert.equal(suppressError.code, "batch_too_large");
});

test("a sender API body over 256 KiB is refused with 413", async () => {
  const response = await api("POST", "/v1/check", { list: "newsletter", emails: ["a@example.com"], padding: "p".repeat(300 * 1024) });
  const error = await errorOf(response);
  assert.equal(response.status, 413, error.text.slice(0, 200));
  assert.equal(error.code, "payload_too_large");
});

test("a page POST over 16 KiB is refused with 413, not acted on", async () => {
  const response = await fetch(fixture.mail.unsubscribe_url, {
    method: "POST",
    body: new URLSearchParams({ "List-Unsubscribe": "One-Click", padding: "p".repeat(20 * 1024) }),
    redirect: "manual",
  });
  await response.arrayBuffer();
  assert.equal(response.status, 413);
  assert.equal((await check(fixture.email)).allowed, true);
});

test("unknown routes and methods get JSON errors with stable codes", async () => {
  const missing = await api("GET", "/v1/no-such-thing");
  assert.equal(missing.status, 404);
  assert.equal((await errorOf(missing)).code, "not_found");
  const wrongMethod = await api("PUT", "/v1/check", { list: "newsletter", emails: [] });
  assert.equal(wrongMethod.status, 405);
  assert.equal((await errorOf(wrongMethod)).code, "method_not_allowed");
  const notJson = await fetch(url("/v1/check"), {
    method: "POST",
    headers: { authorization: `Bearer ${apiToken()}`, "content-type": "application/json" },
    body: "not json",
  });
  assert.equal(notJson.status, 400);
  assert.equal((await errorOf(notJson)).code, "invalid_json");
});

test("static assets (the widget, its wasm, the demo pages) are served with nosniff and no referrer", async () => {
  for (const path of ["/", "/doi.js", "/doi.split.js", "/doi_bg.wasm", "/whitepaper.html"]) {
    const response = await fetch(url(path));
    await response.arrayBuffer();
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
  }
  const script = await fetch(url("/doi.js"));
  await script.arrayBuffer();
  assert.match(script.headers.get("content-type") ?? "", /javascript/);
  const served = await fetch(url("/_headers"));
  await served.arrayBuffer();
  assert.equal(served.status, 404, "the rules file itself is not served");
});
