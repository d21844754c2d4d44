// Widget speed: median time until the signup form is rendered and
// interactive, over cold loads in headless Chromium, for the widget (single
// file and split) and the hand-written baseline form; unthrottled and under
// a "slow 4G" profile.
//
//   node bench/widget-speed.mjs [--loads 20]
//
// The pages come from a small server here, so both sides get the same
// network. The widget asks the Worker for nothing before the form is drawn
// (its forms are built in), so no Worker is needed: this measures the
// widget alone. Every load is cold: a new browser context (no HTTP cache, no
// compiled-code cache). The pages alternate, so drift hits all alike.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { head, median, ms, option, quantile, ratio, root, row, section, text } from "./lib.mjs";
import { BROWSER_ARGS } from "./widget-demo.mjs";

const LOADS = Number(option("loads", "20"));
const FORM = "newsletter";

// Lighthouse's "slow 4G" (its mobile default): 150 ms RTT, 1.6 Mbit/s down,
// 750 kbit/s up, and a CPU 4× slower than this one.
const PROFILES = [
  { name: "unthrottled", network: null, cpu: 1 },
  {
    name: "slow 4G, CPU 4× slower",
    network: { latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 },
    cpu: 4,
  },
];

// Runs first on every page: notes when an email field is in the document
// (light DOM or any shadow root, open or closed) and when a submit (or
// submit-button click) listener is attached; "interactive" is the later of
// the two. The same probe for the widget and the baseline.
const PROBE = `(() => {
  const t = window.__doiBench = { form: null, listener: null, ready: null, painted: null };
  const done = () => {
    if (t.ready !== null || t.form === null || t.listener === null) return;
    t.ready = Math.max(t.form, t.listener);
    requestAnimationFrame(() => { t.painted = performance.now(); });
  };
  const watch = (root) => new MutationObserver(() => {
    const field = t.form === null && root.querySelector('input[type="email"]');
    if (field && field.isConnected) { t.form = performance.now(); done(); }
  }).observe(root, { childList: true, subtree: true });
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const shadow = attachShadow.call(this, init);
    watch(shadow);
    return shadow;
  };
  const listen = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    const button = this instanceof HTMLButtonElement || this instanceof HTMLFormElement;
    if (t.listener === null && (type === "submit" || (type === "click" && button))) {
      t.listener = performance.now();
      queueMicrotask(done);
    }
    return listen.call(this, type, ...rest);
  };
  watch(document.documentElement);
})();`;

const page = (body) => `<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sample Trading — newsletter</title>
<script>${PROBE}</script>
<style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }</style>
</head><body>
<h1>株式会社サンプル商事</h1>
<p>A host page of typical size around the form.</p>
${body}
</body></html>`;

const PAGES = {
  "/widget.html": page(`<div data-doi-form="${FORM}"></div>
<script src="/doi.js" data-form="${FORM}" async></script>`),
  "/split.html": page(`<div data-doi-form="${FORM}"></div>
<script src="/doi.split.js" data-form="${FORM}" async></script>`),
  "/baseline.html": page(`${readFileSync(`${root}bench/baseline-page/form.html`, "utf8")}
<script src="/baseline.js" async></script>`),
};
const SUBJECTS = [
  { name: "widget, single file", path: "/widget.html", script: "/doi.js" },
  { name: "widget, split", path: "/split.html", script: "/doi.split.js" },
  { name: "baseline: static form + JS handler", path: "/baseline.html", script: "/baseline.js",
    baseline: true },
];

const TYPES = { html: "text/html; charset=utf-8", js: "text/javascript", wasm: "application/wasm" };

function files() {
  const served = new Map();
  const add = (path, body, type) => served.set(path, { body: Buffer.from(body), type });
  for (const [path, html] of Object.entries(PAGES)) add(path, html, TYPES.html);
  for (const name of ["doi.js", "doi.split.js", "doi_bg.wasm"]) {
    add(`/${name}`, readFileSync(`${root}www/dist/${name}`), TYPES[name.split(".").pop()]);
  }
  add("/baseline.js", readFileSync(`${root}bench/baseline-page/baseline.js`), TYPES.js);
  return served;
}

/** Serves `served` on 127.0.0.1, gzip when asked (Chromium asks over http). */
function serve(served) {
  const gzipped = new Map([...served].map(([path, file]) => [path, gzipSync(file.body)]));
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const file = served.get(path);
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    const headers = { "content-type": file.type, "cache-control": "no-store" };
    if (/\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) {
      response.writeHead(200, { ...headers, "content-encoding": "gzip" });
      response.end(gzipped.get(path));
    } else {
      response.writeHead(200, headers).end(file.body);
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** One cold load of `subject`: times relative to navigation start. */
async function load(browser, origin, subject, profile) {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const errors = [];
    tab.on("pageerror", (error) => errors.push(error.message));
    if (profile.network || profile.cpu !== 1) {
      const cdp = await context.newCDPSession(tab);
      if (profile.network) {
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", { offline: false, ...profile.network });
      }
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
    }
    await tab.goto(origin + subject.path, { waitUntil: "load" });
    await tab.waitForFunction(() => window.__doiBench.painted !== null, null, { timeout: 30_000 })
      .catch(() => {
        throw new Error(`${subject.name}: no interactive form within 30 s ${errors.join("; ")}`);
      });
    return await tab.evaluate((script) => {
      const entry = performance.getEntriesByType("resource")
        .find((e) => new URL(e.name).pathname === script);
      const bytes = performance.getEntriesByType("resource")
        .reduce((sum, e) => sum + e.transferSize, 0);
      const t = window.__doiBench;
      return { ready: t.ready, painted: t.painted, scriptStart: entry?.startTime ?? NaN, bytes };
    }, subject.script);
  } finally {
    await context.close();
  }
}

const server = await serve(files());
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: BROWSER_ARGS,
  headless: true });
try {
  section("2. Widget speed");
  text(`Median over ${LOADS} cold loads each (new browser context per load) in`);
  text("Debian's headless Chromium, pages alternating. *Interactive*: the email");
  text("field is in the document and a submit listener is attached (the same probe");
  text("on every page); *painted*: the next frame after that. *From script*: from");
  text("the request for the script tag's file. Ratios are widget ÷ baseline.");
  head("network / CPU", "page", "interactive (p25–p75)", "painted", "from script",
    "transferred", "ratio (interactive)");
  for (const profile of PROFILES) {
    const times = new Map(SUBJECTS.map((s) => [s.name, []]));
    for (let i = 0; i < LOADS; i++) {
      for (const subject of rotate(SUBJECTS, i)) {
        times.get(subject.name).push(await load(browser, origin, subject, profile));
      }
      if ((i + 1) % 5 === 0) console.log(`${profile.name}: ${i + 1}/${LOADS} loads of each page`);
    }
    const baseline = SUBJECTS.find((s) => s.baseline);
    const base = median(times.get(baseline.name).map((t) => t.ready));
    for (const subject of SUBJECTS) {
      const runs = times.get(subject.name);
      const ready = runs.map((t) => t.ready);
      row(profile.name, subject.name,
        `${ms(median(ready))} (${ms(quantile(ready, 0.25))}–${ms(quantile(ready, 0.75))})`,
        ms(median(runs.map((t) => t.painted))),
        ms(median(runs.map((t) => t.ready - t.scriptStart))),
        `${(median(runs.map((t) => t.bytes)) / 1000).toFixed(1)} KB`,
        ratio(median(ready), base));
    }
  }
} finally {
  await browser.close();
  server.close();
}

function rotate(list, by) {
  const at = by % list.length;
  return [...list.slice(at), ...list.slice(0, at)];
}
