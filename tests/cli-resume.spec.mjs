// What makes `doi` safe to script: a failed batch is retried (honouring
// Retry-After), a rerun after an interrupted run does not repeat the
// batches done, and bad input or a dead server end with the documented
// exit code and, for a file, the line and column. A proxy on 127.0.0.1 in
// front of the real Worker plays the busy Worker and the broken network.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { limits, newEmail } from "./lib/http.mjs";
import { busy, doi, ndjson, proxy, scratchDir } from "./lib/cli.mjs";

const TEXT = "Yes, send me practical tips by email.";

/** `n` fresh addresses imported as consenting to the tips topic. */
async function consenting(dir, n, tag) {
  const emails = Array.from({ length: n }, () => newEmail(tag));
  const rows = emails.map((e, i) => `${e},${1_600_000_000_000 + i},resume test`).join("\n");
  writeFileSync(`${dir}/consents.csv`, `email,consented_at,source\n${rows}\n`);
  const run = await doi([
    "import", `${dir}/consents.csv`, "--list", "newsletter", "--topics", "tips", "--consent-text", TEXT, "--locale", "en",
  ]);
  assert.equal(run.code, 0, run.stderr);
  return emails;
}

test("an interrupted prepare goes on after the last batch done, without repeating it", async () => {
  const dir = scratchDir("resume-prepare");
  const batch = limits.PREPARE_BATCH;
  const emails = await consenting(dir, 2 * batch + 20, "cli-resume");
  writeFileSync(`${dir}/recipients.csv`, `email\n${emails.join("\n")}\n`);
  // Two full batches go through, then the Worker stays busy.
  const net = await proxy(({ path, count }) => (path === "/v1/prepare" && count > 2 ? busy : undefined));
  const args = ["prepare", `${dir}/recipients.csv`, "--list", "newsletter", "--topic", "tips", "--format", "ndjson", "-o", `${dir}/out.ndjson`, "--retries", "1"];
  try {
    const broken = await doi(args, { url: net.url });
    assert.equal(broken.code, 3, broken.stderr);
    assert.match(broken.stderr, /storage_unavailable; trying again/);
    assert.match(broken.stderr, /rerun the same command/);
    assert.equal(net.callsTo("/v1/prepare").length, 4, "two batches, then the third tried twice");
    assert.ok(existsSync(`${dir}/out.ndjson.journal`), "the journal says what was done");
    assert.equal(ndjson(readFileSync(`${dir}/out.ndjson`, "utf8")).length, 2 * batch);

    net.decide = () => undefined;
    const before = net.callsTo("/v1/prepare").length;
    const rerun = await doi(args, { url: net.url });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, /resuming after batch 2 of 3/);
    const sent = net.callsTo("/v1/prepare").slice(before);
    assert.equal(sent.length, 1, "only the batch not done is asked for");
    assert.deepEqual(sent[0].body.recipients, emails.slice(2 * batch));
    const lines = ndjson(readFileSync(`${dir}/out.ndjson`, "utf8"));
    assert.deepEqual(lines.map((l) => l.email), emails, "every recipient once, in input order");
    assert.ok(!existsSync(`${dir}/out.ndjson.journal`));
  } finally {
    await net.close();
  }
});

test("an interrupted import sends only the batches not done, and a finished one nothing", async () => {
  const dir = scratchDir("resume-import");
  const batch = limits.CHANGE_BATCH;
  const emails = Array.from({ length: 2 * batch + 1 }, () => newEmail("cli-resume-import"));
  const rows = emails.map((e) => `${e},2024-05-06T07:08:09Z`).join("\n");
  writeFileSync(`${dir}/plain.csv`, `email,consented_at\n${rows}\n`);
  // Two full batches go through; the last, one record, meets a busy Worker.
  const net = await proxy(({ path, body }) => (path === "/v1/import" && body?.records?.length === 1 ? busy : undefined));
  const args = ["import", `${dir}/plain.csv`, "--list", "newsletter", "--topics", "tips", "--consent-text", TEXT, "--locale", "en", "--retries", "0"];
  try {
    const broken = await doi(args, { url: net.url });
    assert.equal(broken.code, 3, broken.stderr);
    const firstRun = net.callsTo("/v1/import").length;
    assert.ok(firstRun >= 2, "the first batch took its calls");

    net.decide = () => undefined;
    const rerun = await doi(args, { url: net.url });
    assert.equal(rerun.code, 0, rerun.stderr);
    const sent = net.callsTo("/v1/import").slice(firstRun);
    assert.deepEqual(sent.map((c) => c.body.records.map((r) => r.email)), [[emails[2 * batch]]]);
    assert.match(rerun.stderr, new RegExp(`${2 * batch + 1} consents imported`));

    const again = await doi(args, { url: net.url });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(net.callsTo("/v1/import").length, firstRun + 1, "a finished import sends nothing");
    assert.match(again.stderr, /every batch was done by an earlier run/);
  } finally {
    await net.close();
  }
});

test("a rate-limited call is tried again after Retry-After", async () => {
  const email = newEmail("cli-ratelimit");
  const net = await proxy(({ path, count }) =>
    path === "/v1/check" && count === 1
      ? { status: 429, headers: { "retry-after": "1" }, body: { error: { code: "rate_limited", message: "slow down", retryable: true } } }
      : undefined,
  );
  try {
    const run = await doi(["check", "--list", "newsletter", "--email", email], { url: net.url });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /rate_limited; trying again in 1 s/);
    assert.equal(net.callsTo("/v1/check").length, 2);
    assert.match(run.stdout, /,false,no_consent,/);
  } finally {
    await net.close();
  }
});

test("a malformed file is exit code 2 with its line and column", async () => {
  const dir = scratchDir("bad");
  writeFileSync(`${dir}/bad.csv`, "email,name\na@example.com,A\nb@example.com,B,extra\n");
  const ragged = await doi(["prepare", `${dir}/bad.csv`, "--list", "newsletter"]);
  assert.equal(ragged.code, 2);
  assert.match(ragged.stderr, /bad\.csv:3:3: this row has 3 fields, the header has 2/);

  writeFileSync(`${dir}/mc.csv`, "Email Address,First Name,OPTIN_TIME\na@example.com,A,2020-09-13 12:26:40\nb@example.com,B,13/09/2020\n");
  const time = await doi(["import", `${dir}/mc.csv`, "--list", "newsletter", "--topics", "tips", "--consent-text", TEXT, "--locale", "en"]);
  assert.equal(time.code, 2);
  assert.match(time.stderr, /mc\.csv:3:3 \(OPTIN_TIME\): "13\/09\/2020" is not a time/);

  writeFileSync(`${dir}/none.csv`, "name\nA\n");
  const column = await doi(["check", `${dir}/none.csv`, "--list", "newsletter"]);
  assert.equal(column.code, 2);
  assert.match(column.stderr, /none\.csv:1:1: the header has no email/);
});

test("a request the API refuses is exit code 2, and a dead server exit code 3", async () => {
  const list = await doi(["check", "--list", "no-such-list", "--email", "a@example.com"]);
  assert.equal(list.code, 2, list.stderr);
  assert.match(list.stderr, /422 unknown_list/);

  const token = await doi(["check", "--list", "newsletter", "--email", "a@example.com"], { token: "wrong" });
  assert.equal(token.code, 2, token.stderr);
  assert.match(token.stderr, /401 unauthorized.*DOI_API_TOKEN/);

  const missing = await doi(["check", "--list", "newsletter", "--email", "a@example.com"], { token: "" });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /DOI_API_TOKEN is not set/);

  const dead = await doi(["check", "--list", "newsletter", "--email", "a@example.com", "--retries", "0"], { url: "http://127.0.0.1:9" });
  assert.equal(dead.code, 3, dead.stderr);
  assert.match(dead.stderr, /network_error/);
});
