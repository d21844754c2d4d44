// Reading the Worker's HTML pages the way a person (or a checker) would:
// the visible text, the page's language, its forms, and what the sender's
// configuration says must be on every page.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Decodes the HTML character references in `text`. */
export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** What a reader sees: tags dropped, references decoded, spaces collapsed. */
export function visibleText(html) {
  const withoutHidden = html
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ");
  return decodeEntities(withoutHidden).replace(/\s+/g, " ").trim();
}

/** The `lang` of the `<html>` element, or undefined. */
export function htmlLang(html) {
  const tag = html.match(/<html\b[^>]*>/i)?.[0] ?? "";
  return attributes(tag).lang;
}

/** The attributes of one start tag, values decoded: `{name: value}`. */
export function attributes(tag) {
  const found = {};
  const inner = tag.replace(/^<[a-z0-9-]+/i, "").replace(/\/?>$/, "");
  for (const match of inner.matchAll(/([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    found[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? "");
  }
  return found;
}

/** Every `<input>` in `html`, as attribute maps. */
export const inputs = (html) => [...html.matchAll(/<input\b[^>]*>/gi)].map((m) => attributes(m[0]));

/** Every `<form>` in `html`, as `{attrs, body}`. */
export const forms = (html) =>
  [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form\s*>/gi)].map((m) => ({
    attrs: attributes(m[0].match(/<form\b[^>]*>/i)[0]),
    body: m[1],
  }));

/**
 * The hidden fields a browser would send with the form in `html` (the first
 * form, or the first whose body matches `which`), as [name, value] pairs.
 */
export function hiddenFields(html, which) {
  const all = forms(html);
  const form = which === undefined ? all[0] : all.find((f) => which.test(f.body));
  if (!form) return [];
  return inputs(form.body)
    .filter((input) => (input.type ?? "").toLowerCase() === "hidden" && input.name)
    .map((input) => [input.name, input.value ?? ""]);
}

/** A value from `doi.toml`'s `[sender]` table (`name`, `postal_address`) in `locale`. */
export function senderValue(key, locale) {
  const toml = readFileSync(`${root}doi.toml`, "utf8");
  const section = toml.split(/^\[sender\]\s*$/m)[1]?.split(/^\[/m)[0] ?? "";
  const line = section.split("\n").find((l) => l.startsWith(`${key} =`) || l.startsWith(`${key}=`));
  const value = line?.match(new RegExp(`${locale}\\s*=\\s*"([^"]*)"`))?.[1];
  if (value === undefined) throw new Error(`doi.toml has no [sender] ${key}.${locale}`);
  return value;
}

/** A number from `doi.toml` (`[confirmation] max_per_address_per_day`, …). */
export function configNumber(key) {
  const toml = readFileSync(`${root}doi.toml`, "utf8");
  const value = toml.match(new RegExp(`^${key}\\s*=\\s*(\\d+)`, "m"))?.[1];
  if (value === undefined) throw new Error(`doi.toml has no ${key}`);
  return Number(value);
}

export const sender = (locale) => senderValue("name", locale);
export const postalAddress = (locale) => senderValue("postal_address", locale);

/**
 * What pages must say, per language (the wording lives in doi-core's
 * catalogue, crates/core/src/text.rs; these are the parts a person relies on).
 */
export const says = {
  ja: {
    noMoreMail: (who) => new RegExp(`${escapeRegExp(who)}\\s*からのメールは今後届きません`),
    invalidLink: /このリンクは使えません/,
    expiredLink: /有効期限/,
    confirmed: /登録が完了しました/,
    unsubscribeAll: /すべて停止/,
    save: /設定を保存/,
    resubscribe: /再開/,
    receivingNothing: /現在、メールは届きません/,
    topicRequired: /受け取りたい内容を1つ以上選んでください/,
  },
  en: {
    noMoreMail: (who) => new RegExp(`no more email from\\s*${escapeRegExp(who)}`, "i"),
    invalidLink: /this link doesn.t work/i,
    expiredLink: /expired/i,
    confirmed: /subscription is confirmed/i,
    unsubscribeAll: /stop all email/i,
    save: /save preferences/i,
    resubscribe: /receiving email from .* again/i,
    receivingNothing: /you currently receive no email/i,
    topicRequired: /please choose at least one topic/i,
  },
};

export function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The name of a list's frequency (`weekly`, `monthly`) from `doi.toml`, in `locale`. */
export function frequencyName(id, locale) {
  const toml = readFileSync(`${root}doi.toml`, "utf8");
  const line = toml.split("\n").find((l) => l.includes(`id = "${id}"`) && l.includes("name ="));
  const value = line?.match(new RegExp(`${locale}\\s*=\\s*"([^"]*)"`))?.[1];
  if (value === undefined) throw new Error(`doi.toml has no frequency ${id}`);
  return value;
}
