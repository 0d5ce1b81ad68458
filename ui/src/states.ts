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

/** Whether GitHub can merge a pull request now, and if not, why. */
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

/** How each forge writes a reference to one of its change requests. */
const changeSigil: Record<Forge, string> = {
  github: "#",
  gitlab: "!",
};

/** A merged change request as its forge writes it: `#12` on GitHub, `!12` on GitLab. */
export const changeRef = (change: ChangeRef): string => `${changeSigil[change.forge]}${String(change.number)}`;
