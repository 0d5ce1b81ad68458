// The Environments screen: lanes, filter, and selecting cells to promote.
import { afterEach, describe, expect, it } from "vitest";
import { $, mountWith, preview, reset, tracked, until, view } from "./test/fixtures";

afterEach(reset);

const base = {
  status: () => view,
  pull_requests: () => [tracked],
  checks: ({ sha }: Record<string, unknown>) =>
    sha === view.status.environments[2]?.tip.id
      ? { sha, state: "failure", items: [{ name: "argo-cd", state: "failure", description: "Degraded", url: null }] }
      : { sha, state: "success", items: [{ name: "argo-cd", state: "success", description: "Healthy", url: null }] },
};

describe("environments", () => {
  it("shows each environment's lane with its reconcile status and open PRs", async () => {
    await mountWith(base);
    await until("the lanes' health", () => $('[data-lane="prod"] .health-badge').textContent === "unhealthy");
    expect($('[data-lane="stage"] .health-badge').textContent).toBe("healthy");
    expect($('[data-testid="lane-prs-stage"]').textContent).toContain("#7");
    expect($('[data-testid="lane-prs-stage"]').textContent).toContain("api 1.6.0");
    expect($('[data-testid="lane-prs-prod"]').textContent).toBe("");
    expect($('[data-lane="stage"]').textContent).toContain("2 pending");
  });

  it("says when GitHub cannot be reached instead of showing stale lanes", async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await mountWith({ ...base, pull_requests: () => Promise.reject({ message: "no GitHub token for github.com", advice: null, code: "sign_in" }) });
    await until("the lane note", () => $('[data-lane="dev"] .health-badge').textContent === "GitHub unavailable");
    expect($('[data-lane="dev"] .health-badge').title).toContain("no GitHub token");
  });

  it("filters apps by name and by pending", async () => {
    await mountWith(base);
    const filter = $<HTMLInputElement>('[data-testid="filter"]');
    filter.value = "wor";
    filter.dispatchEvent(new Event("input"));
    const visible = (): string[] => [...document.querySelectorAll<HTMLTableRowElement>("tbody tr")].filter((tr) => !tr.hidden).map((tr) => tr.dataset.row ?? "");
    expect(visible()).toEqual(["worker"]);
    expect($('[data-testid="app-count"]').textContent).toBe("1 of 3 apps");
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
    const pendingOnly = $<HTMLInputElement>('[data-testid="pending-only"]');
    pendingOnly.checked = true;
    pendingOnly.dispatchEvent(new Event("change"));
    expect(visible()).toEqual(["api", "web"]);
  });

  it("promotes the selected cells of one environment from its upstream", async () => {
    const asked: Record<string, unknown>[] = [];
    await mountWith({
      ...base,
      preview_promotion: (args) => {
        asked.push(args);
        return preview;
      },
    });
    $('td[data-app="web"][data-env="stage"]').click();
    $('td[data-app="api"][data-env="stage"]').click();
    // The first environment has no upstream: its cells cannot be selected.
    $('td[data-app="api"][data-env="dev"]').click();
    expect($('[data-testid="selection-bar"]').textContent).toContain("2 apps selected in stage: api, web");
    // Selecting in another environment starts a new selection.
    $('td[data-app="web"][data-env="prod"]').click();
    expect($('[data-testid="selection-bar"]').textContent).toContain("1 app selected in prod: web");
    $('td[data-app="web"][data-env="prod"]').click();
    $('td[data-app="api"][data-env="stage"]').click();
    $('[data-testid="preview-selection"]').click();
    await until("the composer", () => document.querySelector('[data-testid="changes"]') !== null);
    expect(asked).toEqual([{ source: "dev", target: "stage", apps: ["api"], sync: false }]);
  });

  it("moves between cells with the arrow keys and previews with Enter", async () => {
    const asked: Record<string, unknown>[] = [];
    await mountWith({ ...base, preview_promotion: (args) => (asked.push(args), preview) });
    const start = $('td[data-app="api"][data-env="dev"]');
    start.focus();
    start.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(document.activeElement).toBe($('td[data-app="api"][data-env="stage"]'));
    document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    expect(document.activeElement).toBe($('td[data-app="web"][data-env="stage"]'));
    document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await until("the composer", () => document.querySelector('[data-testid="changes"]') !== null);
    expect(asked).toEqual([{ source: "dev", target: "stage", apps: ["web"], sync: false }]);
  });

  it("offers to promote everything pending into an environment", async () => {
    const asked: Record<string, unknown>[] = [];
    await mountWith({ ...base, preview_promotion: (args) => (asked.push(args), preview) });
    expect(document.querySelector('[data-testid="promote-prod"]')).toBeNull();
    $('[data-testid="promote-stage"]').click();
    await until("the composer", () => document.querySelector('[data-testid="changes"]') !== null);
    expect(asked).toEqual([{ source: "dev", target: "stage", apps: [], sync: false }]);
  });
});
