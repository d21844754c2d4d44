// Where the widget goes on the page, and what stands there when it cannot:
// the script tag and its origin, the places (the tag, `data-doi-form`
// placeholders), the page's language hints, and the fallback link to the
// hosted signup page.

// The fallback's words, for when the Rust catalogue cannot run. They are
// doi-core's Msg::WidgetUnavailable and Msg::SignupElsewhere, word for word
// (crates/widget/tests/web.rs checks).
const TEXT = {
  ja: ["このページでは登録フォームを表示できません。", "登録ページを開く"],
  en: ["The signup form can't be shown on this page.", "Open the signup page"],
};

// The tag that loaded this file (the last one that looks like it when a
// tag manager inserted it in a way that leaves currentScript empty).
export const script =
  document.currentScript ||
  [...document.querySelectorAll('script[src*="/doi."]')].pop();
export const origin = new URL(script.src, location.href).origin;

export const formOf = (place) => (place.getAttribute("data-doi-form") || place.getAttribute("data-form") || "").trim();

// Each place is claimed once, even when the page loads doi.js twice.
export function places() {
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

// The language for `place`: the first of what the page says, strongest
// first (data-locale, the nearest lang attribute, then the browser's
// languages), that is Japanese or English ("ja-JP" is ja); "" when none is,
// and then Rust takes the sender's default.
export const language = (place) =>
  (
    [place.getAttribute("data-locale"), place.closest("[lang]")?.getAttribute("lang"), ...(navigator.languages || [])]
      .join(",")
      .match(/(?:^|,)\s*(ja|en)(?![a-z])/i)?.[1] || ""
  ).toLowerCase();

// ja or en for the fallback, where Rust cannot choose (default: ja).
const fallbackLocale = (place) => language(place) || "ja";

export function reason(error) {
  if (typeof WebAssembly !== "object") return "this browser cannot run WebAssembly";
  const message = String((error && error.message) || error);
  if (/content.security.policy|wasm-unsafe-eval|unsafe-eval/i.test(message)) {
    return "this page's Content-Security-Policy blocks WebAssembly (script-src needs 'wasm-unsafe-eval')";
  }
  return `WebAssembly could not start (${message})`;
}

// A plain link to the hosted signup page, where the widget would have been.
export function fallback(place, why) {
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

