// The Environments screen: lanes, filter, and selecting cells to promote.
import { afterEach, describe, expect, it } from "vitest";
import { $, env, mountWith, preview, reset, tracked, until, view } from "./test/fixtures";

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

  it("says once, quietly, when GitHub cannot be reached, instead of a badge on every lane", async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await mountWith({ ...base, pull_requests: () => Promise.reject({ message: "no GitHub token for github.com", advice: null, code: "sign_in" }) });
    await until("the note", () => !$('[data-testid="offline-note"]').hidden);
    expect($('[data-testid="offline-note"]').textContent).toContain("Health and pull requests are not shown");
    expect($('[data-testid="offline-note"]').textContent).toContain("no GitHub token");
    for (const badge of document.querySelectorAll<HTMLElement>(".health-badge")) expect(badge.hidden).toBe(true);
    expect(document.querySelectorAll('[role="alert"]')).toHaveLength(0);
  });

  it("draws the pipeline as a graph: columns by depth, siblings stacked, guessed links dashed", async () => {
    const fanned = {
      ...view,
      status: {
        environments: [
          { ...env("dev", null, 0) },
          { ...env("stage", "dev", 1), link: "guessed" as const },
          { ...env("prod-eu", "stage", 2), link: "guessed" as const },
          { ...env("prod-us", "stage", 2), link: "guessed" as const },
          { ...env("load", "stage", 2), link: "guessed" as const, side: true },
        ],
        apps: [],
      },
    };
    await mountWith({ ...base, status: () => fanned, survey: () => ({ environments: [], apps: [], problem: null, left_out: [] }), draft_status: () => Promise.reject(new Error("no draft")) });
    $('[data-view="environments"]').click();
    await until("the graph", () => document.querySelector('[data-lane="prod-us"]') !== null);
    const at = (name: string): [string, string] => {
      const lane = $(`[data-lane="${name}"]`);
      return [lane.style.left, lane.style.top];
    };
    // prod-eu and prod-us are fed by stage: one column further, stacked.
    expect(at("dev")).toEqual(["0px", "0px"]);
    expect(at("stage")[0]).toBe("192px");
    expect(at("prod-eu")).toEqual(["384px", "0px"]);
    expect(at("prod-us")).toEqual(["384px", "78px"]);
    expect(at("load")).toEqual(["384px", "156px"]);
    expect($('[data-lane="load"]').classList.contains("side")).toBe(true);
    const edges = [...document.querySelectorAll("path.edge")].map((p) => [p.getAttribute("data-edge"), p.getAttribute("class")]);
    expect(edges).toEqual([
      ["dev->stage", "edge guessed"],
      ["stage->prod-eu", "edge guessed"],
      ["stage->prod-us", "edge guessed"],
      ["stage->load", "edge guessed side"],
    ]);
    expect($('[data-lane="stage"]').textContent).toContain("from dev · guessed");
    expect($('[data-testid="guessed-note"]').textContent).toContain("guessed from the environments' names");
  });

  it("filters apps by name and by pending", async () => {
    await mountWith(base);
    const filter = $<HTMLInputElement>('[data-testid="filter"]');
    filter.value = "wor";
    filter.dispatchEvent(new Event("input"));
    const visible = (): string[] => [...document.querySelectorAll<HTMLTableRowElement>("tbody tr.mrow")].map((tr) => tr.dataset.row ?? "");
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
    expect(asked).toEqual([{ source: "dev", target: "stage", apps: ["api"], sync: false, base: false }]);
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
    expect(asked).toEqual([{ source: "dev", target: "stage", apps: ["web"], sync: false, base: false }]);
  });

  it("offers to promote everything pending into an environment", async () => {
    const asked: Record<string, unknown>[] = [];
    await mountWith({ ...base, preview_promotion: (args) => (asked.push(args), preview) });
    expect(document.querySelector('[data-testid="promote-prod"]')).toBeNull();
    $('[data-testid="promote-stage"]').click();
    await until("the composer", () => document.querySelector('[data-testid="changes"]') !== null);
    expect(asked).toEqual([{ source: "dev", target: "stage", apps: [], sync: false, base: false }]);
  });
});
