// The window's screens, each registered once. The shell builds the tabs, the
// number keys, the palette's "Go to …" commands and the routing from this
// record alone, so adding a screen is one entry here plus its own module.
import type { Here } from "./bindings/Here";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import { configureView } from "./configure";
import { environmentsView } from "./environments";
import { historyView } from "./history";
import { pullsView } from "./pulls";
import { settingsView } from "./settings";
import type { Screen, Shell } from "./shell";
import { capital, type ForgeWords } from "./states";

/** What the shell knows of the repository, readable or not. */
export interface Known {
  /** The last status read; null while the repository cannot be shown. */
  status: RepositoryStatus | null;
  /** Which clone the window is on, even when its status cannot be read. */
  here: Here | null;
}

interface Tab {
  /** The tab's text, and the palette's "Go to …" command, in the words of
   * the repository's forge ("Pull requests" or "Merge requests"). */
  label: (words: ForgeWords) => string;
  /** The key that shows the screen when nothing is being typed. */
  key?: string;
  /** A reload while the screen is shown leaves it as it is rather than
   * building it again, so work in progress on it outlives a fetch or a save. */
  keepsWorkOnReload?: boolean;
}

/** A screen as the shell sees it: its tab, and how to open it. */
export type Registration = Tab &
  (
    | { needs: "status"; open: (shell: Shell, status: RepositoryStatus) => Screen }
    // These open whatever the repository's state: the window never dead-ends.
    | { needs: "nothing"; open: (shell: Shell, known: Known) => Screen }
  );

// Checked with `satisfies` rather than annotated, so that the names stay
// literal: `ScreenId` is derived from them, and a misspelt name anywhere is a
// type error rather than a lookup that fails at run time.
const registry = {
  environments: { label: () => "Environments", key: "1", needs: "status", open: environmentsView },
  pulls: { label: (w) => capital(w.changes), key: "2", needs: "status", open: pullsView },
  history: { label: () => "History", key: "3", needs: "status", open: historyView },
  settings: { label: () => "Repository", key: "4", needs: "nothing", open: (shell, known) => settingsView(shell, known.status, known.here) },
  configure: { label: () => "Configure", key: "5", needs: "nothing", open: configureView, keepsWorkOnReload: true },
} satisfies Record<string, Registration>;

/** A registered screen's name, as in its tab's `data-view`. */
export type ScreenId = keyof typeof registry;

/** Every screen by name, each seen as a plain `Registration` so the shell reads them all alike. */
export const screens: Readonly<Record<ScreenId, Registration>> = registry;

/** The screens in the order of the tabs, the number keys and the palette. The
 * cast is sound: `registry` is an object literal, so its keys are exactly
 * `ScreenId`, and as none reads as an array index `Object.keys` keeps the
 * order they are written in. */
export const screenOrder = Object.keys(registry) as readonly ScreenId[];
