// The PR tracker: Hoist's open pull requests with checks, reviews and
// mergeability, a merge button where GitHub allows it, and the environment's
// reconcile status after the merge. Refreshes in the background.
import { asFailure } from "./api";
import type { Checks } from "./bindings/Checks";
import type { Tracked } from "./bindings/Tracked";
import { el } from "./dom";
import { button, failureView } from "./failure";
import type { Screen, Shell } from "./shell";
import { displayVersion } from "./matrix";
import { capital, health, mergeability, settled } from "./states";
import { trainCard, trainComposer } from "./train";

/** How often the list refreshes itself while shown; polls are conditional and free. */
export const REFRESH_MS = 15_000;

const review = {
  approved: "approved",
  changes_requested: "changes requested",
  review_required: "review required",
  none: "no review",
} as const;

export function pullsView(shell: Shell): Screen {
  const list = el("div", { class: "pulls", attrs: { "data-testid": "pulls" } });
  const stamp = el("span", { class: "dim", attrs: { "data-testid": "pulls-stamp" } });
  const refresh = button("Refresh", () => void load(), "plain", "pulls-refresh");
  const tracker = el("div", {}, el("header", { class: "section-head" }, el("h2", { text: capital(shell.words().changes) }), stamp, refresh, button("Release train…", () => { compose(); }, "plain", "new-train")), list);
  const node = el("section", {}, tracker);
  // The train composer takes the tracker's place until it goes back.
  const compose = (): void => {
    node.replaceChildren(trainComposer(shell, () => { node.replaceChildren(tracker); void load(); }));
  };
  // Merges in flight keep their card while the list refreshes around them.
  const merging = new Map<number, HTMLElement>();
  let busy = false;

  const load = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    refresh.disabled = true;
    try {
      const [pulls, trains] = await Promise.all([shell.api.pullRequests(), shell.api.trains()]);
      // A train's change requests show in its card, not on their own.
      const single = pulls.filter((p) => !p.marker.train && !merging.has(p.number));
      const cards = single.map((p) => card(shell, p, merging, () => void load()));
      const trainCards = trains.map((t) => trainCard(shell, t, (p) => merging.get(p.number) ?? card(shell, p, merging, () => void load())));
      const mergingSingles = [...merging.entries()].filter(([n]) => !trains.some((t) => t.pulls.some((p) => p.number === n))).map(([, n]) => n);
      list.replaceChildren(...mergingSingles, ...trainCards, ...cards);
      if (list.childElementCount === 0) {
        list.append(
          el(
            "div",
            { class: "empty", attrs: { "data-testid": "no-pulls" } },
            el("h2", { text: `No open Hoist ${shell.words().changes}` }),
            el("p", { text: "Promotions you open appear here with their checks and reviews. Start one from Environments: select pending cells, or press Ctrl+K." }),
          ),
        );
      }
      stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      list.replaceChildren(failureView(asFailure(error), `Hoist cannot read the ${shell.words().changes}`, [{ label: "Try again", run: () => void load() }]));
    } finally {
      busy = false;
      refresh.disabled = false;
    }
  };
  const timer = setInterval(() => void load(), REFRESH_MS);
  void load();
  return { node, dispose: () => { clearInterval(timer); } };
}

function checksList(checks: Checks): HTMLElement {
  return el(
    "ul",
    { class: "checks" },
    ...(checks.items.length === 0
      ? [el("li", { class: "dim", text: "No checks have reported yet." })]
      : checks.items.map((c) =>
          el("li", { attrs: { "data-check": c.name, "data-state": c.state } }, el("span", { class: `dot state-${c.state}` }), el("span", { text: ` ${c.name}` }), el("span", { class: "dim", text: c.description ? ` — ${c.description}` : "" })),
        )),
  );
}

function card(shell: Shell, pr: Tracked, merging: Map<number, HTMLElement>, reload: () => void): HTMLElement {
  const apps = pr.marker.apps.map(([app, version]) => `${app} ${displayVersion(version)}`).join(", ");
  const footer = el("div", { class: "actions" });
  const after = el("div", { class: "after-merge", attrs: { "data-testid": "after-merge" } });
  const node = el(
    "article",
    { class: "pull", attrs: { "data-pr": String(pr.number), "data-testid": `pull-${String(pr.number)}` } },
    el(
      "header",
      { class: "pull-head" },
      el("span", { class: "mono", text: `${shell.words().sigil}${String(pr.number)}` }),
      el("strong", { text: ` ${pr.title}` }),
    ),
    el("p", { class: "dim" }, el("span", { text: `${pr.marker.kind} into ${pr.marker.target} (${pr.base}) · ${apps} · ` }), el("span", { class: "mono", text: pr.branch })),
    el(
      "div",
      { class: "pull-state" },
      el("span", { class: `badge state-${pr.checks.state}`, attrs: { "data-testid": "checks-state" }, text: `checks ${pr.checks.state}` }),
      el("span", { class: `badge review-${pr.review}`, text: review[pr.review] }),
      el("span", { class: "badge", attrs: { "data-testid": "mergeable" }, text: pr.mergeable === null ? mergeability.unknown : mergeability[pr.mergeability] }),
    ),
    checksList(pr.checks),
    footer,
    after,
  );
  const merge = button("Merge", () => void doMerge(), "primary", "merge");
  merge.disabled = !pr.can_merge;
  merge.title = pr.can_merge ? `Merge ${shell.words().sigil}${String(pr.number)} into ${pr.base}` : `${shell.words().name} cannot merge it now: ${mergeability[pr.mergeability]}`;
  footer.append(merge);
  // GitLab merges by itself once the pipeline passes, if asked to.
  const whenGreen = button("Merge when pipeline succeeds", () => void doMergeWhenGreen(), "plain", "merge-when-green");
  whenGreen.title = `${shell.words().name} merges it into ${pr.base} by itself once its pipeline succeeds`;
  if (pr.can_merge_when_green) footer.append(whenGreen);
  footer.append(button("Open in browser", () => void shell.api.openUrl(pr.url)));
  if (pr.merges_when_green) {
    after.replaceChildren(el("p", { class: "dim", attrs: { "data-testid": "merges-when-green" }, text: `Merges into ${pr.base} when its pipeline succeeds.` }));
  }

  const doMergeWhenGreen = async (): Promise<void> => {
    whenGreen.disabled = true;
    try {
      const now = await shell.api.mergeWhenGreen(pr.number, pr.head);
      const text = now.state === "merged" ? `Merged into ${pr.base}.` : `Merges into ${pr.base} when its pipeline succeeds.`;
      whenGreen.remove();
      after.replaceChildren(el("p", { attrs: { role: "status", "data-testid": "merges-when-green" }, text }));
    } catch (error) {
      whenGreen.disabled = false;
      after.replaceChildren(failureView(asFailure(error), `${shell.words().sigil}${String(pr.number)} was not set to merge`, [{ label: "Refresh", run: reload }]));
    }
  };

  const doMerge = async (): Promise<void> => {
    merge.disabled = true;
    merging.set(pr.number, node);
    after.replaceChildren(el("p", { attrs: { role: "status" }, text: `Merging into ${pr.base}…` }));
    const stop = button("Stop waiting", () => void shell.api.cancel("merge"));
    try {
      const merged = await shell.api.mergePullRequest(pr.number, pr.head, (checks) => {
        after.replaceChildren(el("p", { attrs: { role: "status" }, text: `Merged. ${pr.marker.target} is ${health[checks.state]}${checks.state === "pending" ? "…" : ""}` }), checksList(checks), stop);
      });
      const state = merged.checks.state;
      after.replaceChildren(
        el("p", { class: `settled state-${state}`, attrs: { "data-testid": "settled", "data-state": state } }, el("strong", { text: `Merged as ${merged.sha.slice(0, 7)}. ` }), el("span", { text: `${pr.marker.target} ${settled[state]}` })),
        checksList(merged.checks),
        button("Done", () => {
          merging.delete(pr.number);
          reload();
          void shell.reload();
        }),
      );
      void shell.api.notify(`${shell.words().sigil}${String(pr.number)} merged into ${pr.base}`, `${pr.marker.target} ${settled[state]}`);
    } catch (error) {
      merging.delete(pr.number);
      merge.disabled = false;
      after.replaceChildren(failureView(asFailure(error), `${shell.words().sigil}${String(pr.number)} was not merged`, [{ label: "Refresh", run: reload }]));
    }
  };
  return node;
}

