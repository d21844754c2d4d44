// Driving the widget in a real browser: open a demo page and wait for the
// widget, watch every request the page makes, read what the shadow root
// shows, run axe-core over it, and save screenshots.
//
// Playwright's CSS locators pierce open shadow roots, so
// `page.locator("doi-form #doi-email")` finds the widget's email field.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { artifactsDir, baseUrl } from "./http.mjs";
import { subscriber, consentEvents, subscriberResponse } from "./sender.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The widget's parts, as selectors that pierce its shadow root. */
export const form = {
  host: "doi-form",
  email: "doi-form #doi-email",
  emailMessage: "doi-form #doi-email-msg",
  consent: "doi-form #doi-consent",
  consentLabel: "doi-form label[for=doi-consent]",
  consentMessage: "doi-form #doi-consent-msg",
  topics: "doi-form input[name=topics]",
  submit: "doi-form button[type=submit]",
  status: "doi-form [role=status]",
};

export const attach = {
  host: "doi-consent",
  consent: "doi-consent #doi-consent",
  consentLabel: "doi-consent label[for=doi-consent]",
  emailMessage: "doi-consent #doi-email-msg",
  topics: "doi-consent input[name=topics]",
  status: "doi-consent [role=status]",
};

/** What the widget says when it is done (doi-core's catalogue). */
export const said = {
  checkInbox: { en: "We've sent you an email.", ja: "確認メールを送りました。" },
  subscribed: { en: "You're subscribed.", ja: "登録しました。" },
  consentRequired: { en: "Please tick the box", ja: "チェックを入れてください" },
};

/**
 * Records every request `page` makes from now on (`{ url, method, body }`);
 * `subscribes(requests)` picks out the consent records sent.
 */
export function watchRequests(page) {
  const requests = [];
  page.on("request", (request) =>
    requests.push({ url: request.url(), method: request.method(), body: request.postData() }),
  );
  return requests;
}

export const subscribes = (requests) =>
  requests.filter((request) => new URL(request.url).pathname === "/v1/subscribe");

/** Requests that left the Worker's origin (there must be none). */
export const thirdParty = (requests) =>
  requests.filter((request) => {
    const url = new URL(request.url);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin !== new URL(baseUrl).origin;
  });

/** Opens `path` and waits for the widget (`host`: doi-form or doi-consent). */
export async function open(page, path, host = form.host) {
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // Failed loads are reported below with their URL.
    if (message.text().startsWith("Failed to load resource")) return;
    if (message.type() === "warning" || message.type() === "error") problems.push(message.text());
  });
  page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    if (response.status() >= 400 && pathname !== "/favicon.ico") {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });
  await page.goto(path);
  await page.locator(`${host} #doi-consent`).waitFor({ timeout: 15_000 });
  return problems;
}

/** The element that has focus, looking into shadow roots: `{ id, tag, outline }`. */
export function focused(page) {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element && element.shadowRoot && element.shadowRoot.activeElement) {
      element = element.shadowRoot.activeElement;
    }
    if (!element) return null;
    const style = getComputedStyle(element);
    return {
      id: element.id,
      tag: element.tagName.toLowerCase(),
      type: element.getAttribute("type"),
      outline: `${style.outlineStyle} ${style.outlineWidth}`,
    };
  });
}

/** Presses Tab until `id` has focus (at most `limit` times). */
export async function tabTo(page, id, limit = 20) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press("Tab");
    if ((await focused(page))?.id === id) return;
  }
  throw new Error(`Tab never reached #${id}`);
}

/** axe-core's serious and critical violations on the page, shadow roots included. */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: `${root}node_modules/axe-core/axe.min.js` });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => JSON.stringify(node.target)),
    }));
}

/** Saves a screenshot as tests/artifacts/screenshots/`name`.png. */
export async function screenshot(page, name) {
  const dir = `${artifactsDir}/screenshots`;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** The consent events the Worker stored for `email` (waits a little for KV). */
export async function storedConsents(email, { timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await subscriberResponse(email);
    if (response.status === 200) return consentEvents((await subscriber(email)).events);
    if (Date.now() > deadline) return [];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether the Worker knows `email` at all. */
export async function known(email) {
  return (await subscriberResponse(email)).status === 200;
}
