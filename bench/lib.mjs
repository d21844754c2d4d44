// Shared by the bench scripts: statistics, sizes, and the small line protocol
// through which a script hands its tables to `cargo xtask bench`.
//
// Protocol (stdout, one per line; everything else is progress for people):
//   @section <title>      starts a section of bench/results.md
//   @text <markdown>      a paragraph line in the current section
//   @head a | b | c       starts a table with these columns
//   @row a | b | c        a row of the current table
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The clone's root, with a trailing slash. */
export const root = fileURLToPath(new URL("../", import.meta.url));

export const section = (title) => console.log(`@section ${title}`);
export const text = (line) => console.log(`@text ${line}`);
export const head = (...cells) => console.log(`@head ${cells.join(" | ")}`);
export const row = (...cells) => console.log(`@row ${cells.join(" | ")}`);

/** The value below which a fraction `q` of `values` lies (linear interpolation). */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

export const median = (values) => quantile(values, 0.5);

/** Bytes of `data` raw, gzip -9 and brotli (quality 11), as browsers get them. */
export function sizes(data) {
  return {
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }).length,
  };
}

/** `12 345` style thousands, for tables. */
export const bytes = (n) => Math.round(n).toLocaleString("en-US").replaceAll(",", " ");

/** Kilobytes with one decimal (1 KB = 1000 B, like the budget in the issue). */
export const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

export const ms = (n) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 1 : 0)} ms` : "–");

export const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "–");

/** A command-line option `--name value`, or `fallback`. */
export function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

/** A local secret as `wrangler dev` sees it: `.dev.vars` of the clone. */
export function devVar(name) {
  const file = readFileSync(`${root}.dev.vars`, "utf8");
  for (const line of file.split("\n")) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (match && match[1] === name) return match[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  throw new Error(`${name} is not set in .dev.vars`);
}
