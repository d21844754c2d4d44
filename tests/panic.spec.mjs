// A panic in the Worker (a bug: none is known) must cost one request, not
// the isolate: the next requests are answered by a fresh instance of the
// module. The Worker's own entry (crates/worker/src/edge/entry.js) calls
// the generated glue without worker-build's per-request wrappers, so this
// is what shows its recovery still holds. The panic comes from a probe
// that exists only when `cargo xtask test` starts the Worker with
// DOI_TEST_FAULTS=on (crates/worker/src/edge/faults.rs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { get, newEmail } from "./lib/http.mjs";
import { check } from "./lib/sender.mjs";

/** The requests a person and a sender make, all answered as usual. */
async function assertServed() {
  const health = await get("/healthz");
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { ok: true });
  // Through KV and the secrets: the id key, the snapshot read.
  const result = await check(newEmail("after-panic"));
  assert.equal(result.allowed, false);
  const page = await get("/f/newsletter");
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<form/);
}

test("a panic while answering synchronously fails that request and no other", async () => {
  await assertServed();
  const panicked = await get("/__test/panic?when=now");
  assert.equal(panicked.status, 500);
  await assertServed();
});

test("a panic after an await fails that request and no other", async () => {
  const panicked = await get("/__test/panic?when=after-kv");
  assert.equal(panicked.status, 500);
  await assertServed();
});

test("two panics in a row still leave the Worker serving", async () => {
  assert.equal((await get("/__test/panic?when=now")).status, 500);
  assert.equal((await get("/__test/panic?when=after-kv")).status, 500);
  await assertServed();
});
