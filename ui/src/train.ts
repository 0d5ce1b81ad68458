// Release trains: the composer (environments, apps, one change request or one
// per app, the dry run, opening with progress per change request) and the
// tracker's card for a train. The train's plans stay in Rust under the dry
// run's id; opening it again after a failure opens only what is missing.
import { asFailure } from "./api";
import type { Car } from "./bindings/Car";
import type { Opened } from "./bindings/Opened";
import type { Skip } from "./bindings/Skip";
import type { Step } from "./bindings/Step";
import type { TrainCard } from "./bindings/TrainCard";
import type { TrainPreview } from "./bindings/TrainPreview";
import type { TrainProgress } from "./bindings/TrainProgress";
import type { TrainPulls } from "./bindings/TrainPulls";
import type { Tracked } from "./bindings/Tracked";
import { el } from "./dom";
import { button, failureView } from "./failure";
import { displayVersion } from "./matrix";
import type { Shell } from "./shell";
import { capital, type ForgeWords } from "./states";

/** Why an app stays, in a few words; total over the generated `Skip`. */
export const skipWords: Record<Skip, string> = {
  already_there: "already there",
  locked: "locked",
  frozen: "frozen",
  downgrade: "downgrade",
  not_in_target: "not in the target",
  source_missing: "no version in the source",
};

function stepWords(step: Step, words: ForgeWords): string {
  switch (step.step) {
    case "checking_target":
      return "checking the target";
    case "writing_files":
      return `uploading files ${String(step.done)}/${String(step.total)}`;
    case "writing_commit":
      return "writing the commit";
    case "pushing_branch":
      return "pushing the branch";
    case "opening_pull_request":
      return `opening the ${words.change}`;
    case "finishing":
      return "adding labels and reviewers";
  }
}

/** The default step: the last environment with an upstream, from that upstream. */
function defaultStep(shell: Shell): { source: string; target: string } {
  const envs = shell.status()?.status.environments ?? [];
  const target = [...envs].reverse().find((e) => e.upstream !== null);
  return { source: target?.upstream ?? envs[0]?.name ?? "", target: target?.name ?? envs[1]?.name ?? "" };
}

function select(label: string, options: string[], value: string, testid: string, onChange: (v: string) => void): HTMLElement {
  const s = el("select", { attrs: { "data-testid": testid, "aria-label": label } });
  for (const o of options) s.append(el("option", { attrs: { value: o }, text: o }));
  s.value = value;
  s.addEventListener("change", () => { onChange(s.value); });
  return el("label", { class: "field" }, el("span", { text: `${label} ` }), s);
}

/** The dry run's table: per app, what moves (old → new) or why it stays. */
export function dryRunTable(preview: TrainPreview): HTMLElement {
  const t = preview.train;
  const row = (car: Car): HTMLElement =>
    el(
      "tr",
      { class: car.skip === null ? "moves" : "skipped", attrs: { "data-app": car.app, "data-skip": car.skip ?? "" } },
      el("td", { class: "mono", text: car.app }),
      el("td", { class: "mono", text: car.from === null ? "–" : displayVersion(car.from) }),
      el("td", { class: "mono", text: car.skip === null ? "→" : "" }),
      el("td", { class: "mono", text: car.to === null ? "–" : displayVersion(car.to) }),
      el(
        "td",
        {},
        car.skip === null
          ? el("span", { class: "badge state-success", text: "moves" })
          : el("span", { class: "badge", text: `skipped: ${skipWords[car.skip]}` }),
        car.why === null ? null : el("span", { class: "dim", text: ` ${car.why}` }),
      ),
    );
  return el(
    "table",
    { class: "train-table", attrs: { "data-testid": "train-table" } },
    el("thead", {}, el("tr", {}, el("th", { text: "App" }), el("th", { text: t.target }), el("th", { text: "" }), el("th", { text: t.source }), el("th", { text: "" }))),
    el("tbody", {}, ...t.cars.map(row)),
  );
}

/** The train composer, shown in place of the tracker's list until `back`. */
export function trainComposer(shell: Shell, back: () => void): HTMLElement {
  const envs = (shell.status()?.status.environments ?? []).map((e) => e.name);
  const apps = (shell.status()?.status.apps ?? []).map((a) => a.name);
  const words = shell.words();
  let { source, target } = defaultStep(shell);
  let pulls: TrainPulls | null = null;
  const chosen = new Set(apps);
  const result = el("div", { class: "train-result", attrs: { "data-testid": "train-result" } });

  const grouping = el("div", { class: "segmented", attrs: { role: "group", "aria-label": "Change requests" } });
  const groupButtons: [HTMLButtonElement, TrainPulls][] = [];
  for (const [label, value] of [
    [`One ${words.short} for the train`, "one"],
    [`One ${words.short} per app`, "per_app"],
  ] as const) {
    const b = el("button", { class: "seg", attrs: { type: "button", "data-testid": `train-${value}`, "aria-pressed": "false" }, text: label });
    b.addEventListener("click", () => { pulls = value; void dryRun(); });
    grouping.append(b);
    groupButtons.push([b, value]);
  }
  const appBoxes = el(
    "fieldset",
    { class: "train-apps", attrs: { "data-testid": "train-apps" } },
    el("legend", { text: "Apps" }),
    ...apps.map((app) => {
      const box = el("input", { attrs: { type: "checkbox", value: app } });
      box.checked = true;
      box.addEventListener("change", () => {
        if (box.checked) chosen.add(app);
        else chosen.delete(app);
        void dryRun();
      });
      return el("label", { class: "check" }, box, el("span", { text: ` ${app}` }));
    }),
  );
  const node = el(
    "section",
    { class: "train-composer", attrs: { "data-testid": "train-composer" } },
    el("header", { class: "composer-head" }, button("← Back", back, "plain", "back"), el("h2", { text: "Release train" })),
    el(
      "div",
      { class: "train-form" },
      select("From", envs, source, "train-from", (v) => { source = v; void dryRun(); }),
      select("To", envs, target, "train-to", (v) => { target = v; void dryRun(); }),
      grouping,
    ),
    appBoxes,
    result,
  );

  // Each change asks again; only the latest question's answer is shown, so a
  // slow earlier dry run never replaces a newer one.
  let asking = 0;
  const dryRun = async (): Promise<void> => {
    const mine = ++asking;
    result.replaceChildren(el("p", { class: "dim", attrs: { role: "status" }, text: "Planning the train…" }));
    // Every app ticked means "all": the train then also takes apps added later.
    const asked = chosen.size === apps.length ? [] : apps.filter((a) => chosen.has(a));
    if (chosen.size === 0) {
      result.replaceChildren(el("p", { class: "dim", text: "Tick the apps the train takes." }));
      return;
    }
    try {
      const preview = await shell.api.previewTrain(source, target, asked, pulls);
      if (mine !== asking) return;
      for (const [b, value] of groupButtons) b.setAttribute("aria-pressed", String(value === preview.train.pulls));
      showPreview(preview);
    } catch (error) {
      if (mine !== asking) return;
      result.replaceChildren(failureView(asFailure(error), "Hoist cannot plan this train"));
    }
  };

  const showPreview = (preview: TrainPreview): void => {
    const moving = preview.train.cars.filter((c) => c.skip === null).length;
    const summary = el("p", { attrs: { "data-testid": "train-summary" }, text: `${String(moving)} move, ${String(preview.train.cars.length - moving)} skipped · train ${preview.train.id}` });
    const count = preview.pulls.length;
    const noun = count === 1 ? words.change : words.changes;
    const list = el(
      "ol",
      { class: "train-pulls", attrs: { "data-testid": "train-pulls" } },
      ...preview.pulls.map((p, i) =>
        el(
          "li",
          { attrs: { "data-pull": String(i) } },
          el("strong", { text: p.title }),
          el("span", { class: "dim mono", text: ` ${p.branch}` }),
          el("span", { class: "train-step dim", attrs: { "data-testid": `train-step-${String(i)}` }, text: "" }),
          ...p.warnings.map((w) => el("p", { class: "warning", text: w })),
        ),
      ),
    );
    const outcome = el("div", { attrs: { "data-testid": "train-outcome" } });
    const open = button(`Open ${String(count)} ${noun}`, () => void doOpen(), "primary", "train-open");
    open.disabled = count === 0;
    const doOpen = async (): Promise<void> => {
      open.disabled = true;
      outcome.replaceChildren(button("Stop", () => void shell.api.cancel("train"), "plain", "train-stop"));
      const stepOf = (i: number): HTMLElement | null => list.querySelector(`[data-testid="train-step-${String(i)}"]`);
      const onProgress = (p: TrainProgress): void => {
        const where = stepOf(p.pull);
        if (!where) return;
        if (p.kind === "step") where.textContent = ` — ${stepWords(p.step, words)}…`;
        else where.replaceChildren(opened(p.opened));
      };
      const opened = (o: Opened): HTMLElement => {
        const link = el("a", { attrs: { href: o.url, "data-testid": "train-opened" }, text: `${words.sigil}${String(o.number)}` });
        link.addEventListener("click", (e) => { e.preventDefault(); void shell.api.openUrl(o.url); });
        const verb = o.outcome === "created" ? "opened" : o.outcome === "updated" ? "updated" : "already open";
        return el("span", { class: "state-success" }, el("span", { text: ` — ${verb} ` }), link);
      };
      try {
        const all = await shell.api.openTrain(preview.id, false, onProgress);
        outcome.replaceChildren(el("p", { attrs: { role: "status", "data-testid": "train-done" }, text: `${capital(String(all.length))} ${all.length === 1 ? words.change : words.changes} open into ${preview.train.target}. Follow them in ${capital(words.changes)}.` }), button(`Show ${words.changes}`, back, "plain"));
      } catch (error) {
        open.disabled = false;
        open.textContent = "Open what is missing";
        outcome.replaceChildren(failureView(asFailure(error), `The train stopped; opening it again opens only what is missing`));
      }
    };
    const pullsPart = count === 0 ? [el("p", { class: "dim", text: "Nothing to open: every app stays." })] : [el("h3", { text: `${capital(noun)} to open` }), list];
    result.replaceChildren(summary, dryRunTable(preview), ...pullsPart, el("div", { class: "actions" }, open), outcome);
  };
  void dryRun();
  return node;
}

function pullState(t: Tracked): string {
  if (t.state === "merged") return "merged";
  if (t.state === "closed") return "closed";
  return `checks ${t.checks.state}`;
}

/** A train in the tracker: its change requests and the merged / pending / failed counts. */
export function trainCard(shell: Shell, train: TrainCard, openCard: (pr: Tracked) => HTMLElement): HTMLElement {
  const words = shell.words();
  const rows = train.pulls.map((t) =>
    el(
      "li",
      { attrs: { "data-pr": String(t.number), "data-state": t.state } },
      el("span", { class: "mono", text: `${words.sigil}${String(t.number)} ` }),
      el("span", { text: t.marker.apps.map(([app, v]) => `${app} ${displayVersion(v)}`).join(", ") }),
      el("span", { class: `badge state-${t.state === "merged" ? "success" : t.state === "closed" ? "failure" : t.checks.state}`, text: pullState(t) }),
    ),
  );
  const open = train.pulls.filter((t) => t.state === "open");
  const details = open.length === 0 ? null : el("details", {}, el("summary", { text: `Review and merge (${String(open.length)} open)` }), ...open.map(openCard));
  return el(
    "article",
    { class: "pull train-card", attrs: { "data-testid": `train-${train.id}`, "data-train": train.id } },
    el("header", { class: "pull-head" }, el("strong", { text: `Release train ${train.source} → ${train.target}` }), el("span", { class: "dim mono", text: ` ${train.id}` })),
    el(
      "div",
      { class: "pull-state", attrs: { "data-testid": "train-counts" } },
      el("span", { class: "badge state-success", text: `${String(train.merged)} merged` }),
      el("span", { class: "badge state-pending", text: `${String(train.pending)} pending` }),
      el("span", { class: `badge ${train.failed > 0 ? "state-failure" : ""}`, text: `${String(train.failed)} failed` }),
      el("span", { class: "dim", text: ` of ${String(train.pulls.length)} ${train.pulls.length === 1 ? words.change : words.changes}` }),
    ),
    el("ul", { class: "train-pull-list" }, ...rows),
    details,
  );
}
