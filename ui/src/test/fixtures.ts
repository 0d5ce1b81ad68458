// Shared test data in the shapes the Rust commands return, and a mount that
// answers IPC from a table of command handlers.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { Cell } from "../bindings/Cell";
import type { CommitInfo } from "../bindings/CommitInfo";
import type { EnvironmentTip } from "../bindings/EnvironmentTip";
import type { Preview } from "../bindings/Preview";
import type { RepositoryStatus } from "../bindings/RepositoryStatus";
import type { Tracked } from "../bindings/Tracked";
import type { VersionChange } from "../bindings/VersionChange";
import { mount } from "../main";

// jsdom has no CSS.escape; the window escapes names that build selectors with it.
if (typeof globalThis.CSS === "undefined") {
  Object.defineProperty(globalThis, "CSS", {
    value: { escape: (value: string) => value.replace(/[^\w-]/g, (c) => `\\${c}`) },
  });
}

// jsdom lays nothing out, so it has no scrolling; the window's calls to it are no-ops here.
Element.prototype.scrollIntoView = function scrollIntoView(): void {
  // nothing to scroll
};

/** A commit; `pr` is the number of the GitHub pull request it merged. */
export const commit = (subject: string, pr: number | null, id = "02ee3e1131778f398f9a631b422e5cdd7d72b187"): CommitInfo => ({
  id,
  author: "Erin Kowalski",
  email: "erin@acme.example",
  time: 1_760_000_000,
  offset: 3600,
  subject,
  change: pr === null ? null : { forge: "github", number: pr },
});

export const env = (name: string, upstream: string | null, depth = 0): EnvironmentTip => ({
  name,
  branch: `env/${name}`,
  path: ".",
  upstream,
  link: upstream === null ? "first" : "configured",
  depth,
  side: false,
  next_branch: null,
  tip: commit(`tip of ${name}`, null, `${name.padEnd(7, "0")}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`.slice(0, 40)),
});

/** A version cell with nothing inherited, rendered or waiting. */
export const version = (v: string, file: string, since: ReturnType<typeof commit> | null, pending: boolean): Cell => ({
  state: "version",
  version: v,
  file,
  inherited: false,
  since,
  pending,
  dry: null,
  proposed: null,
});

export const view: RepositoryStatus = {
  path: "/repos/gitops",
  config: ".hoist.yaml on main",
  shallow: false,
  demo: null,
  forge: "github",
  origins_pending: false,
  status: {
    environments: [env("dev", null, 0), env("stage", "dev", 1), env("prod", "stage", 2)],
    apps: [
      {
        name: "api",
        cells: [
          version("1.6.0", "apps/api/values.yaml", commit("Promote api to 1.6.0 (#41)", 41), false),
          version("1.5.0", "apps/api/values.yaml", commit("Promote api to 1.5.0 (#34)", 34), true),
          { state: "error", message: "apps/api/values.yaml does not exist on branch env/prod" },
        ],
      },
      {
        name: "web",
        cells: [
          version("2.1.0", "apps/web/values.yaml", null, false),
          version("2.0.0", "apps/web/values.yaml", null, true),
          version("2.0.0", "apps/web/values.yaml", null, false),
        ],
      },
      {
        name: "worker",
        cells: [
          version("sha256:0482c4aea1af397e54200017866d778ce32e1daac473f2cd09a9159d2e69b6ef", "k.yaml", null, false),
          { state: "absent" },
          { state: "absent" },
        ],
      },
    ],
  },
};

export const preview: Preview = {
  id: "plan-1",
  title: "Promote api to 1.6.0 in stage",
  branch: "hoist/stage/api-1.6.0",
  reason_required: false,
  plan: {
    kind: "promotion",
    source: "dev",
    source_commit: "d".repeat(40),
    target: "stage",
    target_branch: "env/stage",
    base: "b".repeat(40),
    apps: [{ app: "api", file: "apps/api/values.yaml", from: "1.5.0", to: "1.6.0", compare: "https://github.com/acme/api/compare/1.5.0...1.6.0", source: { forge: "github", host: "github.com", path: "acme/api", url: "https://github.com/acme/api", from_tag: "1.5.0", to_tag: "1.6.0", inferred: false }, edit: "value" }],
    files: [{ path: "apps/api/values.yaml" }],
    warnings: [{ kind: "drift", app: "api", commit: "c".repeat(40), message: "api's version in stage was edited directly by c0ffee1." }],
    blocked: false,
    changelog: [{ environment: "dev", app: "api", commit: commit("Bump api to 1.6.0", 40), from: "1.5.0", to: "1.6.0", kind: "direct_edit" }],
    dry_changes: [],
    head: null,
    train: null,
  },
  diffs: [
    {
      path: "apps/api/values.yaml",
      kind: { kind: "modified" },
      added: 1,
      removed: 1,
      hunks: [
        {
          old_start: 10,
          old_len: 3,
          new_start: 10,
          new_len: 3,
          lines: [
            { tag: "context", old_no: 10, new_no: 10, text: "image:", emphasis: [] },
            { tag: "removed", old_no: 11, new_no: null, text: '  tag: "1.5.0" # pinned', emphasis: [{ start: 8, end: 13 }] },
            { tag: "added", old_no: null, new_no: 11, text: '  tag: "1.6.0" # pinned', emphasis: [{ start: 8, end: 13 }] },
            { tag: "context", old_no: 12, new_no: 12, text: "  pullPolicy: IfNotPresent", emphasis: [] },
          ],
        },
      ],
    },
  ],
};

export const tracked: Tracked = {
  number: 7,
  title: "Promote api to 1.6.0 in stage",
  url: "http://127.0.0.1:4567/acme/gitops/pull/7",
  branch: "hoist/stage/api-1.6.0",
  head: "e".repeat(40),
  base: "env/stage",
  marker: { kind: "promotion", target: "stage", source: "dev", apps: [["api", "1.6.0"]], base: "b".repeat(40) },
  state: "open",
  mergeable: true,
  mergeability: "clean",
  review: "approved",
  checks: { sha: "e".repeat(40), state: "success", items: [{ name: "validate-manifests", state: "success", description: "manifests are valid", url: null }] },
  merge_commit: null,
  can_merge: true,
  merges_when_green: false,
  can_merge_when_green: false,
};

export const changes: VersionChange[] = [
  { environment: "prod", app: "api", commit: commit("Promote api to 1.4.2 (#30)", 30, "1".repeat(40)), from: "1.4.1", to: "1.4.2", kind: "promotion" },
  { environment: "prod", app: "web", commit: commit("Promote web to 2.0.0 (#29)", 29, "2".repeat(40)), from: "1.9.0", to: "2.0.0", kind: "promotion" },
  { environment: "prod", app: "api", commit: commit("Promote api to 1.4.1 (#20)", 20, "3".repeat(40)), from: "1.4.0", to: "1.4.1", kind: "promotion" },
];

export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

/** Mounts the window with `handlers` answering commands; unknown commands fail loudly. */
export async function mountWith(handlers: Handlers): Promise<HTMLElement> {
  mockIPC((cmd, args) => {
    // The background watch asks GitHub too; tests that care answer it themselves.
    const all: Handlers = { ready: () => null, demo_forge: () => null, pull_requests: () => [], trains: () => [], next_pulls: () => [], release_notes: () => [], cancel: () => true, checks: ({ sha }) => ({ sha, state: "success", items: [] }), notify: () => null, ...handlers };
    const handler = all[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler((args ?? {}) as Record<string, unknown>);
  });
  const root = document.createElement("div");
  document.body.append(root);
  unmounts.push(await mount(root));
  return root;
}

const unmounts: (() => void)[] = [];

export function reset(): void {
  for (const unmount of unmounts.splice(0)) unmount();
  clearMocks();
  document.body.innerHTML = "";
  localStorage.clear();
}

/** Lets pending promises and timers of zero delay run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function until(what: string, check: () => boolean): Promise<void> {
  // Quick turns first; then real time, for what waits on a timer (the editor's debounce).
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await (i < 100 ? settle() : new Promise((resolve) => setTimeout(resolve, 10)));
  }
  throw new Error(`timed out waiting for ${what}; the page shows: ${document.body.textContent}`);
}

// The type parameter only names what the caller knows the element to be.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`nothing matches ${selector}; the page shows: ${document.body.textContent}`);
  return found;
};
