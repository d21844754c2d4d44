// Guessing the API token on the console's sign-in form, against a Worker
// with the production limits of wrangler.toml on (10 sign-in tries a
// minute per client, DOI_CONSOLE_LIMITER): the tries beyond are refused
// with 429 and Retry-After before the token is even compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { url, workerOrigin } from "../lib/http.mjs";

const TRIES_PER_MINUTE = 10;

test("guesses at the console's token beyond the limit are refused with 429 and Retry-After", async () => {
  let wrong = 0;
  let refused = null;
  // The window is fixed: if it turns over during the run, allow a second one.
  for (let i = 0; i <= 2 * TRIES_PER_MINUTE && !refused; i += 1) {
    const r = await fetch(url("/admin/sign-in?lang=en"), {
      method: "POST",
      redirect: "manual",
      headers: { origin: workerOrigin },
      body: new URLSearchParams({ token: `guess-${i}` }),
    });
    await r.arrayBuffer();
    if (r.status === 429) refused = r;
    else {
      assert.equal(r.status, 401);
      wrong += 1;
    }
  }
  assert.ok(refused, `${wrong} wrong tokens from one client were all answered`);
  assert.ok(wrong >= TRIES_PER_MINUTE, `refused after only ${wrong}`);
  assert.equal(refused.headers.get("retry-after"), "60");
  assert.equal(refused.headers.get("set-cookie"), null);
});
