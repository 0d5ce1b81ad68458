// The typed bridge to the Rust commands. Types come from ./bindings,
// generated from the Rust types; never edit those by hand.
import { invoke } from "@tauri-apps/api/core";
import type { Failure } from "./bindings/Failure";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";

export function loadStatus(): Promise<RepositoryStatus> {
  return invoke<RepositoryStatus>("status");
}

/** Commands reject with a `Failure`; anything else (IPC trouble) becomes one. */
export function asFailure(error: unknown): Failure {
  if (typeof error === "object" && error !== null && "message" in error) {
    const { message, advice } = error as { message: unknown; advice?: unknown };
    return {
      message: String(message),
      advice: typeof advice === "string" ? advice : null,
    };
  }
  return { message: String(error), advice: null };
}
