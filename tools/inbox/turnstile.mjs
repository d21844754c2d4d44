// A stand-in for Cloudflare Turnstile on 127.0.0.1, since the test machines
// cannot reach Cloudflare: the client script (`GET /turnstile/v0/api.js`)
// and siteverify (`POST /turnstile/v0/siteverify`), behaving as Cloudflare
// documents its testing keys. The Worker uses it only with
// DOI_TURNSTILE_LOOPBACK set while it runs on a loopback origin.
//
// Site keys (client): 1x00000000000000000000AA and 1x00000000000000000000BB
// pass and put the dummy token XXXX.DUMMY.TOKEN.XXXX into the form's hidden
// `cf-turnstile-response`; 2x00000000000000000000AB and
// 2x00000000000000000000BB block (no token). Secret keys (siteverify):
// 1x0000000000000000000000000000000AA always passes, 2x…AA always fails
// (invalid-input-response), 3x…AA answers timeout-or-duplicate; a test
// secret accepts only the dummy token; any other secret is
// invalid-input-secret. A repeated idempotency_key gets the first answer.
// `GET /turnstile/requests` lists what siteverify received (for tests).

export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

const PASSING_SITE_KEYS = ["1x00000000000000000000AA", "1x00000000000000000000BB"];
const SECRETS = {
  "1x0000000000000000000000000000000AA": null,
  "2x0000000000000000000000000000000AA": "invalid-input-response",
  "3x0000000000000000000000000000000AA": "timeout-or-duplicate",
};

/** The client script: implicit rendering of every `.cf-turnstile`, as Turnstile's does. */
export const clientScript = `(function(){
var pass=${JSON.stringify(PASSING_SITE_KEYS)};
function render(el){
  if(el.getAttribute("data-doi-standin"))return;
  el.setAttribute("data-doi-standin","1");
  var ok=pass.indexOf(el.getAttribute("data-sitekey"))>=0;
  var form=el.closest("form");
  var input=document.createElement("input");
  input.type="hidden";input.name="cf-turnstile-response";
  input.value=ok?${JSON.stringify(DUMMY_TOKEN)}:"";
  el.appendChild(input);
  var status=document.createElement("span");
  status.setAttribute("role","status");
  status.textContent=ok?"Success! (Turnstile stand-in)":"Blocked (Turnstile stand-in)";
  el.appendChild(status);
  if(!form)return;
}
function scan(){document.querySelectorAll(".cf-turnstile").forEach(render);}
window.turnstile={render:function(el){render(typeof el==="string"?document.querySelector(el):el);},
  getResponse:function(){var i=document.querySelector("[name=cf-turnstile-response]");return i?i.value:undefined;},
  reset:function(){}};
if(document.readyState==="loading")document.addEventListener("DOMContentLoaded",scan);else scan();
new MutationObserver(scan).observe(document.documentElement,{childList:true,subtree:true});
})();`;

const received = [];
const answered = new Map();

/** What siteverify answers to `fields` (parsed from JSON or a form). */
function verify(fields) {
  const { secret, response } = fields;
  const fail = (code) => ({ success: false, "error-codes": [code], messages: [] });
  if (!secret) return fail("missing-input-secret");
  if (!(secret in SECRETS)) return fail("invalid-input-secret");
  if (!response) return fail("missing-input-response");
  if (response !== DUMMY_TOKEN) return fail("invalid-input-response");
  const code = SECRETS[secret];
  if (code) return fail(code);
  return {
    success: true,
    "error-codes": [],
    challenge_ts: new Date().toISOString(),
    hostname: "localhost",
    action: "",
    cdata: "",
    metadata: { interactive: false },
    messages: [],
  };
}

/** Handles `POST /turnstile/v0/siteverify` with the raw body and its content type. */
export function siteverify(raw, contentType = "") {
  let fields;
  try {
    fields = /json/i.test(contentType) ? JSON.parse(raw || "{}") : Object.fromEntries(new URLSearchParams(raw));
  } catch {
    return { status: 400, body: { success: false, "error-codes": ["bad-request"] } };
  }
  received.push({ ...fields, received: Date.now() });
  if (received.length > 1000) received.shift();
  const key = fields.idempotency_key;
  if (key && answered.has(key)) return { status: 200, body: answered.get(key) };
  const body = verify(fields);
  if (key) answered.set(key, body);
  return { status: 200, body };
}

/** What siteverify received, oldest first (secrets included: test keys only). */
export const requests = () => received;
