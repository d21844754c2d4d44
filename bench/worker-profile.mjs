// Where a Worker isolate's time goes under load: V8's sampling profiler,
// reached through `wrangler dev`'s inspector, while wrk loads one route.
// Run by `cargo xtask bench` after the throughput runs, for the Rust Worker
// and the JavaScript baseline, so a ratio below 1 comes with its cause.
//
//   node bench/worker-profile.mjs --rust URL --rust-inspector PORT
//        --js URL --js-inspector PORT [--seconds 4]
//
// Samples are grouped by where the code lives: the Worker's wasm, the JS
// around it (wasm-bindgen glue, wrangler's middleware; for the baseline, its
// own code), calls between the two, runtime built-ins (Response, Headers,
// TextDecoder, KV bindings…), GC, and idle.
import { spawn } from "node:child_process";
import { head, option, row, section, text } from "./lib.mjs";

const SECONDS = Number(option("seconds", "4"));
const data = process.env.DOI_BENCH_DATA ?? "bench/out/load";
/** How long an inspector command may take before the profile is given up. */
const ANSWER_MS = 60_000;

/** Profiles the isolate behind `inspector` while `load` runs. */
async function profile(inspector, load) {
  const ws = new WebSocket(`ws://127.0.0.1:${inspector}/ws`, {
    // The inspector proxy wants an Origin it knows.
    headers: { origin: "http://localhost" },
  });
  let id = 0;
  const pending = new Map();
  // An inspector that never answers (seen once: the baseline's, after
  // three rounds of load) must not hang the bench: the profile is then
  // reported as not taken, and the tables before it stand.
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const asked = ++id;
      const timer = setTimeout(() => {
        pending.delete(asked);
        reject(new Error(`the inspector on port ${inspector} did not answer ${method} in ${ANSWER_MS / 1000} s`));
      }, ANSWER_MS);
      pending.set(asked, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      ws.send(JSON.stringify({ id: asked, method, params }));
    });
  ws.onmessage = (message) => {
    const reply = JSON.parse(message.data);
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`inspector on port ${inspector} refused`));
    setTimeout(() => reject(new Error(`inspector on port ${inspector} did not open`)), ANSWER_MS);
  });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 100 });
  await send("Profiler.start");
  await load();
  const { result } = await send("Profiler.stop");
  ws.close();
  return group(result.profile);
}

function group(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const shares = new Map();
  const functions = new Map();
  for (const sample of profile.samples) {
    const { functionName: name, url } = nodes.get(sample);
    const where = /wasm-to-js|js-to-wasm/.test(name) ? "calls between JS and wasm"
      : /\.wasm|wasm-function/.test(url + name) ? "wasm (Rust: ours, serde, workers-rs)"
      : url ? "JavaScript (glue and middleware; the baseline's own code)"
      : name === "(idle)" ? "idle"
      : name === "(program)" || name === "(garbage collector)" ? "V8: compiler, GC, runtime"
      : "runtime built-ins (Response, Headers, TextDecoder, KV…)";
    shares.set(where, (shares.get(where) ?? 0) + 1);
    const file = url ? ` ${url.split("/").pop()}` : "";
    const label = `\`${name || "(anonymous)"}\`${file}`;
    functions.set(label, (functions.get(label) ?? 0) + 1);
  }
  return { shares, functions, samples: profile.samples.length };
}

function wrk(url, script) {
  return new Promise((resolve, reject) => {
    const args = ["--threads", "1", "--connections", "4", "--duration", `${SECONDS}s`];
    if (script) args.push("--script", script);
    const child = spawn("wrk", [...args, url], {
      env: { ...process.env, DOI_BENCH_DATA: data },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrk exited ${code}`))));
  });
}

const workers = [
  { name: "Rust", url: option("rust"), inspector: option("rust-inspector") },
  { name: "JS", url: option("js"), inspector: option("js-inspector") },
];
const routes = [
  { name: "`GET /healthz`", path: "/healthz" },
  { name: "`GET /u/{token}`", path: "/", script: "bench/wrk/unsubscribe-page.lua" },
];

const runs = [];
for (const route of routes) {
  for (const worker of workers) {
    console.log(`profiling ${worker.name} under ${route.name}`);
    const result = await profile(worker.inspector, () =>
      wrk(worker.url + route.path, route.script));
    runs.push({ label: `${worker.name}, ${route.name}`, ...result });
  }
}

section("Where the isolate's time goes");
text(`V8's sampling profiler through \`wrangler dev\`'s inspector, during ${SECONDS} s of`);
text("load on each route: the share of samples in each kind of code. A share, not a");
text("time: the profiler samples the isolate's thread, and the work outside it (the");
text("local KV, workerd's own proxying) does not show here.");
const categories = [...new Set(runs.flatMap((run) => [...run.shares.keys()]))];
head("where", ...runs.map((run) => run.label));
for (const category of categories) {
  row(category, ...runs.map((run) =>
    `${((100 * (run.shares.get(category) ?? 0)) / run.samples).toFixed(0)} %`));
}

text("");
text("The functions with the most samples of their own, per run: where the fixed cost of a");
text("request sits (wasm functions are unnamed: the Worker's names are stripped).");
const TOP = 12;
head("rank", ...runs.map((run) => run.label));
const tops = runs.map((run) => [...run.functions].sort((a, b) => b[1] - a[1]).slice(0, TOP));
for (let i = 0; i < TOP; i++) {
  row(String(i + 1), ...tops.map((top, r) => top[i]
    ? `${top[i][0]} ${((100 * top[i][1]) / runs[r].samples).toFixed(1)} %`
    : "–"));
}

// The inspector's socket can keep Node alive after close; the tables are out.
process.exit(0);
