// The typed bridge to the Rust commands. Types come from ./bindings,
// generated from the Rust types; never edit those by hand.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { Account } from "./bindings/Account";
import type { AppNotes } from "./bindings/AppNotes";
import type { AppCandidate } from "./bindings/AppCandidate";
import type { Checks } from "./bindings/Checks";
import type { ConfigDraft } from "./bindings/ConfigDraft";
import type { DraftView } from "./bindings/DraftView";
import type { EnvironmentDraft } from "./bindings/EnvironmentDraft";
import type { EnvironmentOrigins } from "./bindings/EnvironmentOrigins";
import type { Failure } from "./bindings/Failure";
import type { FileDiff } from "./bindings/FileDiff";
import type { Forge } from "./bindings/Forge";
import type { Here } from "./bindings/Here";
import type { History } from "./bindings/History";
import type { Merged } from "./bindings/Merged";
import type { NextPull } from "./bindings/NextPull";
import type { Opened } from "./bindings/Opened";
import type { Preview } from "./bindings/Preview";
import type { Release } from "./bindings/Release";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import type { Step } from "./bindings/Step";
import type { Survey } from "./bindings/Survey";
import type { Tracked } from "./bindings/Tracked";
import type { TrainCard } from "./bindings/TrainCard";
import type { TrainPreview } from "./bindings/TrainPreview";
import type { TrainProgress } from "./bindings/TrainProgress";
import type { TrainPulls } from "./bindings/TrainPulls";
import type { Work } from "./bindings/Work";

export type { Work } from "./bindings/Work";

export const api = {
  status: (): Promise<RepositoryStatus> => invoke("status"),
  here: (): Promise<Here> => invoke("here"),
  origins: (onEnvironment: (origins: EnvironmentOrigins) => void): Promise<void> =>
    invoke("origins", { progress: new Channel<EnvironmentOrigins>(onEnvironment) }),
  account: (): Promise<Account> => invoke("account"),
  signIn: (token: string, apiUrl: string | null): Promise<Account> => invoke("sign_in", { token, apiUrl }),
  signOut: (): Promise<boolean> => invoke("sign_out"),
  openRepository: (path: string): Promise<void> => invoke("open_repository", { path }),
  recentRepositories: (): Promise<string[]> => invoke("recent_repositories"),
  demoForge: (): Promise<Forge | null> => invoke("demo_forge"),
  openDemo: (forge: Forge): Promise<void> => invoke("open_demo", { forge }),
  pickFolder: (): Promise<string | null> => invoke("pick_folder"),
  cloneRepository: (url: string, into: string, onLine: (line: string) => void): Promise<void> =>
    invoke("clone_repository", { url, into, progress: new Channel<string>(onLine) }),
  proposedConfig: (): Promise<string | null> => invoke("proposed_config"),
  proposeConfig: (): Promise<Opened> => invoke("propose_config"),
  previewPromotion: (source: string, target: string, apps: string[], sync = false, base = false): Promise<Preview | null> =>
    invoke("preview_promotion", { source, target, apps, sync, base }),
  previewRollback: (environment: string, to: string, apps: string[]): Promise<Preview | null> =>
    invoke("preview_rollback", { environment, to, apps }),
  compare: (from: string, to: string, apps: string[]): Promise<Preview | null> => invoke("compare", { from, to, apps }),
  fileDiff: (plan: string, path: string, context: number): Promise<FileDiff> => invoke("file_diff", { plan, path, context }),
  releaseNotes: (plan: string, onApp: (notes: AppNotes) => void): Promise<AppNotes[]> =>
    invoke("release_notes", { plan, progress: new Channel<AppNotes>(onApp) }),
  changeNotes: (environment: string, app: string, commit: string, from: string, to: string): Promise<AppNotes | null> =>
    invoke("change_notes", { environment, app, commit, from, to }),
  openPullRequest: (plan: string, reason: string | null, update: boolean, onStep: (step: Step) => void): Promise<Opened> =>
    invoke("open_pull_request", { plan, reason, update, progress: new Channel<Step>(onStep) }),
  pullRequests: (): Promise<Tracked[]> => invoke("pull_requests"),
  previewTrain: (source: string, target: string, apps: string[], pulls: TrainPulls | null): Promise<TrainPreview> =>
    invoke("preview_train", { source, target, apps, pulls }),
  openTrain: (train: string, update: boolean, onProgress: (progress: TrainProgress) => void): Promise<Opened[]> =>
    invoke("open_train", { train, update, progress: new Channel<TrainProgress>(onProgress) }),
  trains: (): Promise<TrainCard[]> => invoke("trains"),
  nextPulls: (): Promise<NextPull[]> => invoke("next_pulls"),
  survey: (): Promise<Survey> => invoke("survey"),
  rescan: (environments: EnvironmentDraft[]): Promise<AppCandidate[]> => invoke("rescan", { environments }),
  draftStatus: (draft: ConfigDraft): Promise<DraftView> => invoke("draft_status", { draft }),
  saveConfig: (draft: ConfigDraft): Promise<string> => invoke("save_config", { draft }),
  proposeDraft: (draft: ConfigDraft): Promise<Opened> => invoke("propose_draft", { draft }),
  pullRequest: (number: number): Promise<Tracked> => invoke("pull_request", { number }),
  notify: (title: string, body: string): Promise<void> => invoke("notify", { title, body }),
  checks: (sha: string): Promise<Checks> => invoke("checks", { sha }),
  mergeWhenGreen: (number: number, head: string): Promise<Tracked> => invoke("merge_when_green", { number, head }),
  mergePullRequest: (number: number, head: string, onChecks: (checks: Checks) => void): Promise<Merged> =>
    invoke("merge_pull_request", { number, head, progress: new Channel<Checks>(onChecks) }),
  history: (environment: string, apps: string[], onCount: (read: number) => void): Promise<History> =>
    invoke("history", { environment, apps, progress: new Channel<number>(onCount) }),
  releases: (apps: string[]): Promise<Release[]> => invoke("releases", { apps }),
  fetch: (onLine: (line: string) => void): Promise<void> => invoke("fetch", { progress: new Channel<string>(onLine) }),
  cancel: (kind: Work): Promise<boolean> => invoke("cancel", { kind }),
  openUrl: (url: string): Promise<void> => invoke("open_url", { url }),
  ready: (): Promise<void> => invoke("ready"),
};

export type Api = typeof api;

/** Commands reject with a `Failure`; anything else (IPC trouble) becomes one. */
export function asFailure(error: unknown): Failure {
  if (typeof error === "object" && error !== null && "message" in error) {
    const { message, advice, code } = error as { message: unknown; advice?: unknown; code?: unknown };
    return {
      message: String(message),
      advice: typeof advice === "string" ? advice : null,
      code: typeof code === "string" ? (code as Failure["code"]) : null,
    };
  }
  return { message: String(error), advice: null, code: null };
}
