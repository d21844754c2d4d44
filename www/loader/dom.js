// The DOM the widget builds: the Rust layout as elements (never innerHTML),
// a styled shadow root to hold it, and, in attach mode, the site's own form
// and email field.
import { stylesheet } from "./wasm.js";

// Where attach mode reads the address when data-email-field says nothing,
// and where it puts the box when the form has no [data-doi-consent] slot.
const EMAIL_FIELDS = "input[type=email], input[name*=email i], input[id*=email i]";
export const SUBMIT_BUTTONS = "button[type=submit], input[type=submit], button:not([type])";

// An element from the Rust layout: [tag, {attribute: value}, ...children],
// each child an element or text.
export function build([tag, attributes, ...children]) {
  const element = document.createElement(tag);
  for (const name in attributes) element.setAttribute(name, attributes[name]);
  for (const child of children) element.append(typeof child === "string" ? child : build(child));
  return element;
}

// A `tag` element with an open shadow root, styled. If the page has defined
// a custom element of that name (so the shadow root is taken), a div.
let sheet;
export function shadowHost(tag) {
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
export function hostForm(place) {
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

