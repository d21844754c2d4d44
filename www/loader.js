// The widget's browser half: the entry point that `cargo xtask build`
// bundles with esbuild into www/dist/doi.js (one classic script, wasm
// inlined) and www/dist/doi.split.js (wasm fetched from doi_bg.wasm beside
// the script). Load it as a classic script (`<script src=… async>`).
//
// One module name is resolved by the build, not by npm: "doi-wasm", a
// function returning what `init` (./loader/wasm.js, the Rust half's
// exports) loads: a Response that streams the inlined, gzip-compressed
// module through the browser's DecompressionStream (one-file build), or
// the URL of doi_bg.wasm next to this script (split build).
//
// The Rust half (crates/widget) decides and words: it holds the forms of
// doi.toml (built in: no request before a form can be drawn), chooses the
// language, lays out each mode, says what is wrong with the answers, builds
// the consent record with doi-core, and chooses every message and whether
// to retry. This file does only what a browser must: find the places on
// the page, build the Rust layout in a shadow root (createElement,
// setAttribute and text nodes; never innerHTML), listen for submissions,
// send the record, and dispatch `doi:consent`. Wherever a place cannot get
// a widget, or WebAssembly cannot run at all (a Content-Security-Policy
// without 'wasm-unsafe-eval'), it leaves a link to the hosted signup page
// and says why in the console: never a silent blank. It defines no global,
// sets no cookie and stores nothing.
import init, { Form } from "./loader/wasm.js";
import wasm from "doi-wasm";
import { build, hostForm, shadowHost, SUBMIT_BUTTONS } from "./loader/dom.js";
import { fallback, formOf, language, origin, places, reason } from "./loader/page.js";
import { post, sleep } from "./loader/send.js";

// Turnstile's part (loader/turnstile.js), imported only for a form that
// asks for it; until it has loaded there is no token to send.
function shield(host, key, locale) {
  let check = () => "";
  if (key) {
    import(`${origin}/doi-turnstile.js`).then(
      (turnstile) => (check = turnstile.shield(host, key, locale, origin)),
      () => console.warn("doi: Turnstile did not load; this form cannot be sent"),
    );
  }
  return () => check();
}

const flag = (element, name, on) => (on ? element.setAttribute(name, "true") : element.removeAttribute(name));

// Renders the form named at `place`, and wires it. Throws a sentence for
// the console when the place gets no form (Rust says why).
function mount(place) {
  const form = new Form(formOf(place), language(place), location.origin, origin);
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
      attach,
    );

  // Turnstile's box for a form that asks for it (nothing otherwise).
  const check = shield(host, form.turnstile, form.locale);

  const send = (json, keepalive) => post({ form, say, host, token: check() }, json, keepalive);

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
  started = typeof WebAssembly === "object" ? init(wasm()) : Promise.reject("no WebAssembly");
} catch (error) {
  started = Promise.reject(error);
}

Promise.all([started, ready]).then(
  () => {
    for (const place of places()) {
      try {
        mount(place);
      } catch (why) {
        fallback(place, why);
      }
    }
  },
  (error) =>
    ready.then(() => {
      for (const place of places()) fallback(place, reason(error));
    }),
);
