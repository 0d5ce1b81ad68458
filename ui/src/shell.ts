// What the window gives every screen, and what a screen gives back. The
// screens import these types from here rather than from the entry file, so
// that a screen depends on the shell's contract and not on how it is built.
import type { Api } from "./api";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import type { Compose } from "./composer";
import type { ScreenId } from "./screens";
import type { ForgeWords } from "./states";

/** A screen and what to stop (timers, listeners) when it is replaced. */
export interface Screen {
  node: HTMLElement;
  dispose?: () => void;
}

/** What every screen may use: the commands, the last status, and navigation. */
export interface Shell {
  api: Api;
  status: () => RepositoryStatus | null;
  /** How to speak of the repository's forge and its change requests. */
  words: () => ForgeWords;
  go: (screen: ScreenId) => void;
  compose: (request: Compose) => void;
  reload: () => Promise<void>;
  /** Calls `listener` when more of the status arrives (the commits that set a large repository's versions); returns how to stop. */
  onOrigins: (listener: () => void) => () => void;
}
