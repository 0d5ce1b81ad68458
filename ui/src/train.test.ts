// Release trains: the composer's dry run and opening with progress per
// change request, and the tracker's one card per train.
import { afterEach, describe, expect, it } from "vitest";
import type { TrainPreview } from "./bindings/TrainPreview";
import type { TrainProgress } from "./bindings/TrainProgress";
import { $, mountWith, reset, tracked, until, view } from "./test/fixtures";

afterEach(() => {
  reset();
});

const dryRun = (pulls: "one" | "per_app"): TrainPreview => ({
  id: "train-1",
  train: {
    id: "e4ecad158679",
    source: "stage",
    source_commit: "s".repeat(40),
    target: "prod",
    base: "b".repeat(40),
    pulls,
    cars: [
      { app: "api", from: "1.4.2", to: "1.5.0", skip: null, why: null },
      { app: "web", from: "2.0.0", to: "2.1.0", skip: null, why: null },
      { app: "worker", from: "0.9.1", to: "0.9.1", skip: "already_there", why: "prod already runs 0.9.1" },
    ],
  },
  pulls:
    pulls === "one"
      ? [{ apps: ["api", "web"], title: "Promote api, web to prod", branch: "hoist/prod/api-1.5.0+web-2.1.0", warnings: [] }]
      : [
          { apps: ["api"], title: "Promote api to prod", branch: "hoist/prod/api-1.5.0", warnings: [] },
          { apps: ["web"], title: "Promote web to prod", branch: "hoist/prod/web-2.1.0", warnings: [] },
        ],
});

describe("release trains", () => {
  it("shows the dry run, switches to one PR per app, and opens them with progress", async () => {
    const asked: unknown[] = [];
    await mountWith({
      status: () => view,
      preview_train: (args) => {
        asked.push([args.source, args.target, args.apps, args.pulls]);
        return dryRun(args.pulls === "per_app" ? "per_app" : "one");
      },
      open_train: (args) => {
        const progress = args.progress as { onmessage: (p: TrainProgress) => void };
        const opened = [0, 1].map((pull) => ({ number: 10 + pull, url: `http://forge/pull/${String(10 + pull)}`, branch: "b", commit: "c", outcome: "created" as const }));
        for (const [pull, o] of opened.entries()) {
          progress.onmessage({ kind: "step", pull, step: { step: "checking_target" } });
          progress.onmessage({ kind: "opened", pull, opened: o });
        }
        return opened;
      },
    });
    $('[data-view="pulls"]').click();
    $('[data-testid="new-train"]').click();
    await until("the dry run", () => document.querySelector('[data-testid="train-table"]') !== null);
    // The last environment with an upstream, from it; every app.
    expect(asked[0]).toEqual(["stage", "prod", [], null]);
    expect($('[data-app="worker"]').dataset.skip).toBe("already_there");
    expect($('[data-app="worker"]').textContent).toContain("skipped: already there");
    expect($('[data-testid="train-summary"]').textContent).toContain("2 move, 1 skipped");
    expect($('[data-testid="train-one"]').getAttribute("aria-pressed")).toBe("true");

    $('[data-testid="train-per_app"]').click();
    await until("two PRs", () => document.querySelectorAll('[data-testid="train-pulls"] li').length === 2);
    expect(asked[1]).toEqual(["stage", "prod", [], "per_app"]);
    $('[data-testid="train-open"]').click();
    await until("the train opened", () => document.querySelector('[data-testid="train-done"]') !== null);
    expect($('[data-testid="train-done"]').textContent).toContain("2 pull requests open into prod");
    expect([...document.querySelectorAll('[data-testid="train-opened"]')].map((a) => a.textContent)).toEqual(["#10", "#11"]);
  });

  it("tracks a train as one card with its merged, pending and failed counts", async () => {
    const train = "e4ecad158679";
    const marker = { ...tracked.marker, target: "prod", source: "stage", train };
    const open = { ...tracked, number: 11, marker };
    const merged = { ...tracked, number: 10, marker, state: "merged" as const, can_merge: false };
    const failing = { ...tracked, number: 12, marker, checks: { ...tracked.checks, state: "failure" as const } };
    await mountWith({
      status: () => view,
      pull_requests: () => [open, failing, tracked],
      trains: () => [{ id: train, source: "stage", target: "prod", pulls: [merged, open, failing], merged: 1, pending: 1, failed: 1 }],
    });
    $('[data-view="pulls"]').click();
    await until("the train card", () => document.querySelector(`[data-train="${train}"]`) !== null);
    const card = $(`[data-train="${train}"]`);
    expect(card.textContent).toContain("Release train stage → prod");
    expect($('[data-testid="train-counts"]').textContent).toContain("1 merged1 pending1 failed of 3 pull requests");
    expect([...card.querySelectorAll(".train-pull-list li")].map((li) => li.getAttribute("data-state"))).toEqual(["merged", "open", "open"]);
    // The train's open PRs are in its card; the single one stands alone.
    expect(document.querySelectorAll('[data-testid="pull-11"]').length).toBe(1);
    expect(card.querySelector('[data-testid="pull-11"]')).not.toBeNull();
    expect(card.querySelector('[data-testid="pull-7"]')).toBeNull();
    expect(document.querySelector('[data-testid="pull-7"]')).not.toBeNull();
  });
});
