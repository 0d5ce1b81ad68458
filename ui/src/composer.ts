// The promotion composer: what a promotion or rollback would change, and the
// pull request that makes it. It only ever opens the plan it shows: the plan
// stays in Rust under the preview's id.
import { capital, changeRef, type ForgeWords } from "./states";
import { asFailure } from "./api";
import type { AppNotes } from "./bindings/AppNotes";
import type { DryChanges } from "./bindings/DryChanges";
import type { Failure } from "./bindings/Failure";
import type { Section } from "./bindings/Section";
import type { Opened } from "./bindings/Opened";
import type { Preview } from "./bindings/Preview";
import type { Step } from "./bindings/Step";
import type { VersionChange } from "./bindings/VersionChange";
import { diffView } from "./diffview";
import { noteItem, notesBody, notesHead, SECTION_TITLES } from "./notes";
import { el } from "./dom";
import { button, failureView } from "./failure";
import type { Screen, Shell } from "./shell";
import { displayVersion } from "./matrix";
import { age } from "./time";

export type Compose =
  | { kind: "promotion"; source: string; target: string; apps: string[]; sync?: boolean; base?: boolean }
  | { kind: "rollback"; environment: string; to: string; apps: string[] }
  | { kind: "compare"; from: string; to: string; apps: string[] };

function title(request: Compose): string {
  switch (request.kind) {
    case "promotion":
      return `Promote ${request.source} → ${request.target}`;
    case "rollback":
      return `Roll back ${request.environment} to ${request.to.slice(0, 7)}`;
    case "compare":
      return `Compare ${request.from} ↔ ${request.to}`;
  }
}

function load(shell: Shell, request: Compose): Promise<Preview | null> {
  switch (request.kind) {
    case "promotion":
      return shell.api.previewPromotion(request.source, request.target, request.apps, request.sync ?? false, request.base ?? false);
    case "rollback":
      return shell.api.previewRollback(request.environment, request.to, request.apps);
    case "compare":
      return shell.api.compare(request.from, request.to, request.apps);
  }
}

function nothing(request: Compose): string {
  switch (request.kind) {
    case "promotion":
      return `Nothing to promote: ${request.target} already runs what ${request.source} runs${request.apps.length ? ` for ${request.apps.join(", ")}` : ""}.`;
    case "rollback":
      return `Nothing to roll back: ${request.environment} already runs what it ran at ${request.to.slice(0, 7)}.`;
    case "compare":
      return `${request.from} and ${request.to} run the same versions.`;
  }
}

export function composer(shell: Shell, request: Compose, back: () => void): Screen {
  const node = el("section", { class: "composer", attrs: { "data-testid": "composer" } });
  const header = el(
    "header",
    { class: "composer-head" },
    button("← Back", back, "plain", "back"),
    el("h2", { text: title(request) }),
  );
  const body = el("div", { class: "composer-body" });
  node.append(header, body);
  if (request.kind === "promotion") {
    // Version mode changes only the located values; sync mode makes the app's
    // files the source's, except the environment-specific ones.
    const mode = el("div", { class: "segmented", attrs: { role: "group", "aria-label": "Promotion mode" } });
    for (const [label, sync] of [
      ["Versions only", false],
      ["Sync files", true],
    ] as const) {
      const b = el("button", { class: "seg", attrs: { type: "button", "data-testid": sync ? "mode-sync" : "mode-version", "aria-pressed": String((request.sync ?? false) === sync) }, text: label });
      b.addEventListener("click", () => {
        request.sync = sync;
        for (const other of mode.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === b));
        void preview();
      });
      mode.append(b);
    }
    header.append(mode);
  }

  const preview = async (): Promise<void> => {
    body.replaceChildren(el("div", { class: "loading", attrs: { role: "status", "data-testid": "loading" }, text: "Computing the preview…" }));
    try {
      const p = await load(shell, request);
      if (p === null) {
        body.replaceChildren(el("section", { class: "empty", attrs: { "data-testid": "nothing" } }, el("h2", { text: "Nothing to change" }), el("p", { text: nothing(request) })));
        return;
      }
      body.replaceChildren(
        ...planView(shell, p, () => void preview(), request.kind === "promotion"
          ? (base: boolean) => {
              request.base = base;
              void preview();
            }
          : null),
      );
    } catch (error) {
      body.replaceChildren(failureView(asFailure(error), "Hoist cannot preview this", [{ label: "Try again", run: () => void preview() }]));
    }
  };
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === "Escape" && !document.querySelector(".palette") && !(event.target instanceof HTMLTextAreaElement)) back();
  };
  document.addEventListener("keydown", onKey);
  void preview();
  return {
    node,
    dispose: () => {
      document.removeEventListener("keydown", onKey);
      // Notes still being read are for a preview no one looks at any more.
      void shell.api.cancel("notes");
    },
  };
}

/** How an app's new version gets into the target, when it is more than a value edit. */
function editNote(edit: string, target: string): string {
  switch (edit) {
    case "override":
      return `${target} inherited it from its base: the value is added to ${target}'s own file`;
    case "base":
      return "the base itself changes, and every environment that inherits it";
    default:
      return "";
  }
}

function planView(shell: Shell, p: Preview, again: () => void, baseToggle: ((base: boolean) => void) | null): HTMLElement[] {
  const plan = p.plan;
  const inherits = plan.apps.some((a) => a.edit === "override" || a.edit === "base");
  const base =
    baseToggle === null || !inherits
      ? null
      : (() => {
          const box = el("input", { attrs: { type: "checkbox", "data-testid": "promote-base" } });
          box.checked = plan.apps.some((a) => a.edit === "base");
          box.addEventListener("change", () => { baseToggle(box.checked); });
          return el(
            "label",
            { class: "check base-choice" },
            box,
            el("span", { text: `Change the base itself instead of adding the value to ${plan.target}'s own file (every environment that inherits it moves too)` }),
          );
        })();
  const merge =
    plan.head === null
      ? null
      : el(
          "p",
          { class: "merge-note", attrs: { "data-testid": "merge-note" } },
          el("strong", { text: "A hydrator renders this environment. " }),
          el("span", { text: `Promoting it merges ${plan.head} (at ${plan.source_commit.slice(0, 7)}) into ${plan.target_branch}: the ${shell.words().change} is the one from ${plan.head}, found if the promoter opened it, else opened. The diff below is everything that merge brings.` }),
        );
  const summary = el(
    "p",
    { class: "dim", attrs: { "data-testid": "plan-summary" } },
    el("span", { text: `${plan.target} (${plan.target_branch}) at ` }),
    el("span", { class: "mono", text: plan.base.slice(0, 7) }),
    el("span", { text: ` · ${plan.kind === "comparison" ? "from" : "versions from"} ${plan.source} at ` }),
    el("span", { class: "mono", text: plan.source_commit.slice(0, 7) }),
    el("span", { text: ` · ${String(plan.apps.length)} app${plan.apps.length === 1 ? "" : "s"}, ${String(plan.files.length)} file${plan.files.length === 1 ? "" : "s"}` }),
  );
  const warnings =
    plan.warnings.length === 0
      ? null
      : el(
          "ul",
          { class: "warnings", attrs: { "data-testid": "warnings" } },
          ...plan.warnings.map((w) =>
            el(
              "li",
              { class: `warning ${w.kind === "locked" || w.kind === "frozen" ? "blocking" : ""}`, attrs: { "data-kind": w.kind } },
              el("strong", { text: warningTitle(w.kind) }),
              el("span", { text: ` ${w.message}` }),
              el("div", { class: "dim", text: warningAdvice(w.kind, shell.words()) }),
            ),
          ),
        );
  const apps = el(
    "table",
    { class: "changes", attrs: { "data-testid": "changes" } },
    el("thead", {}, el("tr", {}, ...["App", "Now", "", "After", "File", ""].map((h) => el("th", { text: h })))),
    el(
      "tbody",
      {},
      ...plan.apps.map((a) =>
        el(
          "tr",
          { attrs: { "data-app": a.app } },
          el("th", { text: a.app }),
          el("td", { class: "mono old-version", attrs: { title: a.from }, text: displayVersion(a.from) }),
          el("td", { class: "dim", text: "→" }),
          el("td", { class: "mono new-version", attrs: { title: a.to }, text: displayVersion(a.to) }),
          el("td", { class: "mono dim" }, el("span", { text: a.file }), a.edit === "override" || a.edit === "base" ? el("div", { class: `edit-note edit-${a.edit}`, attrs: { "data-testid": `edit-${a.app}` }, text: editNote(a.edit, plan.target) }) : null),
          el("td", {}, a.compare === null ? null : button("Compare source", () => void shell.api.openUrl(a.compare ?? ""))),
        ),
      ),
    ),
  );
  // Warnings the release notes bring once read (a breaking change).
  const late = el("ul", { class: "warnings", attrs: { "data-testid": "notes-warnings", hidden: "" } });
  const parts: (HTMLElement | null)[] = [summary, merge, warnings, late, apps, base];
  if (plan.dry_changes.length > 0) parts.push(releaseNotes(shell, plan.dry_changes));
  if (plan.kind === "promotion" && plan.apps.some((a) => a.source !== null)) parts.push(sourceNotes(shell, p, late));
  if (plan.kind !== "comparison") parts.push(pullRequestForm(shell, p, again));
  if (plan.changelog.length > 0) parts.push(changelog(plan.changelog));
  parts.push(diffView(p.diffs, (path, context) => shell.api.fileDiff(p.id, path, context)));
  return parts.filter((x): x is HTMLElement => x !== null);
}

function warningTitle(kind: string): string {
  return (
    {
      skips_environment: "Skips an environment.",
      downgrade: "Downgrade.",
      drift: "Drift.",
      locked: "Locked.",
      frozen: "Change freeze.",
      shared_base: "Shared base.",
      bundled: "Comes along.",
      ahead_of_source: "Ahead of the source.",
      breaking: "Breaking change.",
    } as Record<string, string>
  )[kind] ?? "Note.";
}

function warningAdvice(kind: string, words: ForgeWords): string {
  return (
    {
      skips_environment: "Promote through the environment in between, or go ahead if skipping it is intended.",
      downgrade: `Check that going back is intended; a rollback from History says so in its ${words.short}.`,
      drift: "The target was edited directly; the promotion replaces that edit. Talk to its author first.",
      locked: `Ask whoever locked it, or give the reason for overriding the lock below; it goes into the ${words.short}.`,
      frozen: `Wait for the freeze to end, or give the reason for overriding it below; it goes into the ${words.short}.`,
      shared_base: "Untick \"Change the base itself\" to change only this environment.",
      bundled: "A hydrator's branch is merged whole; promote the others too, or wait until they may go.",
      ahead_of_source: "Promote the source first, or go ahead if this version may skip it.",
      breaking: "Read it in the release notes below; promote once whoever runs the app is ready for it.",
    } as Record<string, string>
  )[kind] ?? "";
}

function changelog(entries: VersionChange[]): HTMLElement {
  return el(
    "section",
    { class: "changelog", attrs: { "data-testid": "changelog" } },
    el("h3", { text: "Changelog" }),
    el(
      "ul",
      {},
      ...entries.map((c) =>
        el(
          "li",
          {},
          el("span", { class: "mono", text: `${c.app} ${displayVersion(c.to)}` }),
          el("span", { text: ` ${c.commit.subject}` }),
          el("span", { class: "dim", text: ` · ${c.commit.author} · ${age(c.commit.time, Date.now())}${c.commit.change === null ? "" : ` · ${changeRef(c.commit.change)}`}` }),
        ),
      ),
    ),
  );
}

/**
 * The release notes of what a rendered promotion brings: the dry branch's
 * commits between the two dry commits, read from the clone and grouped,
 * breaking changes first; every commit stays listed below them.
 */
function releaseNotes(shell: Shell, ranges: DryChanges[]): HTMLElement {
  return el(
    "section",
    { class: "changelog release-notes", attrs: { "data-testid": "release-notes" } },
    el("h3", { text: "Release notes" }),
    ...ranges.map((d) => {
      const sections = (Object.keys(SECTION_TITLES) as Section[])
        .map((section) => ({ section, notes: d.notes.filter((n) => n.section === section) }))
        .filter((s) => s.notes.length > 0);
      return el(
        "div",
        { class: "notes-range", attrs: { "data-testid": "notes-range" } },
        el("p", { class: "dim", text: `${d.apps.join(", ")}: dry commits ${d.from.slice(0, 7)} → ${d.to.slice(0, 7)}, from this clone` }),
        ...sections.map(({ section, notes }) =>
          el(
            "div",
            { class: `notes-section notes-${section}`, attrs: { "data-section": section } },
            el("h4", { text: `${SECTION_TITLES[section]} (${String(notes.length)})` }),
            el("ul", {}, ...notes.map((n) => noteItem(shell, n))),
          ),
        ),
        d.notes.length === 0 && d.missing === null ? el("p", { class: "dim", text: "No commits between them." }) : null,
        d.missing === null ? null : el("p", { class: "dim", attrs: { "data-testid": "notes-missing" }, text: `Notes incomplete: ${d.missing}` }),
        d.commits.length === 0
          ? null
          : el(
              "details",
              { class: "dry-commits", attrs: { "data-testid": "dry-changes" } },
              el("summary", { text: `All ${String(d.commits.length)} dry commit${d.commits.length === 1 ? "" : "s"}` }),
              el(
                "ul",
                {},
                ...d.commits.map((c) =>
                  el(
                    "li",
                    {},
                    el("span", { class: "mono", text: c.id.slice(0, 7) }),
                    el("span", { text: ` ${c.subject}` }),
                    el("span", { class: "dim", text: ` · ${c.author} · ${age(c.time, Date.now())}` }),
                  ),
                ),
              ),
            ),
      );
    }),
  );
}

/**
 * The release notes of each app's version delta, read from its source
 * repository after the preview shows (it never waits for them): a row per
 * app says it is reading, then shows the grouped notes, or why there are
 * none. Leaving the composer or "Stop" stops the reading between apps.
 */
function sourceNotes(shell: Shell, p: Preview, warnings: HTMLElement): HTMLElement {
  const rows = new Map<string, HTMLElement>();
  const stop = button("Stop", () => void shell.api.cancel("notes"), "plain", "stop-notes");
  const section = el(
    "section",
    { class: "changelog release-notes source-notes", attrs: { "data-testid": "source-notes", "aria-busy": "true" } },
    el("div", { class: "notes-head" }, el("h3", { text: "Release notes" }), stop),
  );
  for (const a of p.plan.apps) {
    if (a.source === null) continue;
    const row = el(
      "div",
      { class: "notes-range", attrs: { "data-testid": "app-notes", "data-app": a.app, "data-state": "reading" } },
      notesHead(shell, a.app, a.source),
      el("p", { class: "dim", attrs: { role: "status" }, text: `Reading the notes of ${a.source.from_tag} → ${a.source.to_tag} from ${a.source.path}…` }),
    );
    rows.set(a.app, row);
    section.append(row);
  }
  const show = (read: AppNotes): void => {
    const row = rows.get(read.app);
    if (!row) return;
    const compare = p.plan.apps.find((a) => a.app === read.app)?.compare ?? null;
    row.replaceChildren(notesHead(shell, read.app, read.source), ...notesBody(shell, read, compare));
    row.dataset.state = read.outcome.state;
    if (row.dataset.warned === undefined && read.outcome.state === "ready") {
      row.dataset.warned = "";
      for (const n of read.outcome.notes.filter((n) => n.section === "breaking")) {
        warnings.hidden = false;
        warnings.append(
          el(
            "li",
            { class: "warning", attrs: { "data-kind": "breaking", "data-app": read.app } },
            el("strong", { text: warningTitle("breaking") }),
            el("span", { text: ` ${read.app} ${read.source.to_tag} says it breaks something: ${n.breaking ?? n.text}` }),
            el("div", { class: "dim", text: warningAdvice("breaking", shell.words()) }),
          ),
        );
      }
    }
  };
  const done = (): void => {
    section.setAttribute("aria-busy", "false");
    stop.remove();
  };
  shell.api.releaseNotes(p.id, show).then((all) => {
    for (const read of all) show(read);
    done();
  }, (error: unknown) => {
    done();
    for (const row of rows.values()) {
      if (row.dataset.state !== "reading") continue;
      row.dataset.state = "unavailable";
      row.lastElementChild?.replaceWith(el("p", { class: "dim notes-unavailable", text: `Notes unavailable: ${asFailure(error).message}` }));
    }
  });
  return section;
}

function describeStep(step: Step, words: ForgeWords): string {
  switch (step.step) {
    case "checking_target":
      return "Checking the target branch is still where the preview saw it";
    case "writing_files":
      return `Uploading files ${String(step.done)}/${String(step.total)}`;
    case "writing_commit":
      return "Writing the commit";
    case "pushing_branch":
      return `Pushing ${step.branch}`;
    case "opening_pull_request":
      return `Opening the ${words.change}`;
    case "finishing":
      return "Adding labels and reviewers";
  }
}

function pullRequestForm(shell: Shell, p: Preview, again: () => void): HTMLElement {
  const reason = el("textarea", {
    class: "reason",
    attrs: { rows: "2", "data-testid": "reason", placeholder: p.reason_required ? `Required: why this rollback or override? It goes into the ${shell.words().short}.` : `Optional: why now? It goes into the ${shell.words().short}.` },
  });
  const open = button(p.plan.head === null ? `Open ${shell.words().change}` : `Open the ${shell.words().change} from ${p.plan.head}`, () => void run(false), "primary", "open-pr");
  const stop = button("Stop", () => void shell.api.cancel("open"), "plain", "stop-open");
  stop.hidden = true;
  const steps = el("ol", { class: "steps", attrs: { "data-testid": "steps", "aria-live": "polite" } });
  const result = el("div", { attrs: { "data-testid": "pr-result" } });
  const sync = (): void => {
    open.disabled = p.reason_required && reason.value.trim() === "";
    open.title = open.disabled ? "Give a reason first" : "";
  };
  reason.addEventListener("input", sync);
  sync();

  const run = async (update: boolean): Promise<void> => {
    open.disabled = true;
    reason.disabled = true;
    stop.hidden = false;
    steps.replaceChildren();
    result.replaceChildren();
    const onStep = (step: Step): void => {
      for (const li of steps.querySelectorAll("li.running")) li.className = "done";
      const last = steps.lastElementChild;
      // Upload progress updates its own line rather than adding one per file.
      if (step.step === "writing_files" && last instanceof HTMLElement && last.dataset.step === "writing_files") {
        last.className = "running";
        last.textContent = describeStep(step, shell.words());
        return;
      }
      steps.append(el("li", { class: "running", attrs: { "data-step": step.step }, text: describeStep(step, shell.words()) }));
    };
    try {
      const opened = await shell.api.openPullRequest(p.id, reason.value.trim() || null, update, onStep);
      for (const li of steps.querySelectorAll("li.running")) li.className = "done";
      result.replaceChildren(openedView(shell, opened));
      // The link is the point of it all: bring it into view.
      result.scrollIntoView({ block: "center" });
    } catch (error) {
      for (const li of steps.querySelectorAll("li.running")) li.className = "failed";
      result.replaceChildren(openFailure(asFailure(error), shell.words(), again, () => void run(true), () => void run(update)));
      result.scrollIntoView({ block: "center" });
      open.disabled = false;
      reason.disabled = false;
      sync();
    } finally {
      stop.hidden = true;
    }
  };

  return el(
    "section",
    { class: "pr-form", attrs: { "data-testid": "pr-form" } },
    el("h3", { text: capital(shell.words().change) }),
    el("p", {}, el("strong", { text: p.title ?? "" })),
    el("p", { class: "dim" }, el("span", { text: "from branch " }), el("span", { class: "mono", text: p.plan.head ?? p.branch ?? "" }), el("span", { text: ` into ${p.plan.target_branch}, on ${p.plan.base.slice(0, 7)} exactly` })),
    el("label", { class: "field" }, el("span", { text: p.reason_required ? "Reason (required)" : "Reason" }), reason),
    el("div", { class: "actions" }, open, stop),
    steps,
    result,
  );
}

function openedView(shell: Shell, opened: Opened): HTMLElement {
  const verb = {
    created: "Opened",
    resumed: "Already open (an earlier attempt's, completed):",
    updated: "Updated",
    found: "Already open (opened by the promoter for this branch):",
  }[opened.outcome];
  return el(
    "div",
    { class: "opened", attrs: { "data-testid": "opened", "data-number": String(opened.number) } },
    el("strong", { text: `${verb} ${shell.words().change} ${shell.words().sigil}${String(opened.number)}` }),
    el("span", { class: "mono dim", text: ` ${opened.branch} @ ${opened.commit.slice(0, 7)}` }),
    el(
      "div",
      { class: "actions" },
      button("Open in browser", () => void shell.api.openUrl(opened.url), "primary", "open-in-browser"),
      button("Track it", () => { shell.go("pulls"); }, "plain", "track-it"),
    ),
    el("div", { class: "mono dim", text: opened.url }),
  );
}

function openFailure(f: Failure, words: ForgeWords, again: () => void, update: () => void, retry: () => void): HTMLElement {
  switch (f.code) {
    case "target_moved":
      return failureView(f, "The target moved after this preview", [{ label: "Preview again", run: again }]);
    case "already_open":
      return failureView(f, `A ${words.change} for these apps is already open`, [{ label: "Update it to this change", run: update }]);
    case "cancelled":
      return failureView(f, "Stopped", [{ label: "Resume", run: retry }]);
    default:
      return failureView(f, `The ${words.change} could not be opened`, [{ label: "Try again", run: retry }]);
  }
}
