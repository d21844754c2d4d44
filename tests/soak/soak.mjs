// The soak behind `cargo xtask soak [SECONDS]`: for a bounded time, a fixed
// number of clients sign people up (form "whitepaper", no double opt-in),
// unsubscribe them with one click and change their preferences — sometimes
// a one-click and a save for the same person at the same moment. Every
// accepted request is recorded; afterwards the export (followed by cursor)
// and /v1/check must account for each one. Exits 1 if anything accepted is
// missing ("lost") or any valid request got a 5xx.
import { api } from "../lib/http.mjs";
import { consentRecord, formDefinition } from "../lib/consent.mjs";
import { exportAll } from "../lib/sender.mjs";

const SECONDS = Number(process.env.DOI_SOAK_SECONDS ?? 120);
const CLIENTS = Number(process.env.DOI_SOAK_CLIENTS ?? 8);
const run = Date.now().toString(36);

const tally = { requests: 0, by_status: {}, errors: 0, server_errors: 0 };
const signedUp = new Map(); // email -> record id
const unsubscribed = new Set();
const saved = new Set();
const linksOf = new Map();
let n = 0;

async function send(what, request) {
  tally.requests += 1;
  let response;
  try {
    response = await request();
  } catch (e) {
    tally.errors += 1;
    console.error(`${what}: ${e.message}`);
    return null;
  }
  await response.arrayBuffer().catch(() => {});
  tally.by_status[response.status] = (tally.by_status[response.status] ?? 0) + 1;
  if (response.status >= 500) tally.server_errors += 1;
  if (response.status >= 300) {
    tally.errors += 1;
    console.error(`${what}: ${response.status}`);
    return null;
  }
  return response;
}

async function signUp(form) {
  const email = `soak-${run}-${(n += 1)}@example.com`;
  const record = consentRecord(form, email);
  const ok = await send("signup", () =>
    fetch(new URL("/v1/subscribe", process.env.DOI_BASE_URL), {
      method: "POST",
      headers: { "content-type": "application/json", origin: new URL(process.env.DOI_BASE_URL).origin },
      body: JSON.stringify(record),
    }),
  );
  if (ok) signedUp.set(email, record.record_id);
}

async function links(email) {
  if (!linksOf.has(email)) {
    tally.requests += 1;
    const response = await api("POST", "/v1/links", { email, list: "newsletter" });
    const body = await response.json();
    tally.by_status[response.status] = (tally.by_status[response.status] ?? 0) + 1;
    if (response.status >= 500) tally.server_errors += 1;
    if (response.status !== 200) throw new Error(`links: ${response.status}`);
    linksOf.set(email, body);
  }
  return linksOf.get(email);
}

const oneClick = (mail) => () =>
  fetch(mail.unsubscribe_url, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }), redirect: "manual" });
const save = (mail) => () =>
  fetch(mail.preferences_url, {
    method: "POST",
    body: new URLSearchParams([["action", "save"], ["topics", "tips"], ["frequency", "monthly"]]),
    redirect: "manual",
  });

function someone(exclude) {
  const candidates = [...signedUp.keys()].filter((e) => !exclude.has(e));
  return candidates.length ? candidates[Math.floor(Math.random() * candidates.length)] : null;
}

async function client(form, until) {
  while (Date.now() < until) {
    const dice = Math.random();
    const email = dice < 0.55 ? null : someone(unsubscribed);
    if (!email) {
      await signUp(form);
      continue;
    }
    const mail = await links(email);
    if (dice < 0.7) {
      if (await send("one-click", oneClick(mail))) unsubscribed.add(email);
    } else if (dice < 0.85) {
      if (await send("save", save(mail))) saved.add(email);
    } else {
      // Both at the same moment for the same person.
      const [u, p] = await Promise.all([send("race one-click", oneClick(mail)), send("race save", save(mail))]);
      if (u) unsubscribed.add(email);
      if (p) saved.add(email);
    }
  }
}

const form = await formDefinition("whitepaper");
const started = Date.now();
await Promise.all(Array.from({ length: CLIENTS }, () => client(form, started + SECONDS * 1000)));
const duration = (Date.now() - started) / 1000;

// Accounting: the export holds every accepted sign-up with its evidence,
// every accepted save and one-click as events; /v1/check refuses everyone
// who was unsubscribed.
const lost = [];
const exported = new Map((await exportAll({ limit: 1000 })).lines.map((line) => [line.email, line]));
for (const [email, recordId] of signedUp) {
  const line = exported.get(email);
  const evidence = line?.events.find(
    (e) => e.type === "subscribed" && e.id === recordId && e.evidence?.consent_version === form.consent_en.version,
  );
  if (!evidence) lost.push(`signup ${email} (${recordId})`);
  if (saved.has(email) && !line?.events.some((e) => e.type === "preferences_changed")) lost.push(`save ${email}`);
  if (unsubscribed.has(email) && !line?.events.some((e) => e.type === "unsubscribed")) lost.push(`one-click event ${email}`);
}
const gone = [...unsubscribed];
for (let i = 0; i < gone.length; i += 500) {
  const response = await api("POST", "/v1/check", { list: "newsletter", emails: gone.slice(i, i + 500) });
  const { results } = await response.json();
  for (const r of results) if (r.allowed) lost.push(`one-click ${r.email}: still allowed (${r.reason.code})`);
}

const summary = {
  requests: tally.requests,
  duration_s: Math.round(duration),
  requests_per_s: Math.round(tally.requests / duration),
  clients: CLIENTS,
  signups: signedUp.size,
  one_clicks: unsubscribed.size,
  preference_saves: saved.size,
  errors: tally.errors,
  server_errors: tally.server_errors,
  lost: lost.length,
  by_status: tally.by_status,
};
for (const l of lost.slice(0, 20)) console.error(`lost: ${l}`);
console.log(`soak: ${JSON.stringify(summary)}`);
process.exit(lost.length > 0 || tally.server_errors > 0 ? 1 : 0);
