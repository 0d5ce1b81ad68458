// History: an environment's timeline of version changes, and the releases
// view that draws each version's path across environments with its lead
// time. Any two points can be compared; any point can be rolled back to.
import { changeRef } from "./states";
import { asFailure } from "./api";
import type { Release } from "./bindings/Release";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import type { VersionChange } from "./bindings/VersionChange";
import { el } from "./dom";
import { button, failureView } from "./failure";
import type { Screen, Shell } from "./shell";
import { displayVersion } from "./matrix";
import { notesBody, notesHead } from "./notes";
import { age, localTime } from "./time";
import { virtualList } from "./virtual";

/** A point picked for comparison: an environment at a commit. */
interface Pick {
  environment: string;
  commit: string;
  label: string;
}

export function historyView(shell: Shell, view: RepositoryStatus): Screen {
  const envs = view.status.environments.map((e) => e.name);
  const envSelect = el("select", { attrs: { "aria-label": "Environment", "data-testid": "history-env" } }, el("option", { attrs: { value: "" }, text: "All environments (releases)" }), ...envs.map((e) => el("option", { attrs: { value: e }, text: e })));
  const appSelect = el("select", { attrs: { "aria-label": "App", "data-testid": "history-app" } }, el("option", { attrs: { value: "" }, text: "All apps" }), ...view.status.apps.map((a) => el("option", { attrs: { value: a.name }, text: a.name })));
  envSelect.value = envs[envs.length - 1] ?? "";
  const picks: Pick[] = [];
  const pickBar = el("div", { class: "selection-bar", attrs: { "data-testid": "pick-bar" } });
  const body = el("div", { class: "history-body" });
  // The release notes of the change last selected, above the timeline.
  const detail = el("div", { class: "changelog release-notes change-notes", attrs: { "data-testid": "change-notes", hidden: "" } });
  let shown = 0;
  const showNotes = async (c: VersionChange, from: string): Promise<void> => {
    const mine = ++shown;
    detail.hidden = false;
    const close = button("Close", () => { shown++; detail.hidden = true; detail.replaceChildren(); }, "plain", "close-notes");
    const head = el("div", { class: "notes-head" }, el("h3", { text: `Release notes: ${c.app} ${displayVersion(from)} → ${displayVersion(c.to)} in ${c.environment}` }), close);
    detail.replaceChildren(head, el("p", { class: "dim", attrs: { role: "status" }, text: "Reading the notes…" }));
    try {
      const read = await shell.api.changeNotes(c.environment, c.app, c.commit.id, from, c.to);
      if (mine !== shown) return;
      detail.replaceChildren(
        head,
        ...(read === null
          ? [el("p", { class: "dim", attrs: { "data-testid": "no-source" }, text: `${c.app} names no source repository: set its source in .hoist.yaml to see what its versions bring.` })]
          : [notesHead(shell, read.app, read.source), ...notesBody(shell, read, null)]),
      );
      detail.dataset.state = read === null ? "none" : read.outcome.state;
    } catch (error) {
      if (mine !== shown) return;
      detail.replaceChildren(head, el("p", { class: "dim notes-unavailable", text: `Notes unavailable: ${asFailure(error).message}` }));
    }
  };

  const drawPicks = (): void => {
    const [a, b] = picks;
    if (!a) {
      pickBar.replaceChildren(el("span", { class: "dim", text: "Pick two points (any environments) to see how they differ, or roll an environment back to any point." }));
      return;
    }
    pickBar.replaceChildren(
      el("span", { text: b ? `Compare ${a.label} with ${b.label}` : `Picked ${a.label}; pick one more to compare.` }),
      ...(b ? [button("Show the difference", () => { shell.compose({ kind: "compare", from: `${a.environment}@${a.commit}`, to: `${b.environment}@${b.commit}`, apps: selectedApps() }); }, "primary", "compare-picks")] : []),
      button("Clear", () => {
        picks.length = 0;
        drawPicks();
      }),
    );
  };
  const selectedApps = (): string[] => (appSelect.value ? [appSelect.value] : []);
  const pick = (p: Pick): void => {
    if (picks.length === 2) picks.shift();
    picks.push(p);
    drawPicks();
  };

  // Each load is numbered: an answer to an earlier one (another environment
  // or app, read more slowly) must not replace the newer one's.
  let loads = 0;
  const load = async (): Promise<void> => {
    const mine = ++loads;
    if (mine > 1) void shell.api.cancel("history");
    const reading = el("span", { text: "Reading the history…" });
    const stop = button("Stop", () => void shell.api.cancel("history"), "plain", "stop-history");
    body.replaceChildren(el("div", { class: "loading", attrs: { role: "status", "data-testid": "history-progress" } }, reading, envSelect.value === "" ? null : stop));
    try {
      if (envSelect.value === "") {
        const releases = await shell.api.releases(selectedApps());
        if (mine !== loads) return;
        body.replaceChildren(releasesView(releases, envs));
      } else {
        const env = envSelect.value;
        const read = await shell.api.history(env, selectedApps(), (n) => (reading.textContent = `Reading the history… ${n.toLocaleString("en")} changes so far`));
        if (mine !== loads) return;
        const note = read.complete ? null : el("p", { class: "warning", attrs: { "data-testid": "history-partial" }, text: `Stopped: the ${String(read.changes.length)} newest changes are shown; the history goes further back.` });
        body.replaceChildren(...[note, timeline(shell, env, read.changes, pick, (c, from) => void showNotes(c, from))].filter((x): x is HTMLElement => x !== null));
      }
    } catch (error) {
      if (mine !== loads) return;
      body.replaceChildren(failureView(asFailure(error), "Hoist cannot read the history", [{ label: "Try again", run: () => void load() }]));
    }
  };
  envSelect.addEventListener("change", () => void load());
  appSelect.addEventListener("change", () => void load());
  drawPicks();
  void load();
  return {
    node: el("section", { class: "history" }, el("header", { class: "section-head" }, el("h2", { text: "History" }), envSelect, appSelect), pickBar, detail, body),
  };
}

const kindLabel = { initial: "initial", rollback: "rollback", promotion: "promotion", direct_edit: "direct edit" } as const;

function timeline(shell: Shell, env: string, changes: VersionChange[], pick: (p: Pick) => void, notes: (c: VersionChange, from: string) => void): HTMLElement {
  if (changes.length === 0) {
    return el("div", { class: "empty", attrs: { "data-testid": "no-history" } }, el("h2", { text: "No version changes" }), el("p", { text: `Nothing in ${env}'s history changed these apps' versions.` }));
  }
  const now = Date.now();
  // Newest first: an app's first change in the list is what runs now.
  const seen = new Set<string>();
  const current = new Set<number>();
  changes.forEach((c, i) => {
    if (!seen.has(c.app)) current.add(i);
    seen.add(c.app);
  });
  const row = (c: VersionChange, i: number): HTMLElement => {
    const isTip = current.has(i);
    return el(
      "div",
      { class: "change", attrs: { "data-commit": c.commit.id, "data-app": c.app, "data-kind": c.kind } },
      el("span", { class: `badge kind-${c.kind}`, text: kindLabel[c.kind] }),
      el(
        "div",
        { class: "change-main" },
        el("div", {}, el("strong", { text: c.app }), el("span", { class: "mono", text: ` ${c.from === null ? "" : `${displayVersion(c.from)} → `}${displayVersion(c.to)}` })),
        el("div", { class: "dim change-meta", attrs: { title: `${c.commit.id}\n${localTime(c.commit.time, c.commit.offset)}` }, text: `${c.commit.id.slice(0, 7)} ${c.commit.subject} · ${c.commit.author} · ${age(c.commit.time, now)}${c.commit.change === null ? "" : ` · ${changeRef(c.commit.change)}`}` }),
      ),
      el(
        "div",
        { class: "change-actions" },
        c.from === null || c.kind === "initial" || c.kind === "rollback" ? null : button("Notes", () => { notes(c, c.from ?? ""); }, "plain", "change-notes-button"),
        button("Pick", () => { pick({ environment: env, commit: c.commit.id, label: `${env}@${c.commit.id.slice(0, 7)}` }); }, "plain", "pick"),
        isTip ? el("span", { class: "dim", text: "current" }) : button("Roll back to here", () => { shell.compose({ kind: "rollback", environment: env, to: c.commit.id, apps: [c.app] }); }, "plain", "rollback-here"),
      ),
    );
  };
  return el("div", {}, el("p", { class: "dim", attrs: { "data-testid": "history-count" }, text: `${String(changes.length)} version change${changes.length === 1 ? "" : "s"} in ${env}, newest first` }), virtualList(changes, row, "timeline"));
}

function duration(seconds: number): string {
  const h = seconds / 3600;
  if (h < 1) return `${String(Math.max(1, Math.round(seconds / 60)))} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} d`;
}

function releasesView(releases: Release[], envs: string[]): HTMLElement {
  if (releases.length === 0) return el("div", { class: "empty" }, el("h2", { text: "No releases" }), el("p", { text: "No version of these apps appears in any environment's history." }));
  const now = Date.now();
  const row = (r: Release): HTMLElement =>
    el(
      "div",
      { class: "release", attrs: { "data-app": r.app, "data-version": r.version } },
      el("div", { class: "release-name" }, el("strong", { text: r.app }), el("span", { class: "mono", text: ` ${displayVersion(r.version)}` })),
      el(
        "div",
        { class: "path", attrs: { style: `grid-template-columns: repeat(${String(envs.length)}, 1fr)` } },
        ...r.arrivals.map((a, i) =>
          el(
            "div",
            { class: `stop ${a ? "reached" : "missing"}`, attrs: { title: a ? `${envs[i] ?? ""}: ${a.commit.id.slice(0, 7)} ${a.commit.subject}\n${localTime(a.commit.time, a.commit.offset)}` : `not in ${envs[i] ?? ""}` } },
            el("span", { class: "dot" }),
            el("span", { class: "stop-label", text: a ? age(a.commit.time, now) : "—" }),
          ),
        ),
      ),
      el("div", { class: "lead", attrs: { "data-testid": "lead-time" }, text: r.lead_time === null ? "" : `lead ${duration(r.lead_time)}` }),
    );
  return el(
    "div",
    {},
    el("div", { class: "release header" }, el("div", { class: "release-name dim", text: "Version" }), el("div", { class: "path", attrs: { style: `grid-template-columns: repeat(${String(envs.length)}, 1fr)` } }, ...envs.map((e) => el("div", { class: "dim", text: e }))), el("div", { class: "lead dim", text: "Lead time" })),
    virtualList(releases, row, "releases"),
  );
}
