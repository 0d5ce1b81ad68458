// The status matrix: apps down, environments across in pipeline order.
import type { Cell } from "./bindings/Cell";
import type { CommitInfo } from "./bindings/CommitInfo";
import type { EnvironmentTip } from "./bindings/EnvironmentTip";
import type { Status } from "./bindings/Status";
import { el } from "./dom";
import { age, localTime } from "./time";

const short = (id: string): string => id.slice(0, 7);

/** Long digests and shas are shortened on screen; the title keeps the whole value. */
export function displayVersion(version: string): string {
  const digest = /^(sha256:)([0-9a-f]{12})[0-9a-f]{52}$/.exec(version);
  if (digest) return `${digest[1] ?? ""}${digest[2] ?? ""}…`;
  if (/^[0-9a-f]{40}$/.test(version)) return short(version);
  return version;
}

function describe(commit: CommitInfo): string {
  const pr = commit.pr === null ? "" : ` (PR #${String(commit.pr)})`;
  return `${short(commit.id)} ${commit.subject}${pr}\n${commit.author} <${commit.email}>, ${localTime(commit.time, commit.offset)}`;
}

function header(env: EnvironmentTip, nowMs: number): HTMLTableCellElement {
  const where = env.path === "." ? env.branch : `${env.branch}:${env.path}`;
  return el(
    "th",
    { class: "env", attrs: { scope: "col", "data-env": env.name, title: describe(env.tip) } },
    el("div", { class: "env-name", text: env.name }),
    el("div", { class: "env-tip" }, el("span", { class: "mono", text: where }), el("span", { class: "mono dim", text: ` @ ${short(env.tip.id)}` })),
    el("div", { class: "env-subject", text: `${env.tip.subject} · ${age(env.tip.time, nowMs)}` }),
  );
}

function cell(app: string, env: EnvironmentTip, value: Cell, nowMs: number): HTMLTableCellElement {
  const attrs = { "data-app": app, "data-env": env.name, tabindex: "0" };
  switch (value.state) {
    case "absent":
      return el("td", { class: "cell absent", attrs: { ...attrs, title: `${app} is not deployed to ${env.name}` } }, el("span", { text: "—" }));
    case "error":
      return el(
        "td",
        { class: "cell error", attrs: { ...attrs, "data-state": "error", title: value.message } },
        el("span", { class: "badge error-badge", text: "error" }),
        el("div", { class: "cell-meta error-text", text: value.message }),
      );
    case "version": {
      const since = value.since;
      const meta = since
        ? [since.pr === null ? null : `#${String(since.pr)}`, age(since.time, nowMs), since.author].filter((s) => s !== null).join(" · ")
        : "origin not in the available history";
      const title = `${value.version} in ${value.file}${since ? `\nset by ${describe(since)}` : ""}${value.pending ? "\ndiffers from upstream: a promotion is pending" : ""}`;
      return el(
        "td",
        { class: `cell${value.pending ? " pending" : ""}`, attrs: { ...attrs, "data-state": value.pending ? "pending" : "current", title } },
        el(
          "div",
          { class: "cell-version" },
          el("span", { class: "mono version", attrs: { "data-version": value.version }, text: displayVersion(value.version) }),
          value.pending ? el("span", { class: "badge pending-badge", text: "pending" }) : null,
        ),
        el("div", { class: "cell-meta", text: meta }),
      );
    }
  }
}

export function renderMatrix(status: Status, nowMs: number = Date.now()): HTMLElement {
  if (status.apps.length === 0) {
    return el(
      "section",
      { class: "empty", attrs: { "data-testid": "empty" } },
      el("h2", { text: "No apps yet" }),
      el("p", { text: "The configuration lists environments but no apps. Add them under apps: in .hoist.yaml, or run `hoist init` to have them detected." }),
    );
  }
  const head = el("tr", {}, el("th", { class: "corner", attrs: { scope: "col" }, text: "App" }), ...status.environments.map((env) => header(env, nowMs)));
  const rows = status.apps.map((row) =>
    el(
      "tr",
      { attrs: { "data-row": row.name } },
      el("th", { class: "app", attrs: { scope: "row" }, text: row.name }),
      ...row.cells.map((value, i) => {
        const env = status.environments[i];
        return env ? cell(row.name, env, value, nowMs) : el("td");
      }),
    ),
  );
  return el("table", { class: "matrix", attrs: { "data-testid": "matrix" } }, el("thead", {}, head), el("tbody", {}, ...rows));
}
