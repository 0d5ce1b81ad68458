// The pipeline as a graph: one column per depth (how many promotions from
// the first environment), fan-out siblings stacked in their column, an edge
// from each environment to those it feeds. Guessed links are dashed and say
// so; side environments (load, demo) have a dashed frame.
import type { EnvironmentTip } from "./bindings/EnvironmentTip";
import { el } from "./dom";
import { age } from "./time";

/** A node's size and the gaps between them, in pixels. */
const NODE_W = 172;
const NODE_H = 70;
const GAP_X = 20;
const GAP_Y = 8;

const SVG = "http://www.w3.org/2000/svg";

/** Where each environment's node sits. */
export interface Placement {
  name: string;
  column: number;
  row: number;
}

/** Columns by depth; within a column, the order the environments come in. */
export function place(envs: EnvironmentTip[]): Placement[] {
  const rows = new Map<number, number>();
  return envs.map((env) => {
    const column = env.depth;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    return { name: env.name, column, row };
  });
}

export function pipelineGraph(envs: EnvironmentTip[], pendingIn: (i: number) => number, nowMs: number = Date.now()): HTMLElement {
  const placed = place(envs);
  const columns = Math.max(1, ...placed.map((p) => p.column + 1));
  const height = Math.max(1, ...placed.map((p) => p.row + 1));
  const width = columns * NODE_W + (columns - 1) * GAP_X;
  const tall = height * NODE_H + (height - 1) * GAP_Y;
  const at = new Map(placed.map((p) => [p.name, { x: p.column * (NODE_W + GAP_X), y: p.row * (NODE_H + GAP_Y) }]));

  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "edges");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(tall));
  svg.setAttribute("aria-hidden", "true");
  for (const env of envs) {
    const from = env.upstream === null ? undefined : at.get(env.upstream);
    const to = at.get(env.name);
    if (!from || !to) continue;
    const [x1, y1, x2, y2] = [from.x + NODE_W, from.y + NODE_H / 2, to.x, to.y + NODE_H / 2];
    const mid = (x1 + x2) / 2;
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", `M ${String(x1)} ${String(y1)} C ${String(mid)} ${String(y1)}, ${String(mid)} ${String(y2)}, ${String(x2 - 4)} ${String(y2)}`);
    path.setAttribute("class", `edge${env.link === "guessed" ? " guessed" : ""}${env.side ? " side" : ""}`);
    path.setAttribute("data-edge", `${env.upstream ?? ""}->${env.name}`);
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${env.upstream ?? ""} → ${env.name}${env.link === "guessed" ? " (guessed from the names)" : ""}`;
    path.append(title);
    svg.append(path);
  }

  const nodes = envs.map((env, i) => {
    const spot = at.get(env.name) ?? { x: 0, y: 0 };
    const node = lane(env, pendingIn(i), nowMs);
    node.style.left = `${String(spot.x)}px`;
    node.style.top = `${String(spot.y)}px`;
    node.style.width = `${String(NODE_W)}px`;
    node.style.height = `${String(NODE_H)}px`;
    return node;
  });
  const canvas = el("div", { class: "pipeline-canvas" }, svg as unknown as HTMLElement, ...nodes);
  canvas.style.width = `${String(width)}px`;
  canvas.style.height = `${String(tall)}px`;
  const guessed = envs.some((e) => e.link === "guessed");
  return el(
    "section",
    { class: "pipeline", attrs: { "data-testid": "lanes", "aria-label": "Pipeline" } },
    el("div", { class: "pipeline-scroll" }, canvas),
    guessed
      ? el("p", { class: "pipeline-note dim", attrs: { "data-testid": "guessed-note" }, text: "Dashed links are guessed from the environments' names; write the order in .hoist.yaml (Configure tab) to make it certain." })
      : null,
  );
}

/** One environment: where it comes from, what is pending, its branch and
 * tip, and (filled in later) its health and pull requests. Four short lines. */
function lane(env: EnvironmentTip, pending: number, nowMs: number): HTMLElement {
  const where = env.path === "." ? env.branch : `${env.branch}:${env.path}`;
  const from = env.upstream === null ? "first" : `from ${env.upstream}${env.link === "guessed" ? " · guessed" : ""}`;
  const next = env.next_branch === null ? "" : `\nA hydrator renders its next state on ${env.next_branch}; promoting merges it.`;
  return el(
    "article",
    {
      class: `lane${env.side ? " side" : ""}`,
      attrs: { "data-lane": env.name, title: `${env.name}: ${where} @ ${env.tip.id.slice(0, 7)}, ${age(env.tip.time, nowMs)} ago\n${env.tip.subject}${next}` },
    },
    el(
      "header",
      { class: "lane-head" },
      el("span", { class: "lane-name", text: env.name }),
      env.side ? el("span", { class: "badge side-badge", text: "side" }) : null,
      el("span", { class: "badge health-badge", attrs: { "data-health": "unknown" }, text: "…" }),
    ),
    el(
      "div",
      { class: "lane-meta" },
      el("span", { class: `lane-from${env.link === "guessed" ? " guessed" : ""}`, text: from }),
      pending > 0 ? el("span", { class: "lane-pending", text: `${String(pending)} pending` }) : null,
    ),
    el("div", { class: "mono dim lane-where", text: `${where} @ ${env.tip.id.slice(0, 7)}` }),
    el("ul", { class: "lane-prs", attrs: { "data-testid": `lane-prs-${env.name}` } }),
  );
}
