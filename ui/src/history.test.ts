// History: the timeline, rollback from any point, comparing two points, releases.
import { afterEach, describe, expect, it } from "vitest";
import type { Release } from "./bindings/Release";
import { $, changes, commit, mountWith, preview, reset, settle, until, view } from "./test/fixtures";

afterEach(reset);

const lanes = { cancel: () => false, pull_requests: () => [], checks: ({ sha }: Record<string, unknown>) => ({ sha, state: "success", items: [] }) };
const releases: Release[] = [
  {
    app: "api",
    version: "1.4.2",
    arrivals: [
      { environment: "dev", commit: commit("api 1.4.2", null) },
      { environment: "stage", commit: { ...commit("api 1.4.2", 31), time: 1_760_003_600 } },
      { environment: "prod", commit: { ...commit("api 1.4.2", 30), time: 1_760_000_000 + 5 * 3600 } },
    ],
    lead_time: 5 * 3600,
  },
  { app: "web", version: "2.1.0", arrivals: [{ environment: "dev", commit: commit("web 2.1.0", null) }, null, null], lead_time: null },
];

async function history(handlers: Record<string, (args: Record<string, unknown>) => unknown>): Promise<void> {
  await mountWith({ status: () => view, ...lanes, history: () => ({ changes, complete: true }), releases: () => releases, ...handlers });
  $('[data-view="history"]').click();
}

describe("history", () => {
  it("lists the last environment's version changes, newest first, and filters by app", async () => {
    const asked: unknown[] = [];
    await history({ history: (args) => (asked.push([args.environment, args.apps]), { changes, complete: true }) });
    await until("the timeline", () => document.querySelector('[data-testid="timeline"]') !== null);
    expect($('[data-testid="history-count"]').textContent).toBe("3 version changes in prod, newest first");
    const rows = [...document.querySelectorAll(".change")].map((r) => r.querySelector(".change-main")?.textContent);
    expect(rows[0]).toContain("api 1.4.1 → 1.4.2");
    const app = $<HTMLSelectElement>('[data-testid="history-app"]');
    app.value = "api";
    app.dispatchEvent(new Event("change"));
    await until("the filtered timeline", () => asked.length === 2);
    expect(asked).toEqual([
      ["prod", []],
      ["prod", ["api"]],
    ]);
  });

  it("shows how far a long read has come, and what was read when stopped", async () => {
    const cancelled: unknown[] = [];
    let finish: (() => void) | null = null;
    await history({
      history: (args) => {
        (args.progress as { onmessage: (n: number) => void }).onmessage(1250);
        return new Promise((resolve) => (finish = () => { resolve({ changes: changes.slice(0, 1), complete: false }); }));
      },
      cancel: (args) => (cancelled.push(args.kind), true),
    });
    await until("the progress", () => $('[data-testid="history-progress"]').textContent.includes("1,250 changes so far"));
    $('[data-testid="stop-history"]').click();
    await settle();
    expect(cancelled).toEqual(["history"]);
    (finish as unknown as () => void)();
    await until("the partial timeline", () => document.querySelector('[data-testid="history-partial"]') !== null);
    expect($('[data-testid="history-partial"]').textContent).toContain("the 1 newest changes are shown");
    expect(document.querySelectorAll(".change")).toHaveLength(1);
  });

  it("shows the environment picked last, whichever read ends last", async () => {
    const cancelled: unknown[] = [];
    const pending = new Map<string, () => void>();
    await history({
      history: (args) => {
        const env = args.environment as string;
        const answer = { changes: changes.map((c) => ({ ...c, message: `${env}: ${c.app}` })), complete: true };
        return new Promise((resolve) => pending.set(env, () => { resolve(answer); }));
      },
      cancel: (args) => (cancelled.push(args.kind), true),
    });
    await until("prod's read", () => pending.has("prod"));
    const env = $<HTMLSelectElement>('[data-testid="history-env"]');
    env.value = "stage";
    env.dispatchEvent(new Event("change"));
    await until("stage's read", () => pending.has("stage"));
    // The earlier read is asked to stop, and its answer, arriving last, is ignored.
    expect(cancelled).toEqual(["history"]);
    pending.get("stage")?.();
    await until("stage's timeline", () => document.querySelector('[data-testid="history-count"]')?.textContent.includes("in stage") ?? false);
    pending.get("prod")?.();
    await settle();
    await settle();
    expect($('[data-testid="history-count"]').textContent).toContain("in stage");
  });

  it("rolls back from any earlier point through the composer", async () => {
    const asked: unknown[] = [];
    await history({ preview_rollback: (args) => (asked.push(args), { ...preview, reason_required: true, plan: { ...preview.plan, kind: "rollback" } }) });
    await until("the timeline", () => document.querySelector('[data-testid="timeline"]') !== null);
    // Each app's newest change is what runs: no rollback to it.
    expect(document.querySelector(`[data-commit="${"1".repeat(40)}"] [data-testid="rollback-here"]`)).toBeNull();
    expect(document.querySelector(`[data-commit="${"2".repeat(40)}"] [data-testid="rollback-here"]`)).toBeNull();
    $(`[data-commit="${"3".repeat(40)}"] [data-testid="rollback-here"]`).click();
    await until("the composer", () => document.querySelector('[data-testid="pr-form"]') !== null);
    expect(asked).toEqual([{ environment: "prod", to: "3".repeat(40), apps: ["api"] }]);
    expect($('[data-testid="reason"]').getAttribute("placeholder")).toContain("Required");
  });

  it("compares any two picked points", async () => {
    const asked: unknown[] = [];
    await history({ compare: (args) => (asked.push(args), { ...preview, title: null, branch: null, plan: { ...preview.plan, kind: "comparison" } }) });
    await until("the timeline", () => document.querySelector('[data-testid="timeline"]') !== null);
    const pickButton = (id: string): HTMLElement => $(`[data-commit="${id.repeat(40)}"] .change-actions [data-testid="pick"]`);
    pickButton("1").click();
    expect($('[data-testid="pick-bar"]').textContent).toContain("pick one more");
    pickButton("3").click();
    $('[data-testid="compare-picks"]').click();
    await until("the comparison", () => document.querySelector('[data-testid="diff"]') !== null);
    expect(asked).toEqual([{ from: `prod@${"1".repeat(40)}`, to: `prod@${"3".repeat(40)}`, apps: [] }]);
    // A comparison is not a change to open.
    expect(document.querySelector('[data-testid="pr-form"]')).toBeNull();
  });

  it("draws each version's path across environments with its lead time", async () => {
    await history({});
    await until("the timeline", () => document.querySelector('[data-testid="timeline"]') !== null);
    const env = $<HTMLSelectElement>('[data-testid="history-env"]');
    env.value = "";
    env.dispatchEvent(new Event("change"));
    await until("the releases", () => document.querySelector('[data-testid="releases"]') !== null);
    const api = $('.release[data-app="api"]');
    expect(api.querySelectorAll(".stop.reached")).toHaveLength(3);
    expect(api.querySelector('[data-testid="lead-time"]')?.textContent).toBe("lead 5.0 h");
    const web = $('.release[data-app="web"]');
    expect(web.querySelectorAll(".stop.missing")).toHaveLength(2);
    expect(web.querySelector('[data-testid="lead-time"]')?.textContent).toBe("");
  });

  it("shows the release notes of a selected change, read from the app's source", async () => {
    const asked: unknown[] = [];
    const urls: unknown[] = [];
    await history({
      change_notes: (args) => {
        asked.push([args.environment, args.app, args.commit, args.from, args.to]);
        return {
          app: "api",
          source: { forge: "github", host: "github.com", path: "acme/api", url: "https://github.com/acme/api", from_tag: "v1.4.1", to_tag: "v1.4.2", inferred: false },
          changes: "https://github.com/acme/api/pull",
          issues: "https://github.com/acme/api/issues",
          outcome: { state: "ready", commits: 1, truncated: false, notes: [{ section: "fixes", kind: "fix", scope: null, text: "no 500 on an empty basket", breaking: null, change: { forge: "github", number: 12 }, author: "carol", commit: "c".repeat(40), references: [] }] },
        };
      },
      open_url: (args) => void urls.push(args.url),
    });
    await until("the timeline", () => document.querySelector('[data-testid="timeline"]') !== null);
    expect($('[data-testid="change-notes"]').hidden).toBe(true);
    $('[data-testid="change-notes-button"]').click();
    await until("the notes", () => $('[data-testid="change-notes"]').dataset.state === "ready");
    expect(asked).toEqual([["prod", "api", "1".repeat(40), "1.4.1", "1.4.2"]]);
    const notes = $('[data-testid="change-notes"]');
    expect(notes.textContent).toContain("Release notes: api 1.4.1 → 1.4.2 in prod");
    expect(notes.textContent).toContain("Fixes (1)");
    expect(notes.textContent).toContain("no 500 on an empty basket");
    notes.querySelector<HTMLElement>('[data-testid="change-link"]')?.click();
    expect(urls).toEqual(["https://github.com/acme/api/pull/12"]);
    $('[data-testid="close-notes"]').click();
    expect(notes.hidden).toBe(true);
  });
});
