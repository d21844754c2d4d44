// The inbox's HTTP side on 127.0.0.1: the pages (`/`, `/mail/{id}`, the
// sandboxed body at `/mail/{id}/html`, the one-click at `POST
// /mail/{id}/one-click`), the JSON the tests read (`GET /mails`, `GET
// /mails/{id}/raw`), and the Worker's delivery webhook as before: every
// other POST is a delivery, kept raw and listed at `GET /messages`; `POST
// /control/refuse` makes the next deliveries fail. GET never changes state.
// It also stands in for Cloudflare Turnstile (`/turnstile/…`, turnstile.mjs).

import { createServer } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { addDelivery, all, byId, summary } from "./mails.mjs";
import { BODY_CSP, PAGE_CSP, bodyDocument, inboxPage, locale, mailPage } from "./pages.mjs";
import { oneClick, oneClickTarget, offersOneClick } from "./unsubscribe.mjs";
import { clientScript, requests as turnstileRequests, siteverify } from "./turnstile.mjs";

/** The largest request body read, in bytes (a webhook delivery is a few KB). */
const MAX_BODY = 1024 * 1024;

/** Deliveries kept for `GET /messages`. */
const KEPT = 1000;

/**
 * The one-click form's token: another page open in the same browser cannot
 * make the inbox unsubscribe anyone.
 */
const csrf = randomBytes(16).toString("hex");

function sameToken(given) {
  const a = Buffer.from(String(given ?? ""));
  const b = Buffer.from(csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(response, status, type, body, headers = {}) {
  response.writeHead(status, { "content-type": type, "x-content-type-options": "nosniff", ...headers });
  response.end(body);
}

const html = (response, status, body) =>
  send(response, status, "text/html; charset=utf-8", body, {
    "content-security-policy": PAGE_CSP,
    "referrer-policy": "no-referrer",
  });

const json = (response, status, value) => send(response, status, "application/json", JSON.stringify(value));

/** Starts HTTP on 127.0.0.1:`port` (0: any free port); resolves to the port. */
export function serveHttp(port, smtpPort) {
  const deliveries = [];
  let refusals = { count: 0, status: 500 };
  const server = createServer((request, response) => {
    const chunks = [];
    let size = 0;
    request.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > MAX_BODY) return send(response, 413, "text/plain", "too large");
      const raw = Buffer.concat(chunks).toString("utf8");
      const where = new URL(request.url, "http://127.0.0.1");
      const lang = locale(where.searchParams, request.headers["accept-language"]);
      const path = where.pathname;
      const mailPath = path.match(/^\/mails?\/(\d+)(\/[a-z-]+)?$/);
      const mail = mailPath ? byId(mailPath[1]) : undefined;
      if (request.method === "GET" && path === "/turnstile/v0/api.js") {
        return send(response, 200, "text/javascript; charset=utf-8", clientScript);
      }
      if (request.method === "GET" && path === "/turnstile/requests") return json(response, 200, turnstileRequests());
      if (request.method === "POST" && path === "/turnstile/v0/siteverify") {
        const answer = siteverify(raw, request.headers["content-type"]);
        return json(response, answer.status, answer.body);
      }
      if (request.method === "GET") {
        if (path === "/") return html(response, 200, inboxPage(lang, all(), smtpPort));
        if (path === "/messages") return json(response, 200, deliveries);
        if (path === "/mails") return json(response, 200, all().map(summary));
        if (!mail) return send(response, 404, "text/plain; charset=utf-8", "no such mail");
        if (path === `/mail/${mail.id}`) return html(response, 200, mailPage(lang, mail, csrf));
        if (path === `/mail/${mail.id}/html` && mail.html) {
          return send(response, 200, "text/html; charset=utf-8", bodyDocument(mail), {
            "content-security-policy": BODY_CSP,
            "referrer-policy": "no-referrer",
          });
        }
        if (path === `/mails/${mail.id}/raw` && mail.raw !== undefined) {
          return send(response, 200, "message/rfc822", mail.raw);
        }
        return send(response, 404, "text/plain; charset=utf-8", "not found");
      }
      if (request.method !== "POST") return send(response, 405, "text/plain", "method not allowed");
      if (mail && path === `/mail/${mail.id}/one-click`) {
        const fields = new URLSearchParams(raw);
        if (!sameToken(fields.get("csrf"))) return send(response, 403, "text/plain", "stale page: reload it");
        if (!offersOneClick(mail.list_unsubscribe, mail.list_unsubscribe_post)) {
          return send(response, 422, "text/plain", "this mail offers no one-click unsubscribe");
        }
        oneClick(oneClickTarget(mail.list_unsubscribe)).then((answer) => {
          mail.one_click = answer;
          response.writeHead(303, { location: `/mail/${mail.id}?lang=${lang}` }).end();
        });
        return undefined;
      }
      if (path === "/control/refuse") {
        const { count = 1, status = 500 } = JSON.parse(raw || "{}");
        refusals = { count, status };
        return response.writeHead(200).end();
      }
      const answered = refusals.count > 0 ? refusals.status : 200;
      if (refusals.count > 0) refusals.count -= 1;
      deliveries.push({ path: request.url, headers: request.headers, raw, received: Date.now(), answered });
      if (deliveries.length > KEPT) deliveries.shift();
      if (answered === 200) addDelivery(raw);
      return send(response, answered, "application/json", answered === 200 ? '{"ok":true}' : '{"ok":false}');
    });
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server.address().port));
  });
}
