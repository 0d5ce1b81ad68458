// The configuration editor and the window's way out when a repository
// cannot be shown: pick environments and apps, see the matrix, save.
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigDraft } from "./bindings/ConfigDraft";
import type { Survey } from "./bindings/Survey";
import { $, env, mountWith, reset, settle, until, version, view } from "./test/fixtures";

afterEach(reset);

/** Nothing detected: three directories whose names say nothing. */
const survey: Survey = {
  environments: ["alpha", "beta", "gamma"].map((name) => ({
    name,
    branch: "main",
    path: `deployments/${name}`,
    upstream: null,
    next_branch: null,
    side: false,
    chosen: false,
    link: "first",
    reason: `directory deployments/${name}/ on main`,
  })),
  apps: [],
  problem: "found no environments in /repos/gitops: no branch such as env/dev",
  left_out: [],
};

const found = [
  { id: 0, name: "api", file: "kustomization.yaml", locator: "{kustomize: {image: ghcr.io/acme/api}}", base: null, environments: null, reason: "api: kustomize image ghcr.io/acme/api (newTag) in kustomization.yaml; reads 1.0.0 in alpha" },
  { id: 1, name: "web", file: "kustomization.yaml", locator: "{kustomize: {image: ghcr.io/acme/web}}", base: "base/web.yaml {container: web}", environments: null, reason: "web: …" },
];

const noEnvironments = () =>
  // Tauri rejects a failed command with the serialised `Failure`, a plain object.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  Promise.reject({ message: "found no environments in /repos/gitops", advice: "Open the configuration editor", code: "configure" });

describe("configuration editor", () => {
  it("opens by itself when nothing can be shown, and the Repository screen stays reachable", async () => {
    const drafts: ConfigDraft[] = [];
    await mountWith({
      status: noEnvironments,
      here: () => ({ path: "/repos/gitops", demo: null }),
      survey: () => survey,
      draft_status: (args) => {
        drafts.push(args.draft as ConfigDraft);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject({ message: "the draft: \"environments\" is empty", advice: null, code: null });
      },
      recent_repositories: () => [],
      account: () => ({ forge: "github", host: "github.com", token_source: null, login: null, scopes: null, problem: null }),
      proposed_config: () => null,
    });
    await until("the editor", () => document.querySelector('[data-testid="env-list"]') !== null);
    expect($('[data-testid="survey-problem"]').textContent).toContain("found no environments");
    expect($('[data-testid="env-list"]').textContent).toContain("deployments/alpha");
    // Every tab still works.
    $('[data-view="settings"]').click();
    await until("the repository screen", () => document.querySelector('[data-testid="open-card"]') !== null);
    expect($('[data-testid="open-card"]').textContent).toContain("/repos/gitops");
    $('[data-view="environments"]').click();
    expect($('[data-testid="failure"]').textContent).toContain("found no environments");
    expect([...document.querySelectorAll('[data-testid="failure"] button')].map((b) => b.textContent)).toEqual([
      "Try again",
      "Open the configuration editor",
      "Open another repository",
    ]);
  });

  it("picks environments and apps by hand, shows their matrix live, and saves it", async () => {
    const drafts: ConfigDraft[] = [];
    const saved: ConfigDraft[] = [];
    let rescanned: unknown = null;
    await mountWith({
      status: noEnvironments,
      here: () => ({ path: "/repos/gitops", demo: null }),
      survey: () => survey,
      rescan: (args) => {
        rescanned = args.environments;
        return found;
      },
      draft_status: (args) => {
        const draft = args.draft as ConfigDraft;
        drafts.push(draft);
        return {
          status: {
            environments: draft.environments.map((e, i) => env(e.name, i === 0 ? null : (draft.environments[i - 1]?.name ?? null), i)),
            apps: draft.apps.map((id) => ({ name: found[id]?.name ?? "?", cells: draft.environments.map(() => version("1.0.0", "kustomization.yaml", null, false)) })),
          },
          yaml: `environments: ${draft.environments.map((e) => e.name).join(", ")}`,
        };
      },
      save_config: (args) => {
        saved.push(args.draft as ConfigDraft);
        return "/repos/gitops/.hoist.yaml";
      },
    });
    await until("the editor", () => document.querySelector('[data-testid="env-list"]') !== null);
    for (const name of ["alpha", "beta", "gamma"]) {
      const box = $<HTMLInputElement>(`[data-testid="env-chosen-${name}"]`);
      box.checked = true;
      box.dispatchEvent(new Event("change"));
    }
    // gamma goes first, then back down: order by the buttons (or dragging).
    $('[data-testid="env-up-gamma"]').click();
    $('[data-testid="env-down-gamma"]').click();
    $('[data-testid="rescan"]').click();
    await until("the apps", () => document.querySelector('[data-testid="app-chosen-web"]') !== null);
    expect(rescanned).toEqual(["alpha", "beta", "gamma"].map((name) => ({ name, branch: "main", path: `deployments/${name}`, upstream: null, next_branch: null, side: false, was: null })));
    expect($('[data-app-row="web"]').textContent).toContain("inherits from base/web.yaml");
    const web = $<HTMLInputElement>('[data-testid="app-chosen-web"]');
    web.checked = false;
    web.dispatchEvent(new Event("change"));
    // Renaming keeps what apps refer to.
    const gamma = $<HTMLInputElement>('[data-testid="env-name-gamma"]');
    gamma.value = "prod";
    gamma.dispatchEvent(new Event("change"));
    await until("the live matrix", () => $('[data-testid="draft-yaml"]').textContent === "environments: alpha, beta, prod");
    const last = drafts.at(-1);
    expect(last?.apps).toEqual([0]);
    expect(last?.environments.map((e) => [e.name, e.was])).toEqual([["alpha", null], ["beta", null], ["prod", "gamma"]]);
    expect($('[data-testid="draft-preview"] [data-testid="matrix"]').textContent).toContain("api");
    $('[data-testid="save-config"]').click();
    await until("saved", () => document.querySelector('[data-testid="saved"]') !== null);
    expect($('[data-testid="saved"]').textContent).toContain("/repos/gitops/.hoist.yaml");
    expect(saved).toHaveLength(1);
    await settle();
  });

  it("is reachable from the Repository screen when the repository reads fine", async () => {
    await mountWith({
      status: () => view,
      survey: () => ({ ...survey, problem: null }),
      draft_status: () => ({ status: view.status, yaml: "environments: []" }),
      recent_repositories: () => [],
      account: () => ({ forge: "github", host: "github.com", token_source: null, login: null, scopes: null, problem: null }),
      proposed_config: () => null,
    });
    $('[data-view="settings"]').click();
    await until("the config card", () => document.querySelector('[data-testid="open-editor"]') !== null);
    $('[data-testid="open-editor"]').click();
    await until("the editor", () => document.querySelector('[data-testid="env-list"]') !== null);
    expect(document.querySelector('[data-testid="survey-problem"]')).toBeNull();
  });
});
