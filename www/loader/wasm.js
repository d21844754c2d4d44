// The Rust half's exports, as the loader uses them (crates/widget/src/abi.rs
// says the contract): strings go in through one buffer, each as a u32
// byte length and its UTF-8, and answers come out of another. No binding
// generator: one small way across instead of a shim per method.
let rust;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (at, length) => new Uint8Array(rust.memory.buffer, at, length);

// Instantiates the module from `source`: a Response (the inlined module,
// inflating as it compiles) or the URL of doi_bg.wasm.
export default async function init(source) {
  const imports = {
    doi: {
      // Lower-casing with the browser's Unicode tables (see abi.rs).
      lower(at, length, out, room) {
        const lower = decoder.decode(bytes(at, length)).toLowerCase();
        const { read, written } = encoder.encodeInto(lower, bytes(out, room));
        return read < lower.length ? -1 : written;
      },
    },
  };
  const { instance } = await WebAssembly.instantiateStreaming(
    source instanceof Response ? source : fetch(source),
    imports,
  );
  rust = instance.exports;
}

// Calls export `name` with `strings` in the buffer and `numbers` as its
// arguments; what it returned.
function call(name, strings, ...numbers) {
  const encoded = strings.map((s) => (s instanceof Uint8Array ? s : encoder.encode(s)));
  let at = rust.doi_in(encoded.reduce((sum, b) => sum + 4 + b.length, 0));
  // After doi_in: it may have grown the memory.
  const view = new DataView(rust.memory.buffer);
  for (const b of encoded) {
    view.setUint32(at, b.length, true);
    bytes(at + 4, b.length).set(b);
    at += 4 + b.length;
  }
  return rust[name](...numbers);
}

// The answer the last call left.
const said = () => decoder.decode(bytes(rust.doi_out(), rust.doi_out_len()));
const saying = (name, strings, ...numbers) => (call(name, strings, ...numbers), said());

export const stylesheet = () => saying("doi_stylesheet", []);

// Milliseconds before retry `attempt`, or -1 to give up.
export const retryDelay = (attempt, status, retryable) =>
  rust.doi_retry_delay(attempt, status, retryable === undefined ? -1 : +retryable);

// Why a place gets no form, by Rust's refusal code (forms.rs `Refusal`),
// for the console: developers read it, in English.
const REFUSED = [
  () => 'the script tag or placeholder names no form: add data-form="FORM_ID"',
  (id) => `"${id}" is not a form id (lower-case letters, digits, '-' and '_')`,
  (id) => `there is no form "${id}" in this Worker's doi.toml`,
  (id, page) => `the form "${id}" does not allow this page's origin ${page}: add it to the form's allowed_origins in doi.toml`,
];

// One form at one place (crates/widget/src/lib.rs `Form`). Throws a
// sentence for the console when the place gets no form.
export class Form {
  constructor(id, language, pageOrigin, own) {
    this.h = call("doi_form", [id, language, pageOrigin, own]);
    if (this.h < 0) throw REFUSED[-this.h - 1](id.trim(), pageOrigin);
    // The handle says the language (abi.rs): odd is English.
    this.locale = this.h % 2 ? "en" : "ja";
    this.minFillMs = rust.doi_min_fill_ms(this.h);
    this.turnstile = saying("doi_turnstile", [], this.h);
  }
  layout(attach) {
    return saying("doi_layout", [], this.h, attach);
  }
  // Three messages (email, topics, consent), empty where there is none.
  problems(email, consent, topics, attach) {
    return saying("doi_problems", [email, topics], this.h, consent, attach).split("\0", 3);
  }
  // The consent record as JSON, or undefined when nothing may be sent.
  record(email, consent, topics, website, pageUrl, clientTime, elapsedMs, random, attach) {
    const made = call("doi_record", [email, topics, website, pageUrl, random], this.h, consent, clientTime, elapsedMs, attach);
    return made ? said() : undefined;
  }
  says(what) {
    return saying("doi_says", [what], this.h);
  }
  accepted(status, doubleOptIn) {
    return saying("doi_accepted", [status], this.h, doubleOptIn);
  }
  failed(status, code) {
    return saying("doi_failed", [code], this.h, status);
  }
}
