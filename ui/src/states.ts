// Words for the states the engine reports. Each map is total over a
// generated enum: a state the engine gains is a type error here until it has
// its words.
import type { ChangeRef } from "./bindings/ChangeRef";
import type { CheckState } from "./bindings/CheckState";
import type { Forge } from "./bindings/Forge";
import type { Mergeability } from "./bindings/Mergeability";

/** An environment's health, from the checks on its tip. */
export const health: Record<CheckState, string> = {
  success: "healthy",
  failure: "unhealthy",
  pending: "reconciling",
};

/** What an environment reports after a merge, as the end of a sentence. */
export const settled: Record<CheckState, string> = {
  success: "reports healthy.",
  failure: "reports a failure: look at the checks below.",
  pending: "has not reported yet; the Environments lanes show it when it does.",
};

/** Whether the forge can merge a change request now, and if not, why. */
export const mergeability: Record<Mergeability, string> = {
  clean: "ready to merge",
  unstable: "mergeable, optional checks failing",
  has_hooks: "ready to merge",
  blocked: "blocked by reviews or branch rules",
  behind: "behind its base branch",
  dirty: "conflicts with its base branch",
  draft: "a draft",
  unknown: "mergeability being computed",
};

/** A merged change request as its forge writes it: `#12` on GitHub, `!12` on GitLab. */
export const changeRef = (change: ChangeRef): string => `${forgeWords[change.forge].sigil}${String(change.number)}`;

/** How the window speaks of a forge and its change requests. */
export interface ForgeWords {
  /** The forge's name: "GitHub". */
  name: string;
  /** A change request: "pull request". */
  change: string;
  /** Several: "pull requests". */
  changes: string;
  /** Its short name: "PR". */
  short: string;
  /** A token's look, for the sign-in field. */
  tokenHint: string;
  /** What a reference to one starts with: `#` on GitHub, `!` on GitLab. */
  sigil: string;
}

/** The words for each forge, total over the generated `Forge`. */
export const forgeWords: Record<Forge, ForgeWords> = {
  github: { name: "GitHub", change: "pull request", changes: "pull requests", short: "PR", tokenHint: "ghp_… or github_pat_…", sigil: "#" },
  gitlab: { name: "GitLab", change: "merge request", changes: "merge requests", short: "MR", tokenHint: "glpat-…", sigil: "!" },
};

/** `text` with its first letter in capitals: "Pull request". */
export const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
