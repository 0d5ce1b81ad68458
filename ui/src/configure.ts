// The configuration editor: the branches and directories Hoist saw and the
// versions it found, picked and ordered by hand, with the matrix of the
// configuration being written shown live; saved as .hoist.yaml in the clone
// or proposed as a pull request.
import { asFailure } from "./api";
import type { AppCandidate } from "./bindings/AppCandidate";
import type { ConfigDraft } from "./bindings/ConfigDraft";
import type { EnvironmentCandidate } from "./bindings/EnvironmentCandidate";
import type { EnvironmentDraft } from "./bindings/EnvironmentDraft";
import { el } from "./dom";
import { button, failureView } from "./failure";
import type { Screen, Shell } from "./shell";
import { renderMatrix } from "./matrix";

/** An environment row as the editor holds it. */
interface Row extends EnvironmentCandidate {
  /** The name the survey gave it, which apps refer to. */
  was: string;
}

/** How long typing may pause before the preview is drawn again. */
const SETTLE_MS = 250;

export function configureView(shell: Shell): Screen {
  const body = el("div", { class: "configure-body" }, el("p", { class: "loading", attrs: { role: "status" }, text: "Looking at the repository's branches and files…" }));
  const node = el(
    "section",
    { class: "configure", attrs: { "data-testid": "configure" } },
    el(
      "header",
      { class: "section-head" },
      el("h2", { text: "Configuration editor" }),
      el("span", { class: "dim", text: `Pick the environments and apps, check the matrix, then save it as .hoist.yaml or propose it as a ${shell.words().change}.` }),
    ),
    body,
  );
  let disposed = false;
  void shell.api.survey().then(
    (survey) => {
      if (disposed) return;
      const rows: Row[] = survey.environments.map((e) => ({ ...e, was: e.name }));
      editor(shell, body, rows, survey.apps, survey.problem, () => disposed);
    },
    (error: unknown) => {
      if (!disposed) body.replaceChildren(failureView(asFailure(error), "Hoist cannot look at this repository", [{ label: "Repository", run: () => { shell.go("settings"); } }]));
    },
  );
  return { node, dispose: () => { disposed = true; } };
}

function editor(shell: Shell, body: HTMLElement, rows: Row[], firstApps: AppCandidate[], problem: string | null, gone: () => boolean): void {
  let apps = firstApps;
  const chosenApps = new Set(apps.map((a) => a.id));
  const envList = el("ol", { class: "env-list", attrs: { "data-testid": "env-list" } });
  const appList = el("ul", { class: "app-list", attrs: { "data-testid": "app-list" } });
  const preview = el("div", { class: "draft-preview", attrs: { "data-testid": "draft-preview" } });
  const yaml = el("pre", { class: "proposed mono", attrs: { "data-testid": "draft-yaml" } });
  const result = el("div", { attrs: { "data-testid": "draft-result" } });
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const draft = (): ConfigDraft => ({
    environments: rows.filter((r) => r.chosen).map(toDraft),
    apps: apps.filter((a) => chosenApps.has(a.id)).map((a) => a.id),
  });

  const update = (): void => {
    const mine = ++generation;
    void shell.api.draftStatus(draft()).then(
      (view) => {
        if (mine !== generation || gone()) return;
        preview.replaceChildren(renderMatrix(view.status).node);
        yaml.textContent = view.yaml;
      },
      (error: unknown) => {
        if (mine !== generation || gone()) return;
        preview.replaceChildren(failureView(asFailure(error), "This configuration cannot be used yet"));
      },
    );
  };
  const changed = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(update, SETTLE_MS);
  };

  let dragged: number | null = null;
  const move = (from: number, to: number): void => {
    if (to < 0 || to >= rows.length || from === to) return;
    const [row] = rows.splice(from, 1);
    if (row) rows.splice(to, 0, row);
    drawEnvironments();
    changed();
  };

  const drawEnvironments = (): void => {
    const chosenNames = rows.filter((r) => r.chosen).map((r) => r.name);
    envList.replaceChildren(
      ...rows.map((row, i) => {
        const chosen = el("input", { attrs: { type: "checkbox", "aria-label": `Use ${row.name} as an environment`, "data-testid": `env-chosen-${row.was}` } });
        chosen.checked = row.chosen;
        chosen.addEventListener("change", () => {
          row.chosen = chosen.checked;
          drawEnvironments();
          changed();
        });
        const name = el("input", { class: "env-name-input", attrs: { type: "text", value: row.name, "aria-label": "Environment name", "data-testid": `env-name-${row.was}` } });
        name.addEventListener("change", () => {
          const renamed = name.value.trim();
          for (const other of rows) if (other.upstream === row.name) other.upstream = renamed;
          row.name = renamed;
          drawEnvironments();
          changed();
        });
        const upstream = el("select", { attrs: { "aria-label": `Where ${row.name} takes its versions from`, "data-testid": `env-upstream-${row.was}` } });
        upstream.append(el("option", { attrs: { value: "" }, text: "the one above" }));
        for (const other of chosenNames.filter((n) => n !== row.name)) {
          const option = el("option", { attrs: { value: other }, text: other });
          option.selected = row.upstream === other;
          upstream.append(option);
        }
        upstream.disabled = !row.chosen;
        upstream.addEventListener("change", () => {
          row.upstream = upstream.value === "" ? null : upstream.value;
          row.link = "configured";
          drawEnvironments();
          changed();
        });
        const side = el("input", { attrs: { type: "checkbox", "aria-label": `${row.name} is a side environment`, "data-testid": `env-side-${row.was}` } });
        side.checked = row.side;
        side.disabled = !row.chosen;
        side.addEventListener("change", () => {
          row.side = side.checked;
          changed();
        });
        const item = el(
          "li",
          { class: `env-row${row.chosen ? "" : " unchosen"}`, attrs: { draggable: "true", "data-env-row": row.was, title: row.reason } },
          el("span", { class: "grip", attrs: { "aria-hidden": "true" }, text: "⋮⋮" }),
          chosen,
          el(
            "div",
            { class: "env-main" },
            name,
            el("span", { class: "mono dim where", text: row.path === "." ? row.branch : `${row.branch}:${row.path}` }),
            row.chosen && row.link === "guessed" ? el("span", { class: "badge guess-badge", text: "guessed" }) : null,
          ),
          el(
            "div",
            { class: "env-controls" },
            el("label", { class: "from" }, el("span", { class: "dim", text: "from " }), upstream),
            el("label", { class: "check" }, side, el("span", { text: "side" })),
            button("↑", () => { move(i, i - 1); }, "plain", `env-up-${row.was}`),
            button("↓", () => { move(i, i + 1); }, "plain", `env-down-${row.was}`),
          ),
        );
        item.addEventListener("dragstart", (event) => {
          dragged = i;
          event.dataTransfer?.setData("text/plain", row.was);
        });
        item.addEventListener("dragover", (event) => { event.preventDefault(); });
        item.addEventListener("drop", (event) => {
          event.preventDefault();
          if (dragged !== null) move(dragged, i);
          dragged = null;
        });
        return item;
      }),
    );
  };

  const drawApps = (): void => {
    if (apps.length === 0) {
      appList.replaceChildren(el("li", { class: "dim", attrs: { "data-testid": "no-apps" }, text: "No versions found in the chosen environments yet. Choose environments above, then look for apps." }));
      return;
    }
    appList.replaceChildren(
      ...apps.map((app) => {
        const box = el("input", { attrs: { type: "checkbox", "aria-label": `Use app ${app.name}`, "data-testid": `app-chosen-${app.name}` } });
        box.checked = chosenApps.has(app.id);
        box.addEventListener("change", () => {
          if (box.checked) chosenApps.add(app.id);
          else chosenApps.delete(app.id);
          changed();
        });
        return el(
          "li",
          { class: "app-row", attrs: { title: app.reason, "data-app-row": app.name } },
          el("label", { class: "check" }, box, el("strong", { text: app.name })),
          el("div", { class: "mono dim", text: `${app.file}  ${app.locator}` }),
          app.base === null ? null : el("div", { class: "mono dim", text: `inherits from ${app.base} where an environment sets none` }),
          el("div", { class: "dim app-reason", text: app.reason }),
        );
      }),
    );
  };

  const rescan = async (): Promise<void> => {
    rescanButton.disabled = true;
    try {
      apps = await shell.api.rescan(rows.filter((r) => r.chosen).map(toDraft));
      chosenApps.clear();
      for (const a of apps) chosenApps.add(a.id);
      drawApps();
      changed();
    } catch (error) {
      appList.replaceChildren(el("li", {}, failureView(asFailure(error), "Hoist could not look for apps")));
    } finally {
      rescanButton.disabled = false;
    }
  };
  const rescanButton = button("Look for apps in these environments", () => void rescan(), "plain", "rescan");

  const save = async (): Promise<void> => {
    result.replaceChildren(el("p", { class: "dim", attrs: { role: "status" }, text: "Saving…" }));
    try {
      const path = await shell.api.saveConfig(draft());
      result.replaceChildren(el("p", { attrs: { "data-testid": "saved" }, text: `Saved to ${path}. Hoist reads it from there now; commit it to the default branch so everyone's Hoist does.` }));
      await shell.reload();
    } catch (error) {
      result.replaceChildren(failureView(asFailure(error), "Not saved"));
    }
  };
  const propose = async (): Promise<void> => {
    result.replaceChildren(el("p", { class: "dim", attrs: { role: "status" }, text: `Opening the ${shell.words().change}…` }));
    try {
      const opened = await shell.api.proposeDraft(draft());
      result.replaceChildren(
        el("p", {}, el("strong", { text: `${opened.outcome === "created" ? "Opened" : "Already open:"} ${shell.words().change} ${shell.words().sigil}${String(opened.number)} ` }), button("Open in browser", () => void shell.api.openUrl(opened.url))),
      );
    } catch (error) {
      result.replaceChildren(failureView(asFailure(error), `The ${shell.words().change} could not be opened`));
    }
  };

  body.replaceChildren(
    ...(problem === null ? [] : [el("p", { class: "configure-problem", attrs: { "data-testid": "survey-problem" }, text: `Hoist found no environments by itself: ${problem}. Tick the branches or directories below that are environments.` })]),
    el(
      "div",
      { class: "configure-grid" },
      el(
        "div",
        { class: "configure-left" },
        el("h3", { text: "Environments" }),
        el("p", { class: "dim", text: "Tick the environments, drag them (or use ↑ ↓) into pipeline order, and choose where each takes its versions from. A side environment feeds nothing." }),
        envList,
        el("div", { class: "actions" }, rescanButton),
        el("h3", { text: "Apps" }),
        appList,
      ),
      el(
        "div",
        { class: "configure-right" },
        el("h3", { text: "Matrix with this configuration" }),
        preview,
        el("h3", { text: ".hoist.yaml" }),
        yaml,
        el(
          "div",
          { class: "actions" },
          button("Save to the working tree", () => void save(), "primary", "save-config"),
          button(`Propose as a ${shell.words().change}`, () => void propose(), "plain", "propose-draft"),
          button("Copy", () => void navigator.clipboard.writeText(yaml.textContent), "plain", "copy-draft"),
        ),
        result,
      ),
    ),
  );
  drawEnvironments();
  drawApps();
  update();
}

function toDraft(row: Row): EnvironmentDraft {
  return {
    name: row.name,
    branch: row.branch,
    path: row.path,
    upstream: row.upstream,
    next_branch: row.next_branch,
    side: row.side,
    was: row.was === row.name ? null : row.was,
  };
}
