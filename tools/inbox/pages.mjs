// The inbox's pages, in Japanese and English: the list of mails and one mail
// as its recipient sees it (subject, from, date, the body; its
// `List-Unsubscribe` headers and the one-click button a mail client offers).
// Everything that came in a mail is escaped; an HTML body is shown only in a
// sandboxed frame under its own strict Content-Security-Policy.

import { mailtoTarget, offersOneClick, oneClickTarget } from "./unsubscribe.mjs";

const WORDS = {
  ja: {
    title: "ローカル受信箱",
    intro: "開発用の受信箱です。Worker が送る確認メールと、127.0.0.1 の SMTP に送られたメールがここに届きます。",
    smtp: "SMTP",
    empty: "まだメールはありません。",
    subject: "件名",
    from: "差出人",
    to: "宛先",
    date: "日時",
    via: "経路",
    back: "受信箱に戻る",
    noSubject: "（件名なし）",
    html: "HTML 本文",
    text: "テキスト本文",
    unsubscribe: "配信停止ヘッダー",
    none: "なし",
    oneClick: "ワンクリックで配信停止",
    oneClickWhy: "メールソフトと同じく、このボタンで受信箱のサーバーが RFC 8058 の POST（List-Unsubscribe=One-Click）を送ります。",
    noOneClick: "このメールはワンクリック配信停止（RFC 8058）に対応していません。",
    answer: "送信者のサーバーの応答",
    failed: "応答がありませんでした",
    mailto: "メールで配信停止",
    other: "English",
  },
  en: {
    title: "Local inbox",
    intro: "An inbox for development: the Worker's confirmation mails and every mail sent to the SMTP server on 127.0.0.1 arrive here.",
    smtp: "SMTP",
    empty: "No mail yet.",
    subject: "Subject",
    from: "From",
    to: "To",
    date: "Date",
    via: "Via",
    back: "Back to the inbox",
    noSubject: "(no subject)",
    html: "HTML body",
    text: "Text body",
    unsubscribe: "Unsubscribe headers",
    none: "none",
    oneClick: "Unsubscribe in one click",
    oneClickWhy: "As a mail client does, this button makes the inbox's server send the RFC 8058 POST (List-Unsubscribe=One-Click).",
    noOneClick: "This mail does not offer one-click unsubscribe (RFC 8058).",
    answer: "The sender's server answered",
    failed: "No answer",
    mailto: "Unsubscribe by mail",
    other: "日本語",
  },
};

/** The Content-Security-Policy of the inbox's own pages. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The policy of a mail's HTML body: sandboxed (no script, no form, no
 * same-origin), nothing loaded from anywhere; links open in a new,
 * unsandboxed tab.
 */
export const BODY_CSP =
  "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'";

/** `ja` or `en`: `?lang=`, else the first Accept-Language that is one. */
export function locale(query, acceptLanguage) {
  const asked = query.get("lang");
  if (asked === "ja" || asked === "en") return asked;
  for (const part of String(acceptLanguage ?? "").split(",")) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === "ja" || tag === "en") return tag;
  }
  return "en";
}

/** Text made safe for HTML, in content and in quoted attributes. */
export function escape(value) {
  return String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

/** Escaped text whose http(s) URLs are links that open in a new tab. */
function linked(text) {
  return String(text ?? "")
    .split(/(https?:\/\/[^\s<>"']+)/g)
    .map((part, i) =>
      i % 2 === 1
        ? `<a href="${escape(part)}" target="_blank" rel="noopener noreferrer">${escape(part)}</a>`
        : escape(part),
    )
    .join("");
}

function shell(lang, title, inner, here) {
  const other = lang === "ja" ? "en" : "ja";
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
iframe{width:100%;height:28rem;border:1px solid #ccc;background:#fff}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.75rem}
.box{border:1px solid #ccc;padding:.75rem;margin:1rem 0}button{font:inherit;padding:.4rem 1rem}code{overflow-wrap:anywhere}
nav{display:flex;justify-content:space-between}
</style></head><body>
<nav><a href="/?lang=${lang}">${escape(WORDS[lang].title)}</a><a href="${escape(here)}${here.includes("?") ? "&" : "?"}lang=${other}" lang="${other}">${WORDS[lang].other}</a></nav>
${inner}
</body></html>`;
}

/** The list of mails, newest first. */
export function inboxPage(lang, mails, smtpPort) {
  const w = WORDS[lang];
  const rows = [...mails]
    .reverse()
    .map(
      (m) => `<tr><td><a href="/mail/${m.id}?lang=${lang}">${escape(m.subject || w.noSubject)}</a></td>
<td>${escape(m.from)}</td><td>${escape(m.to)}</td><td><time>${escape(m.date ?? "")}</time></td><td>${escape(m.via)}</td></tr>`,
    )
    .join("\n");
  const table = mails.length
    ? `<table><thead><tr><th>${w.subject}</th><th>${w.from}</th><th>${w.to}</th><th>${w.date}</th><th>${w.via}</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p>${w.empty}</p>`;
  return shell(
    lang,
    w.title,
    `<h1>${w.title}</h1><p>${w.intro}</p><p>${w.smtp}: <code>127.0.0.1:${escape(smtpPort)}</code></p>${table}`,
    "/",
  );
}

/** One mail, as its recipient would see it. */
export function mailPage(lang, mail, csrf) {
  const w = WORDS[lang];
  const head = `<dl><dt>${w.subject}</dt><dd>${escape(mail.subject || w.noSubject)}</dd>
<dt>${w.from}</dt><dd>${escape(mail.from)}</dd><dt>${w.to}</dt><dd>${escape(mail.to)}</dd>
<dt>${w.date}</dt><dd><time>${escape(mail.date ?? "")}</time></dd></dl>`;
  const body = mail.html
    ? `<h2>${w.html}</h2><iframe title="${w.html}" src="/mail/${mail.id}/html" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer"></iframe>`
    : `<h2>${w.text}</h2><pre>${linked(mail.text)}</pre>`;
  return shell(
    lang,
    mail.subject || w.noSubject,
    `<p><a href="/?lang=${lang}">${w.back}</a></p><h1>${escape(mail.subject || w.noSubject)}</h1>${head}${unsubscribeBox(lang, mail, csrf)}${body}`,
    `/mail/${mail.id}`,
  );
}

function unsubscribeBox(lang, mail, csrf) {
  const w = WORDS[lang];
  const headers = `<dl><dt>List-Unsubscribe</dt><dd><code>${escape(mail.list_unsubscribe ?? w.none)}</code></dd>
<dt>List-Unsubscribe-Post</dt><dd><code>${escape(mail.list_unsubscribe_post ?? w.none)}</code></dd></dl>`;
  const mailto = mailtoTarget(mail.list_unsubscribe);
  const byMail = mailto ? `<p>${w.mailto}: <a href="${escape(mailto)}">${escape(mailto)}</a></p>` : "";
  let action = `<p>${w.noOneClick}</p>`;
  if (offersOneClick(mail.list_unsubscribe, mail.list_unsubscribe_post)) {
    action = `<form method="post" action="/mail/${mail.id}/one-click?lang=${lang}">
<input type="hidden" name="csrf" value="${escape(csrf)}">
<p><code>POST ${escape(oneClickTarget(mail.list_unsubscribe))}</code></p>
<button type="submit">${w.oneClick}</button></form><p>${w.oneClickWhy}</p>`;
  }
  const answer = mail.one_click
    ? `<div class="box" role="status"><strong>${w.answer}</strong>: ${
        mail.one_click.error === undefined
          ? `<output>${escape(mail.one_click.status)}</output><p>${escape(mail.one_click.text)}</p>`
          : `${w.failed} (${escape(mail.one_click.error)})`
      }</div>`
    : "";
  return `<section class="box"><h2>${w.unsubscribe}</h2>${headers}${action}${answer}${byMail}</section>`;
}

/** A mail's HTML body for its sandboxed frame: links open in a new tab. */
export function bodyDocument(mail) {
  return `<base target="_blank">${mail.html}`;
}
