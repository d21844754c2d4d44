// A corpus of cross-site scripting payloads and a checker that finds any of
// them in an executable place of an HTML page. Each payload carries its own
// marker, so a finding names the payload that got through.
import { attributes, decodeEntities } from "./pages.mjs";

const raw = [
  (m) => `<script>alert("${m}")</script>`,
  (m) => `"><img src=x onerror=alert('${m}')>`,
  (m) => `'><svg/onload=alert('${m}')>`,
  (m) => `" autofocus onfocus="alert('${m}')" x="`,
  (m) => `' autofocus onfocus='alert("${m}")' x='`,
  (m) => `\`><body onload=alert('${m}')>`,
  (m) => `javascript:alert('${m}')`,
  (m) => `JaVaScRiPt:alert('${m}')`,
  (m) => `<a href="javascript:alert('${m}')">click</a>`,
  (m) => `</title></textarea></style><script>alert('${m}')</script>`,
  (m) => `<!--<script>alert('${m}')</script>-->`,
  (m) => `<iframe srcdoc="<script>alert('${m}')</script>">`,
  (m) => `<math><mtext><table><mglyph><style><img src=x onerror=alert('${m}')>`,
  (m) => `%3Cscript%3Ealert('${m}')%3C%2Fscript%3E`,
  (m) => `%253Cscript%253Ealert('${m}')%253C%252Fscript%253E`,
  (m) => `&lt;script&gt;alert('${m}')&lt;/script&gt;`,
  (m) => `\\u003cscript\\u003ealert('${m}')\\u003c/script\\u003e`,
  (m) => `＜script＞alert('${m}')＜/script＞`,
  (m) => `\u202e<script>alert('${m}')</script>`,
  (m) => `<scr\u0000ipt>alert('${m}')</scr\u0000ipt>`,
  (m) => `<svg><script>alert&#40;'${m}'&#41;</script></svg>`,
  (m) => `{{constructor.constructor('alert("${m}")')()}}`,
];

/** `[{marker, payload}]`: every payload with its own marker. */
export const payloads = raw.map((make, i) => {
  const marker = `xss${i}q${Math.random().toString(36).slice(2, 8)}`;
  return { marker, payload: make(marker) };
});

/** Payloads that can travel in an HTTP header (Latin-1, no control characters). */
export const headerPayloads = payloads.filter(({ payload }) => /^[\x20-\x7e]*$/.test(payload));

const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"]);

/**
 * Where `marker` reached an executable place in `html`: a script element, an
 * event handler attribute, a javascript: URL, or a srcdoc. Also flags the
 * payload itself appearing unescaped when it holds markup characters.
 */
export function findings(html, { marker, payload }) {
  const found = [];
  if (/[<>"'`]/.test(payload) && html.includes(payload)) found.push("the raw payload appears unescaped");
  for (const script of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi)) {
    if (script[0].includes(marker)) found.push(`a script element holds it: ${script[0].slice(0, 80)}`);
  }
  for (const tag of html.matchAll(/<[a-z][a-z0-9:-]*(?:\s[^>]*)?\/?>/gi)) {
    if (!tag[0].includes(marker)) continue;
    const attrs = attributes(tag[0].replace(/^(<[a-z0-9:-]+)\//i, "$1 "));
    for (const [name, value] of Object.entries(attrs)) {
      if (name.includes(marker)) found.push(`an attribute name holds it: ${tag[0].slice(0, 80)}`);
      if (!value.includes(marker)) continue;
      if (name.startsWith("on")) found.push(`event handler ${name}: ${tag[0].slice(0, 80)}`);
      const url = decodeEntities(value).replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
      if (URL_ATTRIBUTES.has(name) && (url.startsWith("javascript:") || name === "srcdoc")) {
        found.push(`${name} runs it: ${tag[0].slice(0, 80)}`);
      }
    }
  }
  return found;
}
