// Headless Chromium for end-to-end specs: Debian's chromium driven by
// playwright-core (which never downloads a browser of its own).
import { chromium } from "playwright-core";
import { baseUrl } from "./http.mjs";

export const executablePath = process.env.DOI_CHROMIUM ?? "/usr/bin/chromium";

// No sandbox (CI runs as root), and nothing that reaches the network on
// its own: tests talk to 127.0.0.1 only.
export const args = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser; close it when done (`await browser.close()`). */
export function launch(options = {}) {
  return chromium.launch({ executablePath, args, headless: true, ...options });
}

/**
 * Runs `fn(page, context)` in a fresh context whose relative URLs resolve
 * against the Worker under test, and closes everything afterwards.
 * `options` go to `browser.newContext` (e.g. `{ locale: "ja-JP" }`).
 */
export async function withPage(fn, options = {}) {
  const browser = await launch();
  try {
    const context = await browser.newContext({ baseURL: baseUrl, ...options });
    const page = await context.newPage();
    return await fn(page, context);
  } finally {
    await browser.close();
  }
}

/** Clicks `control` (a submit button) and waits for the page the POST returns. */
export async function submit(page, control) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    control.click(),
  ]);
  await page.waitForLoadState();
  return response;
}
