// The background watch: while the window is open, Hoist's pull requests and
// the environments' tips are checked now and then, and a desktop
// notification says when a PR merges or closes, its checks fail, or an
// environment reports unhealthy. Polls are conditional requests: no rate
// limit spent while nothing changes.
import type { Api } from "./api";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import type { Tracked } from "./bindings/Tracked";

export const WATCH_MS = 30_000;

export function watch(api: Api, status: () => RepositoryStatus | null): () => void {
  let pulls: Map<number, Tracked> | null = null;
  const health = new Map<string, string>();
  let repository: string | null = null;
  let busy = false;

  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      // Another repository's pull requests are not this one's merges.
      const current = status()?.path ?? null;
      if (current !== repository) {
        repository = current;
        pulls = null;
        health.clear();
      }
      const now = new Map((await api.pullRequests()).map((p) => [p.number, p]));
      if (pulls !== null) {
        for (const [number, before] of pulls) {
          const after = now.get(number);
          if (after === undefined) {
            const gone = await api.pullRequest(number);
            const verb = gone.state === "merged" ? "merged into" : "closed without merging into";
            await api.notify(`#${String(number)} ${verb} ${before.base}`, before.title);
          } else if (after.checks.state === "failure" && before.checks.state !== "failure") {
            const failed = after.checks.items.filter((c) => c.state === "failure").map((c) => c.name);
            await api.notify(`#${String(number)}: checks failed`, `${after.title}\n${failed.join(", ")}`);
          }
        }
      }
      pulls = now;
      for (const env of status()?.status.environments ?? []) {
        const checks = await api.checks(env.tip.id);
        const key = `${env.name}@${env.tip.id}`;
        const before = health.get(key);
        if (checks.state === "failure" && before !== undefined && before !== "failure") {
          await api.notify(`${env.name} reports unhealthy`, checks.items.filter((c) => c.state === "failure").map((c) => `${c.name}: ${c.description ?? "failed"}`).join("\n"));
        }
        health.set(key, checks.state);
      }
    } catch {
      // No GitHub (no token, no network): the screens say so where it matters.
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), WATCH_MS);
  return () => {
    clearInterval(timer);
  };
}
