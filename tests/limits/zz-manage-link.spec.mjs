// "Lost the mail? Get a link" (POST /m) counts against the per-client
// signup limit (10 a minute in wrangler.toml), like a sign-up: it can send
// mail. Run against the Worker with the limits on (xtask's e2e-limits).
import { test } from "node:test";
import assert from "node:assert/strict";
import { url } from "../lib/http.mjs";

const SIGNUPS_PER_MINUTE = 10;

test("requests for links over the per-client limit are refused with 429 and Retry-After", async () => {
  let refused = null;
  // The window is fixed: if it turns over during the run, allow a second one.
  for (let i = 0; i <= 2 * SIGNUPS_PER_MINUTE && !refused; i += 1) {
    const r = await fetch(url("/m?lang=en"), {
      method: "POST",
      body: new URLSearchParams({ email: `limits-manage-${Date.now().toString(36)}-${i}@example.com` }),
    });
    const body = await r.text();
    if (r.status === 429) refused = { r, body };
    else assert.equal(r.status, 200, body.slice(0, 200));
  }
  assert.ok(refused, "the limit was reached");
  assert.equal(refused.r.headers.get("retry-after"), "60");
});
