// Sending a consent record: the POST with Rust's retries, the outcome said
// in the widget, and the `doi:consent` event for the host page.
import { retryDelay } from "./wasm.js";
import { origin } from "./page.js";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// POSTs `json` to /v1/subscribe, retrying as Rust (`form`) says with the
// same record id; says how it went through `say` and, on success, announces
// it from `host` as `doi:consent`. `fetch` is called before the
// first pause, so in attach mode the request leaves while the host form
// is still being submitted (keepalive carries it if the page goes).
export async function post({ form, say, host, token }, json, keepalive) {
  say(form.says("sending"));
  for (let attempt = 1; ; attempt++) {
    let answer = 0;
    let body = null;
    try {
      const response = await fetch(`${origin}/v1/subscribe`, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        // A Turnstile form's token (loader/turnstile.js), when there is one.
        headers: { "content-type": "application/json", ...(token && { "cf-turnstile-response": token }) },
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
