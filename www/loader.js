// The widget's browser half: the entry point that `cargo xtask build`
// bundles with esbuild into www/dist/doi.js (one classic script, wasm
// inlined) and www/dist/doi.split.js (wasm fetched from doi_bg.wasm beside
// the script). Load it as a classic script (`<script src=… async>`).
//
// Two module names are resolved by the build, not by npm:
//   "doi-glue"  the wasm-bindgen glue for crates/widget (`--target web`):
//               default export `init`, plus every #[wasm_bindgen] export.
//   "doi-wasm"  a function returning what `init` loads: a Response that
//               streams the inlined, gzip-compressed module through the
//               browser's DecompressionStream (one-file build), or the URL
//               of doi_bg.wasm next to this script (split build).
//
// The Rust half (crates/widget) decides and words: it checks the form
// definition, chooses the language, lays out each mode, says what is wrong
// with the answers, builds the consent record with doi-core, and chooses
// every message and whether to retry. This file does only what a browser
// must: find the places on the page, fetch each form's definition while
// the wasm compiles, build the Rust layout in a shadow root (createElement,
// setAttribute and text nodes; never innerHTML), listen for submissions,
// send the record, and dispatch `doi:consent`. Wherever a place cannot get
// a widget, or WebAssembly cannot run at all (a Content-Security-Policy
// without 'wasm-unsafe-eval'), it leaves a link to the hosted signup page
// and says why in the console: never a silent blank. It defines no global,
// sets no cookie and stores nothing.
import init, { Form, formIdProblem, retryDelay, stylesheet } from "doi-glue";
import wasm from "doi-wasm";

// The fallback's words, for when the Rust catalogue cannot run. They are
// doi-core's Msg::WidgetUnavailable and Msg::SignupElsewhere, word for word
// (crates/widget/tests/web.rs checks).
const TEXT = {
  ja: ["このページでは登録フォームを表示できません。", "登録ページを開く"],
  en: ["The signup form can't be shown on this page.", "Open the signup page"],
};

// Where attach mode reads the address when data-email-field says nothing,
// and where it puts the box when the form has no [data-doi-consent] slot.
const EMAIL_FIELDS = "input[type=email], input[name*=email i], input[id*=email i]";
const SUBMIT_BUTTONS = "button[type=submit], input[type=submit], button:not([type])";

// The tag that loaded this file (the last one that looks like it when a
// tag manager inserted it in a way that leaves currentScript empty).
const script =
  document.currentScript ||
  [...document.querySelectorAll('script[src*="/doi."]')].pop();
const origin = new URL(script.src, location.href).origin;

const formOf = (place) => (place.getAttribute("data-doi-form") || place.getAttribute("data-form") || "").trim();

// Each place is claimed once, even when the page loads doi.js twice.
function places() {
  const found = [];
  const claim = (element) => {
    if (element.hasAttribute("data-doi-mounted")) return;
    element.setAttribute("data-doi-mounted", "");
    found.push(element);
  };
  const form = script.getAttribute("data-form");
  const placeholders = [...document.querySelectorAll("[data-doi-form]")];
  const placeholderFor = (id) => placeholders.some((p) => p.getAttribute("data-doi-form") === id);
  if (script.hasAttribute("data-attach") || (form && !placeholderFor(form))) claim(script);
  placeholders.forEach(claim);
  return found;
}

// What the page says about language, strongest first: data-locale, the
// nearest lang attribute, then the browser's languages. Rust chooses.
const hints = (place) =>
  [place.getAttribute("data-locale"), place.closest("[lang]")?.getAttribute("lang"), ...(navigator.languages || [])]
    .filter((tag) => tag && tag.trim())
    .join(",");

// ja or en for the fallback, when Rust cannot choose (default: ja).
const fallbackLocale = (place) => (hints(place).match(/(?:^|,)\s*(ja|en)(?![a-z])/i)?.[1] || "ja").toLowerCase();

function reason(error) {
  if (typeof WebAssembly !== "object") return "this browser cannot run WebAssembly";
  const message = String((error && error.message) || error);
  if (/content.security.policy|wasm-unsafe-eval|unsafe-eval/i.test(message)) {
    return "this page's Content-Security-Policy blocks WebAssembly (script-src needs 'wasm-unsafe-eval')";
  }
  return `WebAssembly could not start (${message})`;
}

// A plain link to the hosted signup page, where the widget would have been.
function fallback(place, why) {
  const form = formOf(place);
  const lang = fallbackLocale(place);
  const href = `${origin}/f/${encodeURIComponent(form)}?lang=${lang}`;
  const said = why instanceof Error ? why.message : String(why);
  console.warn(`doi: the signup form "${form}" could not be shown: ${said}. Showing a link to ${href} instead.`);
  const [sentence, label] = TEXT[lang];
  const note = document.createElement("p");
  const link = document.createElement("a");
  note.setAttribute("data-doi-fallback", form);
  note.lang = lang;
  link.href = href;
  link.textContent = label;
  note.append(`${sentence} `, link);
  let target = null;
  try {
    const selector = place.getAttribute("data-attach");
    target = selector && document.querySelector(selector);
  } catch {
    // An invalid selector: the note goes where the script stands.
  }
  if (target) target.append(note);
  else if (place.tagName === "SCRIPT") place.before(note);
  else place.append(note);
}

// GET /v1/forms/{id}, once per form, no cookies.
const definitions = new Map();
function definition(form) {
  if (!definitions.has(form)) {
    const url = `${origin}/v1/forms/${encodeURIComponent(form)}`;
    definitions.set(
      form,
      fetch(url, { credentials: "omit" }).then(
        (response) => (response.ok ? response.json() : Promise.reject(`${url} answered ${response.status}`)),
        () => Promise.reject(`${url} could not be reached`),
      ),
    );
  }
  return definitions.get(form);
}

// An element from the Rust layout: [tag, {attribute: value}, ...children],
// each child an element or text.
function build([tag, attributes, ...children]) {
  const element = document.createElement(tag);
  for (const name in attributes) element.setAttribute(name, attributes[name]);
  for (const child of children) element.append(typeof child === "string" ? child : build(child));
  return element;
}

// A `tag` element with an open shadow root, styled. If the page has defined
// a custom element of that name (so the shadow root is taken), a div.
let sheet;
function shadowHost(tag) {
  let host = document.createElement(tag);
  let root;
  try {
    root = host.attachShadow({ mode: "open" });
  } catch {
    host = document.createElement("div");
    root = host.attachShadow({ mode: "open" });
  }
  try {
    // Adopted, not a <style> element: immune to a style-src CSP.
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(stylesheet());
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = stylesheet();
    root.append(style);
  }
  return [host, root];
}

// The site's form for attach mode (or the form around what the selector
// finds) and its email field.
function hostForm(place) {
  const selector = place.getAttribute("data-attach");
  let form = null;
  let email = null;
  try {
    form = document.querySelector(selector)?.closest("form");
  } catch {
    // An invalid selector matches nothing.
  }
  if (!form) throw `data-attach="${selector}" matches no form on this page`;
  try {
    email = form.querySelector(place.getAttribute("data-email-field") || EMAIL_FIELDS);
  } catch {
    // Likewise.
  }
  if (!(email instanceof HTMLInputElement)) {
    throw `the form at data-attach="${selector}" has no email field the widget can find: add data-email-field="CSS selector"`;
  }
  return [form, email];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const flag = (element, name, on) => (on ? element.setAttribute(name, "true") : element.removeAttribute(name));

// Renders the form for `body` (its definition) at `place`, and wires it.
function mount(place, body) {
  const form = new Form(body, hints(place));
  const attach = place.hasAttribute("data-attach");
  const [site, siteEmail] = attach ? hostForm(place) : [];
  const [host, root] = shadowHost(attach ? "doi-consent" : "doi-form");
  const view = build(JSON.parse(form.layout(attach)));
  root.append(view);
  const $ = (id) => root.getElementById(id);
  const email = attach ? siteEmail : $("doi-email");
  const status = $("doi-status");
  const say = (text, tone = "") => {
    status.className = `status ${tone}`;
    status.textContent = text;
  };
  const renderedAt = Date.now();

  if (!attach) place.tagName === "SCRIPT" ? place.before(host) : place.append(host);
  else {
    const slot = site.querySelector("[data-doi-consent]");
    const button = site.querySelector(SUBMIT_BUTTONS);
    slot ? slot.append(host) : button ? button.before(host) : site.append(host);
  }

  // The answers, for Rust: address, box, ticked topic ids.
  const answers = () => [
    email.value,
    $("doi-consent").checked,
    [...root.querySelectorAll("input[name=topics]:checked")].map((tick) => tick.value).join(","),
  ];

  // Rust's three messages (email, topics, consent) beside their fields; the
  // first field to fix gets focus when `focus`. Whether there were any.
  const show = (problems, focus) => {
    const fields = [attach ? null : email, root.querySelector("input[name=topics]"), $("doi-consent")];
    let first = null;
    ["doi-email-msg", "doi-topics-msg", "doi-consent-msg"].forEach((id, i) => {
      const place = $(id);
      if (place) place.textContent = problems[i];
      // Never mark the host's own field: only say what is wrong here.
      if (fields[i] && i !== 1) flag(fields[i], "aria-invalid", problems[i]);
      if (problems[i] && fields[i] && !first) first = fields[i];
    });
    if (focus && first) first.focus();
    return problems.some(Boolean);
  };

  // The record as JSON, or undefined when nothing may be sent.
  const record = ([address, consent, topics]) =>
    form.record(
      address,
      consent,
      topics,
      $("doi-website").value,
      location.href,
      Date.now(),
      Date.now() - renderedAt,
      crypto.getRandomValues(new Uint8Array(16)),
    );

  // POSTs `json`, retrying as Rust says with the same record id; says how
  // it went and, on success, announces it. `fetch` is called before the
  // first pause, so in attach mode the request leaves while the host form
  // is still being submitted (keepalive carries it if the page goes).
  async function send(json, keepalive) {
    say(form.says("sending"));
    for (let attempt = 1; ; attempt++) {
      let answer = 0;
      let body = null;
      try {
        const response = await fetch(`${origin}/v1/subscribe`, {
          method: "POST",
          mode: "cors",
          credentials: "omit",
          headers: { "content-type": "application/json" },
          body: json,
          keepalive,
        });
        body = await response.json().catch(() => null);
        answer = response.status;
      } catch {
        // No answer: status 0.
      }
      if (answer === 200 && typeof body?.status === "string" && typeof body.double_opt_in === "boolean") {
        say(form.accepted(body.status, body.double_opt_in), "ok");
        const sent = JSON.parse(json);
        host.dispatchEvent(
          new CustomEvent("doi:consent", {
            bubbles: true,
            composed: true,
            // The address is left out on purpose: the page has its own field.
            detail: {
              form: sent.form,
              record_id: body.record_id,
              status: body.status,
              double_opt_in: body.double_opt_in,
              locale: form.locale,
              topics: sent.topics,
            },
          }),
        );
        return true;
      }
      // A 200 without a usable receipt counts as no answer.
      if (answer === 200) answer = 0;
      const error = body?.error || {};
      const wait = retryDelay(attempt, answer, typeof error.retryable === "boolean" ? error.retryable : undefined);
      if (wait < 0) {
        say(form.failed(answer, String(error.code || "")), "error");
        return false;
      }
      say(form.says("retrying"));
      await sleep(wait);
    }
  }

  let busy = false;
  if (!attach) {
    const button = view.querySelector("button");
    view.addEventListener("submit", async (event) => {
      // The widget's own form never navigates.
      event.preventDefault();
      if (busy) return;
      const given = answers();
      say("");
      if (show(form.problems(...given, false), true)) return;
      busy = true;
      flag(button, "aria-disabled", true);
      say(form.says("sending"));
      // Humans are rarely faster than min_fill_ms; if one was (or autofill
      // was), wait rather than have the Worker take them for a bot.
      const early = form.minFillMs - (Date.now() - renderedAt);
      if (early > 0) await sleep(early);
      const json = record(given);
      if (json && (await send(json, false))) {
        $("doi-body").hidden = true;
        // Focus follows the content: the fields are gone, the outcome stays.
        status.focus();
      } else if (!json) {
        say(form.failed(0, ""), "error");
      }
      flag(button, "aria-disabled", false);
      busy = false;
    });
  } else {
    // The same address and topics are recorded once, however often the
    // host form is submitted.
    let recorded = "";
    // Capture phase: runs before the host's own submit handlers, whatever
    // they do; it only reads, so the host form goes on as before.
    site.addEventListener(
      "submit",
      () => {
        const given = answers();
        say("");
        if (show(form.problems(...given, true), false)) return;
        // Unticked (or a bad address): undefined, and nothing is recorded.
        const json = record(given);
        const key = `${given[0].trim().toLowerCase()}\n${given[2]}`;
        if (!json || busy || key === recorded) return;
        busy = true;
        send(json, true).then((ok) => {
          if (ok) recorded = key;
          busy = false;
        });
      },
      true,
    );
  }
}

// The script's own form is asked for at once, while the wasm compiles;
// the placeholders' forms as soon as the page is parsed (still compiling).
if (formOf(script)) definition(formOf(script)).catch(() => {});

const ready = new Promise((resolve) => {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", resolve, { once: true });
  } else {
    resolve();
  }
});
ready.then(() => {
  for (const placeholder of document.querySelectorAll("[data-doi-form]:not([data-doi-mounted])")) {
    // A bad id is only a wasted 404 here: Rust judges ids before mounting.
    if (formOf(placeholder)) definition(formOf(placeholder)).catch(() => {});
  }
});
// Compiling starts at once, while the page finishes parsing.
let started;
try {
  started = typeof WebAssembly === "object" ? init({ module_or_path: wasm() }) : Promise.reject("no WebAssembly");
} catch (error) {
  started = Promise.reject(error);
}

Promise.all([started, ready]).then(
  () => {
    for (const place of places()) {
      const problem = formIdProblem(formOf(place));
      if (problem) {
        fallback(place, problem);
        continue;
      }
      definition(formOf(place))
        .then((body) => mount(place, body))
        .catch((why) => fallback(place, why));
    }
  },
  (error) =>
    ready.then(() => {
      for (const place of places()) fallback(place, reason(error));
    }),
);
