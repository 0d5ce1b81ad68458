// Release notes as the window shows them: grouped, breaking changes first,
// each change request, issue and ticket a link. The composer and History
// show them; the notes themselves are read in Rust.
import type { AppNotes } from "./bindings/AppNotes";
import type { Note } from "./bindings/Note";
import type { Section } from "./bindings/Section";
import { el } from "./dom";
import type { Shell } from "./shell";
import { changeRef } from "./states";

export const SECTION_TITLES: Record<Section, string> = {
  breaking: "Breaking changes",
  features: "Features",
  fixes: "Fixes",
  other: "Other changes",
};

/** A ticket key that opens its tracker page in the browser. */
function ticketLink(shell: Shell, key: string, url: string): HTMLElement {
  const link = el("button", { class: "link mono", attrs: { type: "button", title: url, "data-testid": "ticket" }, text: key });
  link.addEventListener("click", () => void shell.api.openUrl(url));
  return link;
}

/** Where a note's numbers lead: the source repository's pages; `null` for
 * the GitOps repository's own dry branch, whose numbers are shown as they are. */
export interface Pages {
  changes: string;
  issues: string;
}

/** A number that opens its page in the browser. */
function pageLink(shell: Shell, label: string, url: string, testid: string): HTMLElement {
  const link = el("button", { class: "link mono", attrs: { type: "button", title: url, "data-testid": testid }, text: label });
  link.addEventListener("click", () => void shell.api.openUrl(url));
  return link;
}

export function noteItem(shell: Shell, n: Note, pages: Pages | null = null): HTMLElement {
  const refs = n.references.map((r) =>
    r.kind === "ticket"
      ? ticketLink(shell, r.key, r.url)
      : pages === null
        ? el("span", { class: "mono dim", text: `#${String(r.number)} ` })
        : pageLink(shell, `#${String(r.number)}`, `${pages.issues}/${String(r.number)}`, "issue"),
  );
  const change =
    n.change === null
      ? null
      : pages === null
        ? el("span", { class: "mono dim", text: ` ${changeRef(n.change)}` })
        : pageLink(shell, changeRef(n.change), `${pages.changes}/${String(n.change.number)}`, "change-link");
  return el(
    "li",
    { attrs: { "data-commit": n.commit } },
    n.scope === null ? null : el("span", { class: "badge scope", text: n.scope }),
    el("span", { text: ` ${n.text}` }),
    change === null ? null : el("span", { text: " " }),
    change,
    el("span", { class: "dim", text: ` · ${n.author}` }),
    ...(refs.length === 0 ? [] : [el("span", { class: "dim", text: " · " }), ...refs]),
    n.breaking === null || n.breaking === n.text ? null : el("div", { class: "breaking-text", text: n.breaking }),
  );
}

/** Which app, which tags, from where; an inferred source says so, since it may be wrong. */
export function notesHead(shell: Shell, app: string, source: AppNotes["source"]): HTMLElement {
  return el(
    "p",
    { class: "notes-app" },
    el("strong", { text: app }),
    el("span", { class: "mono", text: ` ${source.from_tag} → ${source.to_tag}` }),
    el("span", { class: "dim", text: " from " }),
    pageLink(shell, source.path, source.url, "source-link"),
    source.inferred
      ? el("span", { class: "badge inferred", attrs: { title: "Found from the image's name; set the app's source in .hoist.yaml if it is wrong", "data-testid": "inferred" }, text: "inferred" })
      : null,
  );
}

export function notesBody(shell: Shell, read: AppNotes, compare: string | null): HTMLElement[] {
  const o = read.outcome;
  if (o.state === "unavailable") {
    return [el("p", { class: "dim notes-unavailable", attrs: { "data-reason": o.reason }, text: `Notes unavailable: ${o.message}` })];
  }
  const pages = { changes: read.changes, issues: read.issues };
  const sections = (Object.keys(SECTION_TITLES) as Section[])
    .map((section) => ({ section, notes: o.notes.filter((n) => n.section === section) }))
    .filter((s) => s.notes.length > 0);
  const parts: (HTMLElement | null)[] = [
    ...sections.map(({ section, notes }) =>
      el(
        "div",
        { class: `notes-section notes-${section}`, attrs: { "data-section": section } },
        el("h4", { text: `${SECTION_TITLES[section]} (${String(notes.length)})` }),
        el("ul", {}, ...notes.map((n) => noteItem(shell, n, pages))),
      ),
    ),
    o.notes.length === 0 ? el("p", { class: "dim", text: "No commits between these tags." }) : null,
    o.truncated
      ? el(
          "p",
          { class: "dim" },
          el("span", { text: `Not all of the ${String(o.commits)} commits were read` }),
          compare === null ? null : el("span", { text: "; " }),
          compare === null ? null : pageLink(shell, "compare them on the forge", compare, "compare-all"),
        )
      : null,
  ];
  return parts.filter((x): x is HTMLElement => x !== null);
}

