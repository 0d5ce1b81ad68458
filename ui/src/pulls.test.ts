// The PR tracker: states, merge, reconcile after merge, background refresh.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Checks } from "./bindings/Checks";
import { REFRESH_MS } from "./pulls";
import { $, mountWith, reset, settle, tracked, until, view } from "./test/fixtures";

afterEach(() => {
  vi.useRealTimers();
  reset();
});

const checks = ({ sha }: Record<string, unknown>) => ({ sha, state: "success", items: [] });

async function tracker(handlers: Record<string, (args: Record<string, unknown>) => unknown>): Promise<void> {
  await mountWith({ status: () => view, checks, ...handlers });
  $('[data-view="pulls"]').click();
  await until("the tracker", () => document.querySelector('[data-testid="pulls"] > *') !== null);
}

describe("pull request tracker", () => {
  it("shows checks, review and mergeability, and merges only what GitHub allows", async () => {
    const blocked = { ...tracked, number: 8, mergeability: "blocked" as const, can_merge: false, review: "review_required" as const, checks: { ...tracked.checks, state: "pending", items: [] } };
    await tracker({ pull_requests: () => [tracked, blocked] });
    const ok = $('[data-pr="7"]');
    expect(ok.textContent).toContain("checks success");
    expect(ok.textContent).toContain("approved");
    expect(ok.textContent).toContain("validate-manifests");
    expect(ok.querySelector<HTMLButtonElement>('[data-testid="merge"]')?.disabled).toBe(false);
    expect(ok.querySelector('[data-testid="mergeable"]')?.textContent).toBe("ready to merge");
    const no = $('[data-pr="8"]');
    expect(no.textContent).toContain("review required");
    expect(no.textContent).toContain("No checks have reported yet.");
    expect(no.querySelector<HTMLButtonElement>('[data-testid="merge"]')?.disabled).toBe(true);
    expect(no.querySelector<HTMLButtonElement>('[data-testid="merge"]')?.title).toContain("blocked by reviews or branch rules");
    expect(no.querySelector('[data-testid="mergeable"]')?.textContent).toBe("blocked by reviews or branch rules");
  });

  it("merges, then follows the environment until it reports", async () => {
    const merges: unknown[] = [];
    await tracker({
      pull_requests: () => [tracked],
      merge_pull_request: (args) => {
        merges.push([args.number, args.head]);
        const progress = args.progress as { onmessage: (c: Checks) => void };
        progress.onmessage({ sha: "m".repeat(40), state: "pending", items: [{ name: "argo-cd", state: "pending", description: "Progressing", url: null }] });
        return { sha: "m".repeat(40), checks: { sha: "m".repeat(40), state: "success", items: [{ name: "argo-cd", state: "success", description: "Healthy", url: null }] } };
      },
    });
    $('[data-pr="7"] [data-testid="merge"]').click();
    await until("the settled state", () => document.querySelector('[data-testid="settled"]') !== null);
    expect(merges).toEqual([[7, tracked.head]]);
    expect($('[data-testid="settled"]').dataset.state).toBe("success");
    expect($('[data-testid="settled"]').textContent).toContain("stage reports healthy.");
  });

  it("on GitLab, sets a merge request held by its running pipeline to merge when it succeeds", async () => {
    const running = { ...tracked, mergeability: "blocked" as const, mergeable: false, can_merge: false, can_merge_when_green: true, checks: { ...tracked.checks, state: "pending" as const } };
    const asked: unknown[] = [];
    await mountWith({
      status: () => ({ ...view, forge: "gitlab" }),
      checks,
      pull_requests: () => [running, { ...tracked, number: 8 }],
      merge_when_green: (args) => {
        asked.push([args.number, args.head]);
        return { ...running, can_merge_when_green: false, merges_when_green: true };
      },
    });
    $('[data-view="pulls"]').click();
    await until("the tracker", () => document.querySelector('[data-testid="pulls"] > *') !== null);
    expect($('[data-pr="7"] .pull-head').textContent).toContain("!7");
    // Only the one its pipeline holds offers it.
    expect($('[data-pr="8"]').querySelector('[data-testid="merge-when-green"]')).toBeNull();
    $('[data-pr="7"] [data-testid="merge-when-green"]').click();
    await until("the answer", () => document.querySelector('[data-pr="7"] [data-testid="merges-when-green"]') !== null);
    expect(asked).toEqual([[7, tracked.head]]);
    expect($('[data-pr="7"] [data-testid="merges-when-green"]').textContent).toBe("Merges into env/stage when its pipeline succeeds.");
    expect($('[data-pr="7"]').querySelector('[data-testid="merge-when-green"]')).toBeNull();
  });

  it("shows why a merge failed, on the card", async () => {
    await tracker({
      pull_requests: () => [tracked],
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      merge_pull_request: () => Promise.reject({ message: "GitHub cannot do merging #7 now: Head branch was modified", advice: null, code: null }),
    });
    $('[data-pr="7"] [data-testid="merge"]').click();
    await until("the failure", () => $('[data-pr="7"]').querySelector('[data-testid="failure"]') !== null);
    expect($('[data-pr="7"]').textContent).toContain("Head branch was modified");
    expect($<HTMLButtonElement>('[data-pr="7"] [data-testid="merge"]').disabled).toBe(false);
  });

  it("guides the user when there are none, and refreshes in the background", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let calls = 0;
    let open: (typeof tracked)[] = [];
    await tracker({
      pull_requests: () => {
        calls += 1;
        return open;
      },
    });
    expect($('[data-testid="no-pulls"]').textContent).toContain("Ctrl+K");
    open = [tracked];
    vi.advanceTimersByTime(REFRESH_MS);
    await until("the refreshed list", () => document.querySelector('[data-pr="7"]') !== null);
    // Leaving the screen stops the refresh.
    $('[data-view="environments"]').click();
    const before = calls;
    vi.advanceTimersByTime(REFRESH_MS * 3);
    await settle();
    expect(calls - before).toBeLessThanOrEqual(1); // the lanes ask once
  });
});
