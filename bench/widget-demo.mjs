// The widget's download as Chromium sees it on the demo page: serves
// www/dist (each file gzip -9 on its own, as a CDN would) on 127.0.0.1,
// opens index.html in Debian's headless Chromium, waits until the form is
// drawn, and reads the Resource Timing entries of every request the widget
// made (the page itself, its stylesheet and demo script are the host's).
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { root } from "./lib.mjs";

// Flags from DESIGN.md: Debian's Chromium, nothing that reaches the network.
export const BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update",
  "--disable-sync"];

const TYPES = { html: "text/html; charset=utf-8", js: "text/javascript", css: "text/css",
  wasm: "application/wasm" };
const HOST_FILES = new Set(["/", "/index.html", "/demo.css", "/demo.js", "/favicon.ico"]);

/** `{ files: [{path, type, encoded, decoded}], encoded, decoded }`. */
export async function demoPageDownload() {
  const server = createServer((request, response) => {
    let path = new URL(request.url, "http://x").pathname;
    if (path === "/") path = "/index.html";
    let body;
    try {
      if (path.includes("..")) throw new Error("no");
      body = readFileSync(`${root}www/dist${path}`);
    } catch {
      response.writeHead(404).end();
      return;
    }
    const headers = { "content-type": TYPES[path.split(".").pop()] ?? "application/octet-stream",
      "cache-control": "no-store" };
    if (/\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) {
      response.writeHead(200, { ...headers, "content-encoding": "gzip" });
      response.end(gzipSync(body, { level: 9 }));
    } else {
      response.writeHead(200, headers).end(body);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: BROWSER_ARGS,
    headless: true });
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${server.address().port}/`, { waitUntil: "load" });
    await tab.locator("doi-form #doi-consent").waitFor({ timeout: 30_000 });
    const entries = await tab.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => ({
        path: new URL(e.name).pathname, type: e.initiatorType,
        encoded: e.encodedBodySize, decoded: e.decodedBodySize,
      })));
    const files = entries.filter((e) => !HOST_FILES.has(e.path));
    const sum = (key) => files.reduce((total, file) => total + file[key], 0);
    return { files, encoded: sum("encoded"), decoded: sum("decoded") };
  } finally {
    await browser.close();
    server.close();
  }
}
