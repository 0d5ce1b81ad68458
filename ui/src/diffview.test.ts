// The diff viewer: layouts, word-level highlights, YAML colour, expansion.
import { afterEach, describe, expect, it } from "vitest";
import type { FileDiff } from "./bindings/FileDiff";
import { charRanges, diffView, pairs, yamlClasses } from "./diffview";
import { preview, reset, settle } from "./test/fixtures";

afterEach(reset);

const diff = preview.diffs[0] as FileDiff;

describe("diff viewer", () => {
  it("turns the engine's UTF-8 byte ranges into string ranges", () => {
    // "é" is two bytes, "😀" four bytes and two UTF-16 units.
    expect(charRanges("a: é1", [{ start: 5, end: 6 }])).toEqual([[4, 5]]);
    expect(charRanges("😀 x", [{ start: 5, end: 6 }])).toEqual([[3, 4]]);
    expect(charRanges("abc", [])).toEqual([]);
  });

  it("colours YAML keys, strings, numbers, booleans and comments", () => {
    const text = '  tag: "1.6.0" # pinned';
    const classes = yamlClasses(text);
    const at = (s: string): string | null => classes[text.indexOf(s)] ?? null;
    expect(at("tag")).toBe("y-key");
    expect(at('"1.6.0"')).toBe("y-string");
    expect(at("# pinned")).toBe("y-comment");
    expect(yamlClasses("replicas: 3")[10]).toBe("y-number");
    expect(yamlClasses("enabled: true")[9]).toBe("y-bool");
    // A # inside quotes is not a comment.
    expect(yamlClasses('a: "x # y"')[8]).toBe("y-string");
  });

  it("pairs removed and added runs side by side", () => {
    const rows = pairs(diff.hunks[0] ?? { old_start: 0, old_len: 0, new_start: 0, new_len: 0, lines: [] });
    expect(rows.map(([l, r]) => [l?.tag ?? null, r?.tag ?? null])).toEqual([
      ["context", "context"],
      ["removed", "added"],
      ["context", "context"],
    ]);
  });

  it("renders unified and split layouts with the changed words emphasised, and remembers the choice", () => {
    document.body.append(diffView([diff], () => Promise.reject(new Error("not expanded"))));
    const removed = document.querySelector("tr.removed");
    expect(removed?.querySelector(".emph")?.textContent).toBe("1.5.0");
    expect(document.querySelector("tr.added .emph")?.textContent).toBe("1.6.0");
    expect(document.querySelector("tr.added .y-comment")?.textContent).toBe("# pinned");
    document.querySelector<HTMLButtonElement>('[data-layout="split"]')?.click();
    const table = document.querySelector("table.hunks");
    expect(table?.getAttribute("data-layout")).toBe("split");
    const row = [...document.querySelectorAll("table.hunks tr.line")][1];
    expect([...(row?.querySelectorAll("td.code") ?? [])].map((td) => td.textContent)).toEqual(['  tag: "1.5.0" # pinned', '  tag: "1.6.0" # pinned']);
    reset();
    localStorage.setItem("hoist.diff.layout", "split");
    document.body.append(diffView([diff], () => Promise.reject(new Error("not expanded"))));
    expect(document.querySelector("table.hunks")?.getAttribute("data-layout")).toBe("split");
  });

  it("collapses unchanged lines and shows the whole file on demand", async () => {
    const asked: [string, number][] = [];
    const whole: FileDiff = { ...diff, hunks: [{ ...diff.hunks[0], old_start: 1, old_len: 12, new_start: 1, new_len: 12, lines: [{ tag: "context", old_no: 1, new_no: 1, text: "# api", emphasis: [] }, ...(diff.hunks[0]?.lines ?? [])] }] };
    document.body.append(
      diffView([diff], (path, context) => {
        asked.push([path, context]);
        return Promise.resolve(whole);
      }),
    );
    const gap = document.querySelector<HTMLButtonElement>('[data-testid="expand"]');
    expect(gap?.textContent).toContain("9 unchanged lines");
    gap?.click();
    await settle();
    expect(asked[0]?.[0]).toBe("apps/api/values.yaml");
    expect(asked[0]?.[1]).toBeGreaterThan(1000);
    expect(document.querySelector('[data-testid="expand"]')).toBeNull();
    expect(document.querySelector("table.hunks")?.textContent).toContain("# api");
  });

  it("summarises binary and large files instead of rendering them", () => {
    document.body.append(
      diffView(
        [
          { path: "logo.png", kind: { kind: "binary" }, added: 0, removed: 0, hunks: [] },
          { path: "big.yaml", kind: { kind: "large" }, added: 90000, removed: 3, hunks: [] },
        ],
        () => Promise.reject(new Error("no")),
      ),
    );
    expect(document.body.textContent).toContain("Binary file");
    expect(document.body.textContent).toContain("Too large to show here: 90000 lines added, 3 removed.");
  });
});
