// Cloudflare Turnstile for the forms that ask for it (`turnstile` in a form
// of doi.toml; Rust's `Form.turnstile` is its site key). Built on its own
// into www/dist/doi-turnstile.js (an ES module), which the loader imports
// only for such a form: every other visitor downloads none of it.
// Turnstile's script comes through the Worker's /v1/turnstile.js, a
// redirect to Turnstile's own (or, in tests, to a local stand-in); its box
// goes in the page's own DOM right after the widget, since Turnstile draws
// an iframe a shadow root may not host.
let loading;
const api = (origin) =>
  (loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = `${origin}/v1/turnstile.js`;
    script.async = true;
    script.onload = () => (window.turnstile ? resolve(window.turnstile) : reject());
    script.onerror = reject;
    document.head.append(script);
  }));

// Draws the check after `host` for site key `key` in `locale`, with the
// script from the Worker at `origin`; a function
// that gives the token to send ("" while there is none) and asks for a
// fresh one (a token is good for one submission; a retry of the same
// record resends it, and the Worker's idempotency key gets the same answer).
export function shield(host, key, locale, origin) {
  const box = document.createElement("div");
  box.setAttribute("data-sitekey", key);
  host.after(box);
  let turnstile = null;
  let id;
  api(origin).then(
    (loaded) => {
      turnstile = loaded;
      id = turnstile.render(box, { sitekey: key, language: locale });
    },
    () => console.warn("doi: Turnstile could not be loaded; this form cannot be sent"),
  );
  return () => {
    const token = (turnstile && turnstile.getResponse(id)) || "";
    if (token) turnstile.reset(id);
    return token;
  };
}
