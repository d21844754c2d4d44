// Widget weight: the bytes a browser downloads for the widget, per delivery
// variant, raw / gzip / brotli, next to the hand-written baseline form; the
// same measured in Chromium on the demo page; and what the wasm is made of.
//
//   node bench/widget-weight.mjs --names <wasm with names>
//
// `cargo xtask bench` builds the widget, then a copy of its wasm with the
// name section kept (same code, same wasm-opt), and runs this.
import { readFileSync } from "node:fs";
import { demoPageDownload } from "./widget-demo.mjs";
import { composition, demangle } from "./wasm-parts.mjs";
import { bytes, head, kb, option, root, row, section, sizes, text } from "./lib.mjs";

// Issue 11's goal and aim for what a browser downloads (gzip).
const BUDGET = 20_000;
const AIM = 15_000;

const dist = (name) => readFileSync(`${root}www/dist/${name}`);
const baseline = (name) => readFileSync(`${root}bench/baseline-page/${name}`);

const variants = [
  { name: "single file (inlined wasm)", files: ["doi.js"], read: dist },
  { name: "split: loader", files: ["doi.split.js"], read: dist },
  { name: "split: wasm", files: ["doi_bg.wasm"], read: dist },
  { name: "split: total", files: ["doi.split.js", "doi_bg.wasm"], read: dist },
  {
    name: "baseline: static form + handler",
    files: ["form.html", "baseline.js"],
    read: baseline,
  },
];

section("1. Widget weight");
text(`What a browser downloads for the widget (1 KB = 1000 bytes; each file`);
text(`compressed on its own, as served). Budget ≤ ${kb(BUDGET)} gzip, aim ≤ ${kb(AIM)}.`);
head("variant", "files", "raw", "gzip", "brotli", "gzip vs budget");
const measured = {};
for (const variant of variants) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of variant.files) {
    const size = sizes(variant.read(file));
    for (const key of Object.keys(total)) total[key] += size[key];
  }
  measured[variant.name] = total;
  const verdict = variant.name.startsWith("baseline") || variant.name.startsWith("split: ") &&
      !variant.name.endsWith("total")
    ? ""
    : total.gzip <= AIM ? "within aim" : total.gzip <= BUDGET ? "within budget" : "over budget";
  row(variant.name, variant.files.join(" + "), bytes(total.raw), bytes(total.gzip),
    bytes(total.brotli), verdict);
}
const single = measured["single file (inlined wasm)"];
const base = measured["baseline: static form + handler"];
text("");
text(`The single file is ${(single.gzip / base.gzip).toFixed(1)}× the baseline's gzip bytes.`);

const seen = await demoPageDownload();
text("");
text("Measured in Chromium: what the demo page (`www/dist/index.html`, form mode) makes");
text("the browser download for the widget until the form is drawn, each file served");
text("with gzip -9 from 127.0.0.1 (body bytes as received; the page, its stylesheet and");
text("its demo script are not the widget's).");
head("request", "type", "received (gzip)", "decoded");
for (const file of seen.files) row(`\`${file.path}\``, file.type, bytes(file.encoded), bytes(file.decoded));
row("**widget in all**", "", `**${bytes(seen.encoded)}**`, bytes(seen.decoded));

const names = option("names");
if (names) {
  const { parts, shipped, functions, text: data } = composition(readFileSync(names));
  const wasm = dist("doi_bg.wasm").length;
  text("");
  text(`What the wasm is made of: function bodies grouped by crate, from the`);
  text(`name section of a copy built with names kept (${bytes(shipped)} bytes without`);
  text(`them; shipped ${bytes(wasm)}). Functions that wasm-opt inlined count for their caller`);
  text("(the `doi_*` exports of crates/widget/src/abi.rs hold much of the widget's code).");
  head("part", "bytes", "share");
  let structure = 0;
  for (const [part, size] of parts) {
    // Small wasm bookkeeping sections go in one row.
    if (part.startsWith("section: ") && size < 0.01 * shipped) {
      structure += size;
      continue;
    }
    row(part, bytes(size), `${((100 * size) / shipped).toFixed(1)} %`);
  }
  row("other sections (types, tables, globals, …)", bytes(structure),
    `${((100 * structure) / shipped).toFixed(1)} %`);
  text("");
  text(`The data section holds ${bytes(data.ascii)} bytes of ASCII text (CSS, messages, field`);
  text(`names; ${bytes(data.paths)} of them source paths kept for panic messages) and`);
  text(`${bytes(data.japanese)} bytes of Japanese text; the rest is tables and binary constants.`);
  const largest = [...functions].sort((a, b) => b.size - a.size).slice(0, 8);
  text("");
  text("Largest functions: " +
    largest.map((f) => `\`${shorten(demangle(f.name))}\` ${bytes(f.size)}`).join(", ") + ".");
}

/** A demangled name without its hash and generic noise, for a table cell. */
function shorten(name) {
  return name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "")
    .replace(/\|/g, "/").slice(0, 70);
}
