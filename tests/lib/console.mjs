// Driving the console (/admin) in Chromium: sign in with the API token,
// look up an address through the form, and check what every console page
// must be (never stored, framed by nobody, accessible).
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { apiToken, artifactsDir } from "./http.mjs";
import { submit } from "./browser.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Every console route a browser could ask for, with its method. */
export const consoleRoutes = [
  ["GET", "/admin"],
  ["GET", "/admin/"],
  ["POST", "/admin/sign-out"],
  ["POST", "/admin/person"],
  ["POST", "/admin/proof"],
  ["POST", "/admin/suppress"],
  ["POST", "/admin/erase"],
  ["GET", "/admin/suppress-list"],
  ["POST", "/admin/suppress-list"],
  ["GET", "/admin/export"],
  ["GET", "/admin/export/download"],
  ["GET", "/admin/overview"],
  ["POST", "/admin/overview/recount"],
  ["GET", "/admin/activity"],
  ["GET", "/admin/subscriber/AAAAAAAAAAAAAAAAAAAAAA"],
  ["GET", "/admin/no-such-page"],
  ["DELETE", "/admin/person"],
];

/** Signs in on the console's form in `lang`; returns the home page's response. */
export async function signIn(page, lang = "en", token = apiToken()) {
  await page.goto(`/admin/sign-in?lang=${lang}`);
  await page.locator("#token").fill(token);
  return submit(page, page.locator("button[type=submit]"));
}

/** Looks `email` up on the home page; returns the person page's response. */
export async function lookUp(page, email, lang = "en") {
  await page.goto(`/admin?lang=${lang}`);
  await page.locator("#email").fill(email);
  return submit(page, page.locator("main button[type=submit]"));
}

/** axe-core's serious and critical violations (the context must bypass CSP to load it). */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: `${root}node_modules/axe-core/axe.min.js` });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
}

/**
 * Saves a screenshot `name`.png in `DOI_SCREENSHOTS` (the README's are
 * made with `DOI_SCREENSHOTS=docs/screenshots`), else tests/artifacts.
 */
export async function picture(page, name) {
  const dir = process.env.DOI_SCREENSHOTS ? `${root}${process.env.DOI_SCREENSHOTS}` : `${artifactsDir}/screenshots`;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}
