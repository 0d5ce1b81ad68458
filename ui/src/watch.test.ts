// The background watch: desktop notifications for merges, closes, failed
// checks and unhealthy environments, and silence when nothing changed.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Checks } from "./bindings/Checks";
import type { Tracked } from "./bindings/Tracked";
import { mountWith, reset, settle, tracked, until, view } from "./test/fixtures";
import { WATCH_MS } from "./watch";

afterEach(() => {
  vi.useRealTimers();
  reset();
});

const failing: Checks = { sha: "e".repeat(40), state: "failure", items: [{ name: "validate-manifests", state: "failure", description: "invalid", url: null }] };

describe("background watch", () => {
  it("notifies when a PR merges or closes, or its checks fail, and not otherwise", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const second: Tracked = { ...tracked, number: 8, title: "Promote web to 2.1.0 in stage" };
    const third: Tracked = { ...tracked, number: 9, title: "Promote worker in prod" };
    let open: Tracked[] = [tracked, second, third];
    const notes: string[] = [];
    await mountWith({
      status: () => view,
      pull_requests: () => open,
      pull_request: (args) => (args.number === 7 ? { ...tracked, state: "merged" } : { ...second, state: "closed" }),
      notify: (args) => void notes.push(`${String(args.title)} | ${String(args.body)}`),
    });
    await settle();
    vi.advanceTimersByTime(WATCH_MS);
    await settle();
    expect(notes).toEqual([]);
    open = [{ ...third, checks: failing }];
    vi.advanceTimersByTime(WATCH_MS);
    await until("three notifications", () => notes.length === 3);
    expect(notes).toEqual([
      "#7 merged into env/stage | Promote api to 1.6.0 in stage",
      "#8 closed without merging into env/stage | Promote web to 2.1.0 in stage",
      "#9: checks failed | Promote worker in prod\nvalidate-manifests",
    ]);
  });

  it("does not take another repository's pull requests for merges", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let path = view.path;
    let open: Tracked[] = [tracked];
    const notes: unknown[] = [];
    await mountWith({
      status: () => ({ ...view, path }),
      pull_requests: () => open,
      pull_request: () => ({ ...tracked, state: "merged" }),
      open_repository: () => null,
      notify: (args) => void notes.push(args.title),
    });
    await settle();
    path = "/repos/other";
    open = [];
    // The switch reloads the status, as opening a repository does.
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "r" }));
    await until("the other repository", () => document.body.textContent.includes("/repos/other"));
    vi.advanceTimersByTime(WATCH_MS);
    await settle();
    await settle();
    expect(notes).toEqual([]);
  });

  it("notifies when an environment's tip turns unhealthy", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let prod: Checks = { sha: "p", state: "pending", items: [] };
    const notes: string[] = [];
    const prodTip = view.status.environments[2]?.tip.id;
    await mountWith({
      status: () => view,
      checks: ({ sha }) => (sha === prodTip ? prod : { sha, state: "success", items: [] }),
      notify: (args) => void notes.push(`${String(args.title)} | ${String(args.body)}`),
    });
    await settle();
    prod = { sha: "p", state: "failure", items: [{ name: "argo-cd", state: "failure", description: "Degraded: 2 pods crash-looping", url: null }] };
    vi.advanceTimersByTime(WATCH_MS);
    await until("the notification", () => notes.length === 1);
    expect(notes).toEqual(["prod reports unhealthy | argo-cd: Degraded: 2 pods crash-looping"]);
  });
});
