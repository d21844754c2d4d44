// The console behind Cloudflare Access, through the real Worker under a
// wrangler dev started with Access configured (`cargo xtask test --only
// e2e-access`). Access itself cannot be reached from here: this spec plays
// its key set, as Cloudflare documents it (a JWKS at
// /cdn-cgi/access/certs), on 127.0.0.1, with RSA keys generated here, and
// signs RS256 tokens with Node's crypto. Only a valid token opens the
// console; forged, expired, wrong-audience and wrong-issuer tokens, and
// the token sign-in, are refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { generateKeyPairSync, sign } from "node:crypto";
import { workerOrigin, apiToken } from "../lib/http.mjs";
import { consoleRoutes } from "../lib/console.mjs";

const port = Number(process.env.DOI_ACCESS_CERTS_PORT);
const audience = process.env.DOI_ACCESS_AUD;
const issuer = "https://doi-test.cloudflareaccess.com";
const team = generateKeyPairSync("rsa", { modulusLength: 2048 });
const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
let server;

before(async () => {
  const jwk = team.publicKey.export({ format: "jwk" });
  const body = JSON.stringify({ keys: [{ kid: "team-1", kty: "RSA", alg: "RS256", use: "sig", n: jwk.n, e: jwk.e }], public_cert: {}, public_certs: [] });
  server = createServer((req, res) => {
    if (req.url === "/cdn-cgi/access/certs") {
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
});

after(() => new Promise((resolve) => server.close(resolve)));

const b64 = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

function token({ key = team.privateKey, kid = "team-1", aud = audience, iss = issuer, exp = Math.floor(Date.now() / 1000) + 600 } = {}) {
  const signed = `${b64({ alg: "RS256", kid, typ: "JWT" })}.${b64({ aud: [aud], iss, exp, iat: exp - 900, nbf: exp - 900, sub: "user-7", email: "owner@example.com", type: "app" })}`;
  return `${signed}.${sign("sha256", Buffer.from(signed), key).toString("base64url")}`;
}

const open = (path, jwt, init = {}) =>
  fetch(new URL(path, workerOrigin), { redirect: "manual", ...init, headers: { ...(jwt ? { "cf-access-jwt-assertion": jwt } : {}), ...init.headers } });

test("a token Access signed opens the console and shows who is signed in", async () => {
  const response = await open("/admin?lang=en", token());
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.equal(response.headers.get("x-frame-options"), "DENY");
  const html = await response.text();
  assert.match(html, /Signed in as: owner@example\.com/);
  assert.doesNotMatch(html, /Sign out/, "Access signs people out, not the console");
  // The identity's CSRF token lets its forms through; a form without it is refused.
  const csrf = html.match(/name="csrf" value="([^"]+)"/)[1];
  const form = (fields) => open("/admin/person?lang=en", token(), { method: "POST", headers: { origin: workerOrigin }, body: new URLSearchParams(fields) });
  assert.equal((await form({ email: "nobody@example.com" })).status, 403);
  const found = await form({ email: "nobody@example.com", csrf });
  assert.equal(found.status, 422);
  assert.match(await found.text(), /There is no record for this address/);
});

test("forged, expired, wrong-audience, wrong-issuer and unknown-key tokens are refused", async () => {
  const now = Math.floor(Date.now() / 1000);
  const refused = {
    "signed by another key": token({ key: stranger.privateKey }),
    "expired": token({ exp: now - 120 }),
    "another application's": token({ aud: "0".repeat(64) }),
    "another team's": token({ iss: "https://someone-else.cloudflareaccess.com" }),
    "an unknown key id": token({ kid: "team-9" }),
    "unsigned (alg none)": `${b64({ alg: "none", kid: "team-1" })}.${token().split(".")[1]}.`,
    "not a token": "hello",
  };
  for (const [what, jwt] of Object.entries(refused)) {
    const response = await open("/admin?lang=en", jwt);
    assert.equal(response.status, 403, what);
    assert.equal(response.headers.get("cache-control"), "no-store", what);
    assert.match(await response.text(), /Cloudflare Access/, what);
  }
});

test("behind Access every console route refuses a request without a token, and the token sign-in is off", async () => {
  for (const [method, path] of consoleRoutes) {
    const response = await open(path, undefined, { method, body: method === "GET" ? undefined : "csrf=x&email=a%40example.com" });
    assert.equal(response.status, 403, `${method} ${path}`);
  }
  const signIn = await open("/admin/sign-in", undefined, { method: "POST", headers: { origin: workerOrigin }, body: new URLSearchParams({ token: apiToken() }) });
  assert.equal(signIn.status, 403);
  assert.equal(signIn.headers.get("set-cookie"), null);
});
