// The Worker's own CPU per route as the Worker runs it: its handlers
// compiled to wasm (bench/wasm-cpu, built by `cargo xtask bench` like the
// Worker: same opt-level, same wasm-opt pass) and timed in Node's V8, the
// engine workerd embeds, over the in-memory store.
//
//   node bench/wasm-cpu.mjs --module DIR/doi_bench_wasm.js [--sizes 1000,10000,100000] [--quick]
//
// Each size is a fresh store seeded through POST /v1/import. Per route: a
// few runs to warm the JIT up, then the timed runs; a write is prepared
// again (untimed) before each run, so every run writes something new. Only
// the handler is timed: not the KV round trips (the store answers at once)
// and not the runtime's JavaScript glue around a request (see the isolate
// profile section). The free plan allows 10 ms of CPU per request; the
// goal is 5 ms at each documented maximum.
import { createRequire } from "node:module";
import { statSync } from "node:fs";
import { bytes, head, ms, option, quantile, row, section, text } from "./lib.mjs";

const modulePath = option("module");
if (!modulePath) throw new Error("--module PATH (the wasm-bindgen nodejs glue) is required");
const sizes = option("sizes", "1000,10000,100000").split(",").map(Number);
const quick = process.argv.includes("--quick");
const bench = createRequire(import.meta.url)(modulePath);
const GOAL_MS = 5;
const FREE_PLAN_MS = 10;

const limits = JSON.parse(bench.limits());
const routes = bench.routes().split("\n");
/** A route that changes the store: prepared again before each run. */
const writes = (route) =>
  /^POST \/u\/|subscribe|import|suppressions|marks due/.test(route);
/** A batch route: fewer runs (each takes milliseconds). */
const batch = (route) => /×|page|marks due/.test(route);
/** Routes whose work grows with the store: timed at every size. */
const grows = (route) => /check|prepare|export|import|suppressions|one-click|idle/.test(route);

function batchOf(route) {
  if (route.includes("check")) return limits.check;
  if (route.includes("prepare")) return limits.prepare;
  if (route.includes("export")) return limits.export_page;
  if (route.includes("import") || route.includes("suppressions")) return limits.change;
  if (route.includes("marks due")) return `budget ${limits.sweep_budget} ops`;
  return "–";
}

/**
 * Times `route`: wall time per run (median, p90) and the main thread's CPU
 * time per run (the mean of per-run deltas of `process.threadCpuUsage`:
 * each delta is coarse, their mean is not biased, and unlike wall time it
 * does not count time spent waiting for a core on a busy machine). The CPU
 * time is what Cloudflare limits.
 */
function time(route) {
  const runs = quick ? (batch(route) ? 9 : 41) : batch(route) ? 41 : 201;
  const warm = batch(route) ? 25 : 40;
  const times = [];
  let cpu = 0;
  bench.prepare(route);
  for (let i = 0; i < warm + runs; i++) {
    if (writes(route) && i > 0) bench.prepare(route);
    const cpuStart = process.threadCpuUsage();
    const start = performance.now();
    const status = bench.run();
    const took = performance.now() - start;
    const used = process.threadCpuUsage(cpuStart);
    if (status !== 200) throw new Error(`${route}: status ${status}`);
    if (i >= warm) {
      times.push(took);
      cpu += (used.user + used.system) / 1000;
    }
  }
  return { median: quantile(times, 0.5), p90: quantile(times, 0.9), cpu: cpu / runs };
}

const results = new Map(routes.map((r) => [r, new Map()]));
const seeding = [];
for (const size of sizes) {
  const start = performance.now();
  bench.seed(size);
  seeding.push(`${bytes(size)} in ${ms(performance.now() - start)}`);
  console.error(`wasm-cpu: seeded ${size} subscribers`);
  for (const route of routes) {
    if (size !== sizes[0] && !grows(route)) continue;
    results.get(route).set(size, time(route));
  }
}

const verdict = (t) =>
  t === undefined
    ? "–"
    : t.cpu <= GOAL_MS
      ? "within"
      : t.cpu <= FREE_PLAN_MS
        ? `**over ${GOAL_MS} ms**`
        : `**over ${FREE_PLAN_MS} ms**`;
const cell = (t) =>
  t === undefined ? "–" : `${ms(t.cpu)} · ${ms(t.median)} (${ms(t.p90)})`;
const worst = (byRoute) => [...byRoute.values()].reduce((a, t) => (a && a.cpu > t.cpu ? a : t), undefined);

section("CPU per route as the Worker runs it (wasm in V8)");
text(
  `The Worker's handlers (\`app::handle\`, \`repair::sweep\`) compiled to wasm exactly as deployed ` +
    `(opt-level and wasm-opt pass of \`cargo xtask build\`; module ${bytes(statSync(modulePath.replace(/\.js$/, "_bg.wasm")).size)} bytes), ` +
    `run in Node ${process.versions.node} (V8 ${process.versions.v8}, the engine workerd embeds) over the in-memory store. ` +
    `Each cell: the main thread's CPU time per run (mean), then the wall time per run, median (p90), after a warm-up ` +
    `(V8 tiers hot wasm up from its baseline compiler, as in an isolate that has served a few requests); ` +
    `a batch route at its documented maximum (\`doi_core::limits\`). ` +
    `Not included: KV round trips and the runtime's JavaScript glue per request (the isolate profile above shows that share). ` +
    `Goal ≤ ${GOAL_MS} ms of CPU at every maximum; the free plan stops a request at ${FREE_PLAN_MS} ms. Seeded through \`POST /v1/import\`: ${seeding.join(", ")}.`,
);
head("route", "batch", ...sizes.map((s) => `${bytes(s)} subscribers`), "vs goal");
for (const route of routes) {
  const bySize = results.get(route);
  row(
    `\`${route.replace("×max", `×${batchOf(route)}`).replace("max page", `page of ${limits.export_page}`)}\``,
    String(batchOf(route)),
    ...sizes.map((s) => cell(bySize.get(s))),
    verdict(worst(bySize)),
  );
}
