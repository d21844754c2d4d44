// What a wasm module's bytes are made of: each function body's size, named
// through the module's "name" section, added up by the crate it came from.
// Reads a module built with names kept (wasm-bindgen without
// --remove-name-section, wasm-opt -g); the shipped module has the same code
// without the names. A few dozen lines instead of installing twiggy.

const SECTIONS = ["custom", "type", "import", "function", "table", "memory", "global",
  "export", "start", "element", "code", "data", "datacount", "tag"];

/**
 * Reads the sections of `bytes`: `{ sizes: {section: bytes}, functions:
 * [{name, size}], total, text }` (text: what the data section holds).
 */
export function parseModule(bytes) {
  let at = 8; // magic + version
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  const name = () => {
    const length = u32();
    const text = new TextDecoder().decode(bytes.subarray(at, at + length));
    at += length;
    return text;
  };
  const limits = () => {
    const flags = bytes[at++];
    u32();
    if (flags & 1) u32();
  };
  const skipImport = (kind) => {
    if (kind === 0) u32(); // function: type index
    else if (kind === 1) { at++; limits(); } // table: reftype, limits
    else if (kind === 2) limits(); // memory
    else if (kind === 3) at += 2; // global: valtype, mutability
    else if (kind === 4) { at++; u32(); } // tag
  };
  const readNames = (end, names) => {
    while (at < end) {
      const kind = bytes[at++];
      const length = u32();
      const next = at + length;
      if (kind === 1) {
        for (let count = u32(); count > 0; count--) {
          const index = u32();
          names.set(index, name());
        }
      }
      at = next;
    }
  };

  const sizes = {};
  const bodies = [];
  const names = new Map();
  let importedFunctions = 0;
  let data = new Uint8Array();
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = u32();
    const sectionEnd = at + size;
    let label = SECTIONS[id] ?? `section ${id}`;
    if (id === 0) {
      label = `custom "${name()}"`;
      if (label === 'custom "name"') readNames(sectionEnd, names);
    } else if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        name();
        name();
        const kind = bytes[at++];
        if (kind === 0) importedFunctions++;
        skipImport(kind);
      }
    } else if (id === 10) {
      for (let count = u32(); count > 0; count--) {
        const bodyStart = at;
        const length = u32();
        at += length;
        bodies.push(at - bodyStart);
      }
    } else if (id === 11) {
      data = bytes.subarray(at, sectionEnd);
    }
    sizes[label] = (sizes[label] ?? 0) + (sectionEnd - start);
    at = sectionEnd;
  }
  const functions = bodies.map((size, index) => ({
    name: names.get(importedFunctions + index) ?? `function ${importedFunctions + index}`,
    size,
  }));
  return { sizes, functions, total: bytes.length, text: textBytes(data) };
}

/**
 * What the data section holds, roughly: Japanese text (3-byte UTF-8 kana and
 * kanji), runs of six or more printable ASCII characters (CSS, messages,
 * JSON field names), and among those the source paths of panic locations.
 */
function textBytes(bytes) {
  const text = { japanese: 0, ascii: 0, paths: 0 };
  let run = 0;
  let path = false;
  const endRun = () => {
    if (run >= 6) {
      text.ascii += run;
      if (path) text.paths += run;
    }
    run = 0;
    path = false;
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte >= 0x20 && byte < 0x7f) {
      run++;
      // ".rs" inside a run: a file name.
      if (byte === 0x73 && bytes[i - 1] === 0x72 && bytes[i - 2] === 0x2e) path = true;
      continue;
    }
    endRun();
    if (byte >= 0xe3 && byte <= 0xe9 && (bytes[i + 1] & 0xc0) === 0x80 &&
        (bytes[i + 2] & 0xc0) === 0x80) {
      text.japanese += 3;
      i += 2;
    }
  }
  endRun();
  return text;
}

/**
 * Which part of the program a function belongs to, from its demangled name
 * (crate hashes removed). The first rule that matches wins, so the specific
 * ones come first.
 */
const PARTS = [
  ["allocator (lol_alloc)",
    /lol_alloc|dlmalloc|wee_alloc|talc|__rust_(alloc|dealloc|realloc)|__rdl_|alloc::alloc::|RawVec.*reserve|handle_alloc_error/],
  ["serde, serde_json, serde-wasm-bindgen", /serde/],
  ["doi-widget (our code)", /doi_widget|^doi_/],
  ["doi-core (our code)", /doi_core/],
  ["wasm-bindgen glue, js-sys, web-sys", /wasm_bindgen|__wbindgen|__wbg_|js_sys|web_sys|externref/],
  ["sha2, hmac (hashing)", /sha2|hmac|digest|block_buffer/],
  ["toml", /toml/],
  ["Unicode case tables (str::to_lowercase)",
    /to_lowercase|to_uppercase|unicode_data|unicode::conversions/],
  ["core::fmt (formatting)",
    /core::fmt|alloc::fmt|Formatter|PadAdapter|fmt::Write|format_inner|Display|Debug/],
  ["panics, bounds and UTF-8 errors", /panic|unwrap_failed|expect_failed|_fail\b/],
  ["core, alloc, std (other)",
    /^<?(core|alloc|std|hashbrown)::|<(str|char)>|<(core|alloc|std)::|^mem(cpy|cmp|set|move)$|hashbrown/],
];

/**
 * A symbol as a path (`core::str::…`): wasm-opt keeps the linker's mangled
 * names (legacy `_ZN…E` and v0 `_R…`). Rough, but enough to tell crates
 * apart: the identifiers are read off their length prefixes, the hash
 * dropped.
 */
export function demangle(name) {
  const mangled = /^_ZN(.*)E$/.exec(name) ?? /^_R(.*)$/.exec(name);
  if (!mangled) return name;
  const body = mangled[1];
  const parts = [];
  for (let at = 0; at < body.length;) {
    const digits = /^\d+/.exec(body.slice(at));
    if (!digits) {
      at++;
      continue;
    }
    at += digits[0].length;
    if (body[at] === "_") at++;
    parts.push(body.slice(at, at + Number(digits[0])));
    at += Number(digits[0]);
  }
  const path = parts.filter((part) => !/^h[0-9a-f]{16}$/.test(part));
  // v0: the crate's disambiguator reads as a stray part before it.
  const crate = path.findIndex((part) => /^(core|alloc|std|doi_\w+|lol_alloc|hashbrown)$/.test(part));
  return (crate > 0 ? path.slice(crate) : path).join("::")
    .replace(/\$LT\$/g, "<").replace(/\$GT\$/g, ">").replace(/\$u20\$/g, " ")
    .replace(/\$RF\$/g, "&").replace(/\$C\$/g, ",").replace(/\.\./g, "::").replace(/^_</, "<");
}

/** Function bytes added up per part, plus the non-code sections. */
export function composition(bytes) {
  const module = parseModule(bytes);
  const parts = new Map();
  const add = (part, size) => parts.set(part, (parts.get(part) ?? 0) + size);
  for (const { name, size } of module.functions) {
    // v0-mangled names carry crate hashes: `core[c5930c85a12de822]::fmt`.
    const plain = demangle(name).replace(/\[[0-9a-f]{16}\]/g, "");
    const part = PARTS.find(([, pattern]) => pattern.test(plain));
    add(part ? part[0] : "other crates / unnamed", size);
  }
  const codeHeader = (module.sizes.code ?? 0) -
    module.functions.reduce((sum, f) => sum + f.size, 0);
  const dropped = ['custom "name"', 'custom "producers"'];
  for (const [section, size] of Object.entries(module.sizes)) {
    if (section === "code" || dropped.includes(section)) continue;
    add(section === "data" ? "data (string constants, tables)" : `section: ${section}`, size);
  }
  add("section: code (header)", codeHeader);
  const shipped = module.total - dropped.reduce((sum, s) => sum + (module.sizes[s] ?? 0), 0);
  return {
    parts: [...parts].sort((a, b) => b[1] - a[1]),
    shipped,
    functions: module.functions,
    text: module.text,
  };
}
