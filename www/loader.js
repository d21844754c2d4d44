// The widget's loader: the entry point that `cargo xtask build` bundles with
// esbuild into www/dist/doi.js (one classic script, wasm inlined) and
// www/dist/doi.split.js (wasm fetched from doi_bg.wasm beside the script).
//
// Two module names are resolved by the build, not by npm:
//   "doi-glue"  the wasm-bindgen glue for crates/widget (`--target web`):
//               default export `init`, plus every #[wasm_bindgen] export.
//   "doi-wasm"  a function returning what `init` loads: a Response that
//               streams the inlined, gzip-compressed module through the
//               browser's DecompressionStream (one-file build), or the URL
//               of doi_bg.wasm next to this script (split build).
// Load it as a classic script (`<script src=… async>`), not type=module.
//
// All it does: find the places on the page (this script tag when it has
// data-form or data-attach, and every <div data-doi-form> placeholder), fetch
// each form's definition from the Worker while the wasm compiles, let the
// Rust side render each (`mount`), and wherever that fails — or when
// WebAssembly cannot run at all, as under a Content-Security-Policy without
// 'wasm-unsafe-eval' — leave a link to the hosted signup page and say why in
// the console. Never a silent blank. It defines no global.
import init, { mount } from "doi-glue";
import wasm from "doi-wasm";

// The fallback's words, for when the Rust catalogue cannot run. They are
// doi-core's Msg::WidgetUnavailable and Msg::SignupElsewhere, word for word
// (crates/widget/tests/web.rs checks).
const TEXT = {
  ja: ["このページでは登録フォームを表示できません。", "登録ページを開く"],
  en: ["The signup form can't be shown on this page.", "Open the signup page"],
};

// The tag that loaded this file (the last one that looks like it when a
// tag manager inserted it in a way that leaves currentScript empty).
const script =
  document.currentScript ||
  [...document.querySelectorAll('script[src*="/doi."]')].pop();
const origin = new URL(script.src, location.href).origin;

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

// ja or en, as the Rust side would choose it (without the sender's default).
function locale(place) {
  const tags = [
    place.getAttribute("data-locale"),
    place.closest("[lang]")?.getAttribute("lang"),
    ...(navigator.languages || []),
  ];
  for (const tag of tags) {
    const primary = String(tag || "").toLowerCase().split(/[-_]/)[0];
    if (primary === "ja" || primary === "en") return primary;
  }
  return "ja";
}

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
  const lang = locale(place);
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

const formOf = (place) => place.getAttribute("data-doi-form") || place.getAttribute("data-form") || "";

// The script's own form is asked for at once, while the wasm compiles.
if (script.getAttribute("data-form")) definition(script.getAttribute("data-form")).catch(() => {});

const ready = new Promise((resolve) => {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", resolve, { once: true });
  } else {
    resolve();
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
      definition(formOf(place))
        .then((body) => mount(place, origin, body))
        .catch((why) => fallback(place, why));
    }
  },
  (error) =>
    ready.then(() => {
      for (const place of places()) fallback(place, reason(error));
    }),
);
