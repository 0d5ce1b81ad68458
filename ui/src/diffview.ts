// The diff viewer: a file list, unified or split hunks with word-level
// highlights, YAML colour, and collapsed unchanged runs that expand to the
// whole file on demand.
import type { FileDiff } from "./bindings/FileDiff";
import type { Hunk } from "./bindings/Hunk";
import type { Line } from "./bindings/Line";
import { el } from "./dom";

export type Layout = "unified" | "split";

const LAYOUT_KEY = "hoist.diff.layout";

export function savedLayout(): Layout {
  return localStorage.getItem(LAYOUT_KEY) === "split" ? "split" : "unified";
}

/** Fetches a file's diff with more context: the whole file when expanded. */
export type Expand = (path: string, context: number) => Promise<FileDiff>;

export function diffView(diffs: FileDiff[], expand: Expand): HTMLElement {
  let layout = savedLayout();
  const files = el("div", { class: "diff-files" });
  const list = el("ul", { class: "file-list", attrs: { "data-testid": "file-list" } });
  const unified = el("button", { class: "seg", attrs: { type: "button", "data-layout": "unified" }, text: "Unified" });
  const split = el("button", { class: "seg", attrs: { type: "button", "data-layout": "split" }, text: "Split" });
  const current = new Map<string, FileDiff>(diffs.map((d) => [d.path, d]));

  const draw = (): void => {
    unified.setAttribute("aria-pressed", String(layout === "unified"));
    split.setAttribute("aria-pressed", String(layout === "split"));
    files.replaceChildren(...diffs.map((d) => fileView(current.get(d.path) ?? d, layout, expandFile)));
  };
  const expandFile = (path: string): void => {
    void expand(path, 1_000_000).then((whole) => {
      current.set(path, whole);
      draw();
    });
  };
  for (const [b, l] of [
    [unified, "unified"],
    [split, "split"],
  ] as const) {
    b.addEventListener("click", () => {
      layout = l;
      localStorage.setItem(LAYOUT_KEY, l);
      draw();
    });
  }
  for (const d of diffs) {
    const item = el(
      "li",
      {},
      el("a", { attrs: { href: `#diff-${d.path}` }, text: d.path }),
      el("span", { class: "stat-add", text: ` +${String(d.added)}` }),
      el("span", { class: "stat-del", text: ` −${String(d.removed)}` }),
    );
    item.querySelector("a")?.addEventListener("click", (event) => {
      event.preventDefault();
      files.querySelector(`[data-file="${CSS.escape(d.path)}"]`)?.scrollIntoView({ block: "start" });
    });
    list.append(item);
  }
  draw();
  const added = diffs.reduce((n, d) => n + d.added, 0);
  const removed = diffs.reduce((n, d) => n + d.removed, 0);
  return el(
    "section",
    { class: "diff", attrs: { "data-testid": "diff" } },
    el(
      "header",
      { class: "diff-head" },
      el("h3", { text: `${String(diffs.length)} file${diffs.length === 1 ? "" : "s"} changed` }),
      el("span", { class: "stat-add", text: `+${String(added)}` }),
      el("span", { class: "stat-del", text: `−${String(removed)}` }),
      el("div", { class: "segmented", attrs: { role: "group", "aria-label": "Diff layout" } }, unified, split),
    ),
    list,
    files,
  );
}

function fileView(d: FileDiff, layout: Layout, expand: (path: string) => void): HTMLElement {
  const kind = d.kind.kind === "renamed" ? `renamed from ${d.kind.from}` : d.kind.kind;
  const head = el(
    "header",
    { class: "file-head" },
    el("span", { class: "mono file-path", text: d.path }),
    el("span", { class: `badge kind-${d.kind.kind}`, text: kind }),
    el("span", { class: "stat-add", text: `+${String(d.added)}` }),
    el("span", { class: "stat-del", text: `−${String(d.removed)}` }),
  );
  if (d.hunks.length > 0) {
    const whole = el("button", { class: "link file-whole", attrs: { type: "button" }, text: "Whole file" });
    whole.addEventListener("click", () => { expand(d.path); });
    head.append(whole);
  }
  const body =
    d.kind.kind === "binary"
      ? el("p", { class: "dim file-note", text: "Binary file: the content changes; it is not shown." })
      : d.kind.kind === "large"
        ? el("p", { class: "dim file-note", text: `Too large to show here: ${String(d.added)} lines added, ${String(d.removed)} removed.` })
        : hunksView(d, layout, expand);
  return el("article", { class: "file", attrs: { "data-file": d.path, id: `diff-${d.path}` } }, head, body);
}

function hunksView(d: FileDiff, layout: Layout, expand: (path: string) => void): HTMLElement {
  const yaml = /\.ya?ml$/i.test(d.path);
  const table = el("table", { class: `hunks ${layout}`, attrs: { "data-layout": layout } });
  const body = el("tbody");
  // Fixed layout sizes columns from the first row, which may be a gap row
  // spanning all of them: the widths are given here instead.
  const widths = layout === "split" ? ["3.5em", "50%", "3.5em", "50%"] : ["3.5em", "3.5em", "auto"];
  table.append(el("colgroup", {}, ...widths.map((w) => el("col", { attrs: { style: `width: ${w}` } }))), body);
  let oldLine = 1;
  const gap = (from: number, to: number): void => {
    if (to <= from) return;
    const n = to - from;
    const cell = el("td", { attrs: { colspan: layout === "split" ? "4" : "3" } });
    const more = el("button", { class: "link", attrs: { type: "button", "data-testid": "expand" }, text: `⋯ ${String(n)} unchanged line${n === 1 ? "" : "s"} — show the whole file` });
    more.addEventListener("click", () => { expand(d.path); });
    cell.append(more);
    body.append(el("tr", { class: "gap" }, cell));
  };
  for (const hunk of d.hunks) {
    gap(oldLine, hunk.old_start);
    if (layout === "unified") for (const line of hunk.lines) body.append(unifiedRow(line, yaml));
    else for (const [left, right] of pairs(hunk)) body.append(splitRow(left, right, yaml));
    oldLine = hunk.old_start + hunk.old_len;
  }
  return table;
}

function unifiedRow(line: Line, yaml: boolean): HTMLTableRowElement {
  const sign = line.tag === "added" ? "+" : line.tag === "removed" ? "−" : " ";
  return el(
    "tr",
    { class: `line ${line.tag}` },
    el("td", { class: "no", text: line.old_no === null ? "" : String(line.old_no) }),
    el("td", { class: "no", text: line.new_no === null ? "" : String(line.new_no) }),
    el("td", { class: "code" }, el("span", { class: "sign", text: sign }), code(line, yaml)),
  );
}

function splitRow(left: Line | null, right: Line | null, yaml: boolean): HTMLTableRowElement {
  const side = (line: Line | null, no: number | null): HTMLTableCellElement[] => [
    el("td", { class: `no ${line?.tag ?? "empty"}`, text: no === null ? "" : String(no) }),
    el("td", { class: `code ${line?.tag ?? "empty"}` }, line ? code(line, yaml) : null),
  ];
  return el("tr", { class: "line" }, ...side(left, left?.old_no ?? null), ...side(right, right?.new_no ?? null));
}

/** Side-by-side rows: context faces itself; each run of removed lines pairs, in order, with the added run after it. */
export function pairs(hunk: Hunk): [Line | null, Line | null][] {
  const rows: [Line | null, Line | null][] = [];
  const lines = hunk.lines;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line) break;
    if (line.tag === "context") {
      rows.push([line, line]);
      i += 1;
    } else if (line.tag === "added") {
      rows.push([null, line]);
      i += 1;
    } else {
      const removed: Line[] = [];
      const added: Line[] = [];
      while (lines[i]?.tag === "removed") removed.push(lines[i++] as Line);
      while (lines[i]?.tag === "added") added.push(lines[i++] as Line);
      for (let k = 0; k < Math.max(removed.length, added.length); k++) rows.push([removed[k] ?? null, added[k] ?? null]);
    }
  }
  return rows;
}

/** Converts the engine's byte ranges (UTF-8) into string indices (UTF-16). */
export function charRanges(text: string, bytes: { start: number; end: number }[]): [number, number][] {
  if (bytes.length === 0) return [];
  const at: number[] = []; // at[byte offset] = string index
  let b = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const units = cp > 0xffff ? 2 : 1;
    const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < len; k++) at[b + k] = i;
    b += len;
    i += units;
  }
  at[b] = text.length;
  return bytes.map((r) => [at[r.start] ?? text.length, at[r.end] ?? text.length]);
}

/** YAML colour classes per character: comments, keys, strings, numbers and booleans. */
export function yamlClasses(text: string): (string | null)[] {
  const classes: (string | null)[] = new Array<string | null>(text.length).fill(null);
  const paint = (from: number, to: number, cls: string): void => {
    for (let i = from; i < to; i++) classes[i] = cls;
  };
  const key = /^(\s*(?:-\s+)?)([^\s#'"][^:#]*?|"[^"]*"|'[^']*')(:)(?=\s|$)/.exec(text);
  if (key) {
    const start = (key[1] ?? "").length;
    paint(start, start + (key[2] ?? "").length, "y-key");
  }
  const valueFrom = key ? key[0].length : (/^\s*(?:-\s+)?/.exec(text)?.[0] ?? "").length;
  // A comment starts at a # outside quotes that follows whitespace or begins the line.
  let quote: string | null = null;
  let comment = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i >= valueFrom) quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      comment = i;
      break;
    }
  }
  paint(comment, text.length, "y-comment");
  const value = text.slice(valueFrom, comment);
  const trimmed = value.trim();
  if (trimmed.length > 0) {
    const start = valueFrom + value.indexOf(trimmed);
    const cls = /^["']/.test(trimmed)
      ? "y-string"
      : /^-?\d[\d._]*(e[+-]?\d+)?$/i.test(trimmed)
        ? "y-number"
        : /^(true|false|null|yes|no|on|off|~)$/i.test(trimmed)
          ? "y-bool"
          : /^[&*!]/.test(trimmed)
            ? "y-anchor"
            : "y-value";
    paint(start, start + trimmed.length, cls);
  }
  return classes;
}

function code(line: Line, yaml: boolean): HTMLElement {
  const text = line.text;
  const classes = yaml ? yamlClasses(text) : new Array<string | null>(text.length).fill(null);
  const emph = new Array<boolean>(text.length).fill(false);
  for (const [from, to] of charRanges(text, line.emphasis)) for (let i = from; i < to; i++) emph[i] = true;
  const out = el("span", { class: "text" });
  let i = 0;
  while (i < text.length) {
    let j = i + 1;
    while (j < text.length && classes[j] === classes[i] && emph[j] === emph[i]) j++;
    const cls = [classes[i], emph[i] ? "emph" : null].filter(Boolean).join(" ");
    out.append(cls ? el("span", { class: cls, text: text.slice(i, j) }) : document.createTextNode(text.slice(i, j)));
    i = j;
  }
  return out;
}
