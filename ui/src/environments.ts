// The Environments screen: the pipeline as a graph, then the matrix with a
// filter and a selection that starts a promotion.
import { asFailure } from "./api";
import type { EnvironmentTip } from "./bindings/EnvironmentTip";
import type { NextPull } from "./bindings/NextPull";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import type { Tracked } from "./bindings/Tracked";
import { el } from "./dom";
import { button } from "./failure";
import type { Screen, Shell } from "./shell";
import { renderMatrix } from "./matrix";
import { pipelineGraph } from "./pipeline";
import { health } from "./states";

export function environmentsView(shell: Shell, view: RepositoryStatus): Screen {
  const status = view.status;
  const pendingIn = (i: number): number =>
    status.apps.filter((a) => {
      const c = a.cells[i];
      return c?.state === "version" && c.pending;
    }).length;
  const graph = pipelineGraph(status.environments, pendingIn);
  const note = el("p", { class: "offline-note dim", attrs: { "data-testid": "offline-note", role: "status" } });
  note.hidden = true;
  void decorateLanes(shell, status.environments, graph, note);

  const filter = el("input", { class: "filter", attrs: { type: "search", placeholder: "Filter apps (/)", "aria-label": "Filter apps", "data-testid": "filter" } });
  const pendingOnly = el("input", { attrs: { type: "checkbox", "data-testid": "pending-only" } });
  const selectionBar = el("div", { class: "selection-bar", attrs: { "data-testid": "selection-bar" } });
  const selected = new Set<string>();
  let selectedEnv: string | null = null;
  const upstreamOf = (env: string): string | null => status.environments.find((e) => e.name === env)?.upstream ?? null;
  const column = (env: string): number => status.environments.findIndex((e) => e.name === env);
  const selectable = (app: string, env: string): boolean => {
    const state = status.apps.find((a) => a.name === app)?.cells[column(env)]?.state;
    return state !== undefined && state !== "absent" && state !== "error" && upstreamOf(env) !== null;
  };

  const refreshSelection = (): void => {
    matrix.redraw();
    const upstream = selectedEnv === null ? null : upstreamOf(selectedEnv);
    if (selected.size === 0 || selectedEnv === null || upstream === null) {
      selectionBar.replaceChildren(el("span", { class: "dim", text: "Select cells of one environment (click, or Space) to promote those apps from its upstream; Enter previews." }));
      return;
    }
    const target = selectedEnv;
    const apps = [...selected].sort();
    selectionBar.replaceChildren(
      el("span", { text: `${String(apps.length)} app${apps.length === 1 ? "" : "s"} selected in ${target}: ${apps.join(", ")}` }),
      button(`Preview promotion ${upstream} → ${target}`, () => { shell.compose({ kind: "promotion", source: upstream, target, apps }); }, "primary", "preview-selection"),
      button("Clear", () => {
        selected.clear();
        refreshSelection();
      }),
    );
  };

  const matrix = renderMatrix(status, Date.now(), {
    originsPending: () => view.origins_pending,
    selected: (app, env) => env === selectedEnv && selected.has(app),
    toggle: (app, env) => {
      if (!selectable(app, env)) return;
      if (selectedEnv !== env) {
        selected.clear();
        selectedEnv = env;
      }
      if (selected.has(app)) selected.delete(app);
      else selected.add(app);
      refreshSelection();
    },
    enter: (app, env) => {
      const upstream = upstreamOf(env);
      if (upstream === null) return;
      const apps = selectedEnv === env && selected.size > 0 ? [...selected].sort() : [app];
      shell.compose({ kind: "promotion", source: upstream, target: env, apps });
    },
  });

  const count = el("span", { class: "dim", attrs: { "data-testid": "app-count" } });
  const applyFilter = (): void => {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const rows: number[] = [];
    status.apps.forEach((row, i) => {
      const name = row.name.toLowerCase();
      const pending = row.cells.some((c) => c.state === "version" && c.pending);
      if (words.every((w) => name.includes(w)) && (!pendingOnly.checked || pending)) rows.push(i);
    });
    matrix.show(rows);
    count.textContent = `${String(rows.length)} of ${String(status.apps.length)} apps`;
  };
  filter.addEventListener("input", applyFilter);
  pendingOnly.addEventListener("change", applyFilter);
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      filter.value = "";
      applyFilter();
      filter.blur();
    }
  });
  const onSlash = (event: KeyboardEvent): void => {
    if (event.key === "/" && !(event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement)) {
      event.preventDefault();
      filter.focus();
    }
  };
  document.addEventListener("keydown", onSlash);
  const unfollow = shell.onOrigins(() => { matrix.redraw(); });

  status.environments.forEach((env, i) => {
    const upstream = env.upstream;
    const pending = pendingIn(i);
    if (upstream === null || pending === 0) return;
    const th = matrix.node.querySelector<HTMLElement>(`th.env[data-env="${CSS.escape(env.name)}"]`);
    th?.append(button(`Promote ${String(pending)} from ${upstream}`, () => { shell.compose({ kind: "promotion", source: upstream, target: env.name, apps: [] }); }, "plain", `promote-${env.name}`));
  });

  const toolbar = el("div", { class: "toolbar" }, filter, el("label", { class: "check" }, pendingOnly, el("span", { text: "pending only" })), count);
  applyFilter();
  refreshSelection();
  return {
    node: el("div", { class: "environments" }, note, graph, toolbar, selectionBar, matrix.node, legend()),
    dispose: () => {
      document.removeEventListener("keydown", onSlash);
      unfollow();
    },
  };
}

/** Fills in what the forge knows: each tip's reconcile status and the open
 * promotion change requests. Without the forge the lanes say nothing, and
 * one note says why. */
async function decorateLanes(shell: Shell, envs: EnvironmentTip[], lanes: HTMLElement, note: HTMLElement): Promise<void> {
  let pulls: Tracked[];
  let next: NextPull[];
  try {
    [pulls, next] = await Promise.all([shell.api.pullRequests(), shell.api.nextPulls()]);
  } catch (error) {
    const f = asFailure(error);
    note.hidden = false;
    note.textContent = `Health and ${shell.words().changes} are not shown: ${f.message}`;
    for (const badge of lanes.querySelectorAll<HTMLElement>(".health-badge")) badge.hidden = true;
    return;
  }
  await Promise.all(
    envs.map(async (env) => {
      const card = lanes.querySelector<HTMLElement>(`[data-lane="${CSS.escape(env.name)}"]`);
      if (!card) return;
      const list = card.querySelector(".lane-prs");
      for (const pr of next.filter((p) => p.environment === env.name)) {
        list?.append(el("li", { attrs: { title: pr.title } }, el("span", { class: "mono", text: `${shell.words().sigil}${String(pr.number)} ` }), el("span", { text: `merges ${env.next_branch ?? "next"}` })));
      }
      for (const pr of pulls.filter((p) => p.marker.target === env.name)) {
        const apps = pr.marker.apps.map(([app, v]) => `${app} ${v}`).join(", ");
        list?.append(el("li", { attrs: { title: pr.title } }, el("span", { class: "mono", text: `${shell.words().sigil}${String(pr.number)} ` }), el("span", { text: apps }), el("span", { class: `badge state-${pr.checks.state}`, text: pr.checks.state })));
      }
      const badge = card.querySelector<HTMLElement>(".health-badge");
      if (!badge) return;
      try {
        const checks = await shell.api.checks(env.tip.id);
        const reported = checks.items.length > 0;
        badge.dataset.health = reported ? checks.state : "unknown";
        badge.textContent = reported ? health[checks.state] : "no reports";
        badge.title = checks.items.map((c) => `${c.name}: ${c.state}${c.description ? ` — ${c.description}` : ""}`).join("\n") || "Nothing has reported on this commit.";
      } catch (error) {
        badge.textContent = "unknown";
        badge.title = asFailure(error).message;
      }
    }),
  );
}

function legend(): HTMLElement {
  return el(
    "p",
    { class: "legend" },
    el("span", { class: "badge pending-badge", text: "pending" }),
    el("span", { text: " differs from the upstream environment: a promotion is waiting. " }),
    el("span", { class: "badge base-badge", text: "from base" }),
    el("span", { text: " the environment does not set it; it runs its base's. " }),
    el("span", { class: "badge next-badge", text: "next" }),
    el("span", { text: " a hydrator has rendered another version on the environment's next branch. Hover a cell for the commit that set it." }),
  );
}
