// The Worker's entry point (wrangler.toml `main`): the handlers worker-build
// generates, called directly. worker-build's own entry wraps every request
// in `Proxy` objects (a proxied class constructed per request, a proxied
// method per call, an extra `async` frame): the isolate profile showed that
// wrapper as the largest share of a small request's time. A panic stays
// harmless without it: the generated glue marks the instance terminated
// when the wasm traps, and workers-rs's abort handler schedules a fresh
// instance, which the glue swaps in before the next call into Rust
// (tests/panic.spec.mjs shows the request after a panic answered).
import Generated from "../../build/index.js";

// worker-build's proxy hooks only `construct`: the prototype is the plain
// one, whose methods call the wasm exports with `this.env` and `this.ctx`.
const generated = Generated.prototype;

export default {
  fetch(request, env, ctx) {
    return generated.fetch.call({ env, ctx }, request);
  },
  scheduled(event, env, ctx) {
    return generated.scheduled.call({ env, ctx }, event);
  },
  email(message, env, ctx) {
    return generated.email.call({ env, ctx }, message);
  },
};
