// Running the `doi` CLI that `cargo xtask test` built (DOI_CLI) against the
// Worker under test, and a small HTTP proxy in front of the Worker that
// counts calls and can fail some, as a flaky network or a busy Worker would.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { apiToken, artifactsDir, baseUrl } from "./http.mjs";

/** The built binary. */
export const doiBin = process.env.DOI_CLI ?? new URL("../../target/debug/doi", import.meta.url).pathname;

/** A fresh folder under the artifacts for one test's files. */
export function scratchDir(tag) {
  const dir = `${artifactsDir}/cli-${tag}-${randomBytes(4).toString("hex")}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Runs `doi ...args` with DOI_URL (the Worker, or `url`) and the token.
 * Resolves to `{code, stdout, stderr}`; never rejects on a non-zero exit.
 */
export function doi(args, { url = baseUrl, token = apiToken(), env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(doiBin, args, {
      env: { PATH: process.env.PATH, DOI_URL: url, ...(token ? { DOI_API_TOKEN: token } : {}), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A proxy on 127.0.0.1 in front of the Worker. `decide({method, path, body,
 * count})` returns undefined to pass the request on, or `{status, headers,
 * body}` to answer instead; `count` is how many calls to that path came so
 * far (this one included). `calls` lists every call with its JSON body.
 */
export async function proxy(decide = () => undefined) {
  const calls = [];
  const counts = new Map();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const path = req.url.split("?")[0];
    const count = (counts.get(path) ?? 0) + 1;
    counts.set(path, count);
    let body;
    try {
      body = raw.length ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    calls.push({ method: req.method, path, body });
    const answer = state.decide({ method: req.method, path, body, count });
    if (answer) {
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body ?? {}));
      return;
    }
    const upstream = await fetch(new URL(req.url, baseUrl), {
      method: req.method,
      headers: { authorization: req.headers.authorization ?? "", "content-type": req.headers["content-type"] ?? "" },
      body: raw.length ? raw : undefined,
    });
    const headers = {};
    for (const name of ["content-type", "doi-next-cursor", "retry-after"]) {
      const value = upstream.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    res.writeHead(upstream.status, headers);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  const state = { decide };
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    /** Calls to `path` so far. */
    callsTo: (path) => calls.filter((c) => c.path === path),
    /** Replaces what the proxy does from now on. */
    set decide(next) {
      state.decide = next;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The API's error body for a busy store, as the Worker sends it. */
export const busy = {
  status: 503,
  headers: { "retry-after": "0" },
  body: { error: { code: "storage_unavailable", message: "try again", retryable: true } },
};

/** NDJSON text as objects. */
export const ndjson = (text) => text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
