// The status matrix: apps down, environments across in pipeline order.
// Only the rows in view are in the page (monorepos have thousands of apps),
// so the row height is fixed and the header stays put while rows scroll.
import { changeRef } from "./states";
import type { Cell } from "./bindings/Cell";
import type { CommitInfo } from "./bindings/CommitInfo";
import type { EnvironmentTip } from "./bindings/EnvironmentTip";
import type { Status } from "./bindings/Status";
import { el } from "./dom";
import { age, localTime } from "./time";

const short = (id: string): string => id.slice(0, 7);

/** Every row is this tall, so the rows in view follow from the scroll position. */
export const MATRIX_ROW = 62;
/** Rows drawn beyond the viewport on each side, so fast scrolls meet drawn rows. */
const OVERSCAN = 6;

/** Long digests and shas are shortened on screen; the title keeps the whole value. */
export function displayVersion(version: string): string {
  const digest = /^(sha256:)([0-9a-f]{12})[0-9a-f]{52}$/.exec(version);
  if (digest) return `${digest[1] ?? ""}${digest[2] ?? ""}…`;
  if (/^[0-9a-f]{40}$/.test(version)) return short(version);
  return version;
}

export function describe(commit: CommitInfo): string {
  const pr = commit.change === null ? "" : ` (${changeRef(commit.change)})`;
  return `${short(commit.id)} ${commit.subject}${pr}\n${commit.author} <${commit.email}>, ${localTime(commit.time, commit.offset)}`;
}

function header(env: EnvironmentTip, nowMs: number): HTMLTableCellElement {
  const where = env.path === "." ? env.branch : `${env.branch}:${env.path}`;
  return el(
    "th",
    { class: `env${env.side ? " side" : ""}`, attrs: { scope: "col", "data-env": env.name, title: describe(env.tip) } },
    el("div", { class: "env-name", text: env.name }),
    el("div", { class: "env-tip" }, el("span", { class: "mono", text: where }), el("span", { class: "mono dim", text: ` @ ${short(env.tip.id)}` })),
    el("div", { class: "env-subject", text: `${env.tip.subject} · ${age(env.tip.time, nowMs)}` }),
  );
}

/** One cell: the version, where it comes from, what waits, or why there is none.
 * `loading`: the commit that set it is still being found. */
export function cell(app: string, env: EnvironmentTip, value: Cell, nowMs: number, loading = false): HTMLTableCellElement {
  const attrs = { "data-app": app, "data-env": env.name, tabindex: "-1" };
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
      const dry = value.dry;
      // A rendered app's version is a dry commit: say what that commit is.
      const meta = dry
        ? `${dry.subject} · ${dry.author}`
        : since
          ? [since.change === null ? null : changeRef(since.change), age(since.time, nowMs), since.author].filter((s) => s !== null).join(" · ")
          : loading
            ? "…"
            : "origin not in the available history";
      const lines = [`${value.version} in ${value.file}${value.inherited ? ` (${env.name} inherits it from this base)` : ""}`];
      if (dry) lines.push(`dry commit: ${describe(dry)}`);
      if (since) lines.push(`set by ${describe(since)}`);
      if (value.pending) lines.push("differs from upstream: a promotion is pending");
      if (value.proposed) lines.push(`waiting on ${env.next_branch ?? "the next branch"}: ${value.proposed.version}${value.proposed.dry ? ` (${value.proposed.dry.subject})` : ""}`);
      return el(
        "td",
        {
          class: `cell${value.pending ? " pending" : ""}${value.inherited ? " inherited" : ""}`,
          attrs: { ...attrs, "data-state": value.pending ? "pending" : "current", title: lines.join("\n") },
        },
        el(
          "div",
          { class: "cell-version" },
          el("span", { class: "mono version", attrs: { "data-version": value.version }, text: displayVersion(value.version) }),
          value.pending ? el("span", { class: "badge pending-badge", text: "pending" }) : null,
          value.inherited ? el("span", { class: "badge base-badge", attrs: { "data-testid": "from-base" }, text: "from base" }) : null,
        ),
        el("div", { class: "cell-meta", text: meta }),
        value.proposed
          ? el(
              "div",
              { class: "cell-next", attrs: { "data-testid": "proposed" } },
              el("span", { class: "badge next-badge", text: "next" }),
              el("span", { class: "mono", text: ` ${displayVersion(value.proposed.version)} waiting` }),
            )
          : null,
      );
    }
  }
}

/** What the matrix asks of the screen it is on. */
export interface MatrixHandlers {
  /** Whether a cell is selected. */
  selected: (app: string, env: string) => boolean;
  /** A cell was clicked, or Space was pressed on it. */
  toggle: (app: string, env: string) => void;
  /** Enter was pressed on a cell. */
  enter: (app: string, env: string) => void;
  /** Whether the commits that set the versions are still being found. */
  originsPending?: () => boolean;
}

/** The matrix and the calls that change what it shows. */
export interface Matrix {
  node: HTMLElement;
  /** Lists these rows (indices into the status's apps), in this order. */
  show: (rows: number[]) => void;
  /** Draws the rows in view again (after the selection changed). */
  redraw: () => void;
}

const noHandlers: MatrixHandlers = { selected: () => false, toggle: () => undefined, enter: () => undefined };

export function renderMatrix(status: Status, nowMs: number = Date.now(), handlers: MatrixHandlers = noHandlers): Matrix {
  if (status.apps.length === 0) {
    const empty = el(
      "section",
      { class: "empty", attrs: { "data-testid": "empty" } },
      el("h2", { text: "No apps yet" }),
      el("p", { text: "The configuration lists environments but no apps. Pick them in the configuration editor (Configure tab), add them under apps: in .hoist.yaml, or run `hoist init` to have them detected." }),
    );
    return { node: empty, show: () => undefined, redraw: () => undefined };
  }
  const envs = status.environments;
  const head = el("tr", {}, el("th", { class: "corner", attrs: { scope: "col" }, text: "App" }), ...envs.map((env) => header(env, nowMs)));
  const body = el("tbody");
  // Fixed column widths: rows come and go as the matrix scrolls, and the
  // columns must neither jump nor be measured again for every new row.
  const columns = el("colgroup", {}, el("col", { class: "col-app" }), ...envs.map(() => el("col", { class: "col-env" })));
  const table = el("table", { class: "matrix", attrs: { "data-testid": "matrix", role: "grid", "aria-rowcount": String(status.apps.length + 1) } }, columns, el("thead", {}, head), body);
  const viewport = el("div", { class: "matrix-scroll", attrs: { "data-testid": "matrix-scroll" } }, table);
  let rows: number[] = status.apps.map((_, i) => i);
  let drawn = "";
  // Where keyboard focus is, in data terms: it survives rows leaving the page.
  let focus: { row: number; col: number } | null = null;

  const spacer = (height: number): HTMLTableRowElement => {
    const tr = el("tr", { class: "spacer", attrs: { "aria-hidden": "true" } });
    tr.style.height = `${String(height)}px`;
    return tr;
  };

  const draw = (force = false): void => {
    // jsdom and a hidden matrix have no height: draw a screenful.
    const height = viewport.clientHeight || 800;
    const top = Math.max(0, viewport.scrollTop - (head.offsetHeight || 0));
    const first = Math.max(0, Math.floor(top / MATRIX_ROW) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((top + height) / MATRIX_ROW) + OVERSCAN);
    const key = `${String(first)}:${String(last)}:${String(rows.length)}`;
    if (key === drawn && !force) return;
    drawn = key;
    const started = performance.now();
    const trs: HTMLTableRowElement[] = [];
    for (let i = first; i < last; i++) {
      const index = rows[i];
      const row = index === undefined ? undefined : status.apps[index];
      if (row === undefined) continue;
      const tr = el(
        "tr",
        { class: "mrow", attrs: { "data-row": row.name, "data-index": String(i), "aria-rowindex": String(i + 2) } },
        el("th", { class: "app", attrs: { scope: "row", title: row.name }, text: row.name }),
        ...row.cells.map((value, c) => {
          const env = envs[c];
          if (!env) return el("td");
          const td = cell(row.name, env, value, nowMs, handlers.originsPending?.() ?? false);
          const selected = handlers.selected(row.name, env.name);
          td.classList.toggle("selected", selected);
          td.setAttribute("aria-selected", String(selected));
          if (focus?.row === i && focus.col === c) td.tabIndex = 0;
          return td;
        }),
      );
      tr.style.height = `${String(MATRIX_ROW)}px`;
      trs.push(tr);
    }
    // Without a focused cell, the first drawn one takes Tab.
    if (focus === null) trs[0]?.querySelector<HTMLElement>("td[data-app]")?.setAttribute("tabindex", "0");
    body.replaceChildren(spacer(first * MATRIX_ROW), ...trs, spacer((rows.length - last) * MATRIX_ROW));
    // How long the last draw took, for the frame-time measurement of the end-to-end tests.
    viewport.dataset.drawMs = (performance.now() - started).toFixed(1);
  };

  /** Scrolls row `i` of the list into view, draws, and focuses its cell in column `col`. */
  const focusCell = (i: number, col: number): void => {
    if (i < 0 || i >= rows.length || col < 0 || col >= envs.length) return;
    focus = { row: i, col };
    const headHeight = head.offsetHeight || 0;
    const rowTop = i * MATRIX_ROW;
    const height = viewport.clientHeight;
    if (height > 0) {
      if (rowTop < viewport.scrollTop) viewport.scrollTop = rowTop;
      else if (rowTop + MATRIX_ROW + headHeight > viewport.scrollTop + height) viewport.scrollTop = rowTop + MATRIX_ROW + headHeight - height;
    }
    draw(true);
    const tr = body.querySelector(`tr[data-index="${String(i)}"]`);
    const td = tr?.querySelectorAll<HTMLElement>("td[data-app]")[col];
    td?.focus();
  };

  const at = (target: EventTarget | null): { td: HTMLElement; row: number; col: number } | null => {
    const td = (target as HTMLElement | null)?.closest<HTMLElement>("td[data-app]");
    const tr = td?.closest<HTMLElement>("tr[data-index]");
    if (!td || !tr) return null;
    const col = [...tr.querySelectorAll("td[data-app]")].indexOf(td);
    return { td, row: Number(tr.dataset.index), col };
  };

  table.addEventListener("click", (event) => {
    const hit = at(event.target);
    if (!hit) return;
    focus = { row: hit.row, col: hit.col };
    handlers.toggle(hit.td.dataset.app ?? "", hit.td.dataset.env ?? "");
  });
  table.addEventListener("keydown", (event) => {
    const hit = at(event.target);
    if (!hit) return;
    const move = (row: number, col: number): void => {
      event.preventDefault();
      focusCell(row, col);
    };
    switch (event.key) {
      case "ArrowRight":
        move(hit.row, hit.col + 1);
        break;
      case "ArrowLeft":
        move(hit.row, hit.col - 1);
        break;
      case "ArrowDown":
        move(hit.row + 1, hit.col);
        break;
      case "ArrowUp":
        move(hit.row - 1, hit.col);
        break;
      case "PageDown":
        move(Math.min(rows.length - 1, hit.row + 10), hit.col);
        break;
      case "PageUp":
        move(Math.max(0, hit.row - 10), hit.col);
        break;
      case " ":
        event.preventDefault();
        focus = { row: hit.row, col: hit.col };
        handlers.toggle(hit.td.dataset.app ?? "", hit.td.dataset.env ?? "");
        break;
      case "Enter":
        event.preventDefault();
        handlers.enter(hit.td.dataset.app ?? "", hit.td.dataset.env ?? "");
        break;
    }
  });
  viewport.addEventListener("scroll", () => requestAnimationFrame(() => { draw(); }));
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => { draw(); }).observe(viewport);
  draw();
  return {
    node: viewport,
    show: (next) => {
      rows = next;
      focus = null;
      viewport.scrollTop = 0;
      draw(true);
    },
    redraw: () => {
      // Keep focus where it was: the redrawn cell takes it back.
      const had = document.activeElement instanceof HTMLElement && viewport.contains(document.activeElement);
      draw(true);
      if (had && focus) {
        const tr = body.querySelector(`tr[data-index="${String(focus.row)}"]`);
        tr?.querySelectorAll<HTMLElement>("td[data-app]")[focus.col]?.focus();
      }
    },
  };
}
