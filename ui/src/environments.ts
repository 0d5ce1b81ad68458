// The Environments screen: the pipeline lanes, then the matrix with a
// filter and a selection that starts a promotion.
import { asFailure } from "./api";
import type { EnvironmentTip } from "./bindings/EnvironmentTip";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import type { Tracked } from "./bindings/Tracked";
import { el } from "./dom";
import { button } from "./failure";
import type { Screen, Shell } from "./main";
import { renderMatrix } from "./matrix";
import { age } from "./time";

export function environmentsView(shell: Shell, view: RepositoryStatus): Screen {
  const status = view.status;
  const pendingIn = (i: number): number =>
    status.apps.filter((a) => {
      const c = a.cells[i];
      return c?.state === "version" && c.pending;
    }).length;
  const lanes = el("section", { class: "lanes", attrs: { "data-testid": "lanes" } }, ...status.environments.map((env, i) => lane(env, pendingIn(i))));
  void decorateLanes(shell, status.environments, lanes);

  const filter = el("input", { class: "filter", attrs: { type: "search", placeholder: "Filter apps (/)", "aria-label": "Filter apps", "data-testid": "filter" } });
  const pendingOnly = el("input", { attrs: { type: "checkbox", "data-testid": "pending-only" } });
  const selectionBar = el("div", { class: "selection-bar", attrs: { "data-testid": "selection-bar" } });
  const matrix = renderMatrix(status);
  const selected = new Set<string>();
  let selectedEnv: string | null = null;

  const upstreamOf = (env: string): string | null => status.environments.find((e) => e.name === env)?.upstream ?? null;

  const refreshSelection = (): void => {
    for (const td of matrix.querySelectorAll<HTMLElement>("td[data-app]")) {
      td.classList.toggle("selected", td.dataset.env === selectedEnv && selected.has(td.dataset.app ?? ""));
      td.setAttribute("aria-selected", String(td.classList.contains("selected")));
    }
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

  const toggle = (td: HTMLElement): void => {
    const app = td.dataset.app ?? "";
    const env = td.dataset.env ?? "";
    if (td.dataset.state === undefined || td.dataset.state === "error" || upstreamOf(env) === null) return;
    if (selectedEnv !== env) {
      selected.clear();
      selectedEnv = env;
    }
    if (selected.has(app)) selected.delete(app);
    else selected.add(app);
    refreshSelection();
  };

  matrix.addEventListener("click", (event) => {
    const td = (event.target as HTMLElement).closest<HTMLElement>("td[data-app]");
    if (td) toggle(td);
  });
  matrix.addEventListener("keydown", (event) => {
    const td = (event.target as HTMLElement).closest<HTMLElement>("td[data-app]");
    if (!td) return;
    const row = td.parentElement as HTMLTableRowElement;
    const move = (next: Element | null | undefined): void => {
      if (next instanceof HTMLElement && next.matches("td[data-app]")) {
        event.preventDefault();
        next.focus();
      }
    };
    switch (event.key) {
      case "ArrowRight":
        move(td.nextElementSibling);
        break;
      case "ArrowLeft":
        move(td.previousElementSibling);
        break;
      case "ArrowDown":
      case "ArrowUp": {
        let next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
        while (next instanceof HTMLElement && next.hidden) next = event.key === "ArrowDown" ? next.nextElementSibling : next.previousElementSibling;
        move(next?.children[(td as HTMLTableCellElement).cellIndex]);
        break;
      }
      case " ":
        event.preventDefault();
        toggle(td);
        break;
      case "Enter": {
        event.preventDefault();
        const env = td.dataset.env ?? "";
        const upstream = upstreamOf(env);
        if (upstream === null) break;
        const apps = selectedEnv === env && selected.size > 0 ? [...selected].sort() : [td.dataset.app ?? ""];
        shell.compose({ kind: "promotion", source: upstream, target: env, apps });
        break;
      }
    }
  });

  const applyFilter = (): void => {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const tr of matrix.querySelectorAll<HTMLTableRowElement>("tbody tr")) {
      const name = (tr.dataset.row ?? "").toLowerCase();
      const pending = tr.querySelector("td.pending") !== null;
      tr.hidden = !words.every((w) => name.includes(w)) || (pendingOnly.checked && !pending);
      if (!tr.hidden) shown += 1;
    }
    count.textContent = `${String(shown)} of ${String(status.apps.length)} apps`;
  };
  const count = el("span", { class: "dim", attrs: { "data-testid": "app-count" } });
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

  for (const th of matrix.querySelectorAll<HTMLElement>("th.env")) {
    const env = th.dataset.env ?? "";
    const upstream = upstreamOf(env);
    if (upstream === null) continue;
    const pending = matrix.querySelectorAll(`td.pending[data-env="${env}"]`).length;
    if (pending === 0) continue;
    th.append(button(`Promote ${String(pending)} from ${upstream}`, () => { shell.compose({ kind: "promotion", source: upstream, target: env, apps: [] }); }, "plain", `promote-${env}`));
  }

  const toolbar = el("div", { class: "toolbar" }, filter, el("label", { class: "check" }, pendingOnly, el("span", { text: "pending only" })), count);
  applyFilter();
  refreshSelection();
  return {
    node: el("div", { class: "environments" }, lanes, toolbar, selectionBar, el("div", { class: "matrix-scroll" }, matrix), legend()),
    dispose: () => { document.removeEventListener("keydown", onSlash); },
  };
}

function lane(env: EnvironmentTip, pending: number): HTMLElement {
  const where = env.path === "." ? env.branch : `${env.branch}:${env.path}`;
  return el(
    "article",
    { class: "lane", attrs: { "data-lane": env.name } },
    el("header", { class: "lane-head" }, el("span", { class: "lane-name", text: env.name }), el("span", { class: "badge health-badge", attrs: { "data-health": "unknown" }, text: "…" })),
    el("div", { class: "mono dim", text: `${where} @ ${env.tip.id.slice(0, 7)}` }),
    el("div", { class: "lane-subject", attrs: { title: env.tip.subject }, text: `${env.tip.subject} · ${age(env.tip.time, Date.now())}` }),
    el("div", { class: "lane-meta" }, el("span", { text: env.upstream === null ? "first environment" : `from ${env.upstream}` }), pending > 0 ? el("span", { class: "badge pending-badge", text: `${String(pending)} pending` }) : null),
    el("ul", { class: "lane-prs", attrs: { "data-testid": `lane-prs-${env.name}` } }),
  );
}

/** Fills in what GitHub knows: each tip's reconcile status and the open promotion PRs. */
async function decorateLanes(shell: Shell, envs: EnvironmentTip[], lanes: HTMLElement): Promise<void> {
  let pulls: Tracked[];
  try {
    pulls = await shell.api.pullRequests();
  } catch (error) {
    const f = asFailure(error);
    for (const badge of lanes.querySelectorAll<HTMLElement>(".health-badge")) {
      badge.textContent = "GitHub unavailable";
      badge.title = f.message;
    }
    return;
  }
  await Promise.all(
    envs.map(async (env) => {
      const card = lanes.querySelector<HTMLElement>(`[data-lane="${env.name}"]`);
      if (!card) return;
      const list = card.querySelector(".lane-prs");
      for (const pr of pulls.filter((p) => p.marker.target === env.name)) {
        const apps = pr.marker.apps.map(([app, v]) => `${app} ${v}`).join(", ");
        list?.append(el("li", { attrs: { title: pr.title } }, el("span", { class: "mono", text: `#${String(pr.number)} ` }), el("span", { text: apps }), el("span", { class: `badge state-${pr.checks.state}`, text: pr.checks.state })));
      }
      const badge = card.querySelector<HTMLElement>(".health-badge");
      if (!badge) return;
      try {
        const checks = await shell.api.checks(env.tip.id);
        const state = checks.items.length === 0 ? "unknown" : checks.state;
        badge.dataset.health = state;
        badge.textContent = state === "success" ? "healthy" : state === "failure" ? "unhealthy" : state === "pending" ? "reconciling" : "no reports";
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
    el("span", { text: " the version differs from the upstream environment: a promotion is waiting. Hover a cell for the commit that set it." }),
  );
}
