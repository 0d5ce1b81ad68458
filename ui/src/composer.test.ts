// The composer: the preview, the reason, and opening the PR step by step.
import { afterEach, describe, expect, it } from "vitest";
import type { Preview } from "./bindings/Preview";
import type { Step } from "./bindings/Step";
import { $, mountWith, preview, reset, settle, until, view } from "./test/fixtures";

afterEach(reset);

const opened = { number: 7, url: "http://127.0.0.1:4567/acme/gitops/pull/7", branch: "hoist/stage/api-1.6.0", commit: "f".repeat(40), outcome: "created" };
const lanes = { pull_requests: () => [], checks: ({ sha }: Record<string, unknown>) => ({ sha, state: "pending", items: [] }) };

async function compose(handlers: Record<string, (args: Record<string, unknown>) => unknown>, shown: Preview | null = preview): Promise<void> {
  await mountWith({ status: () => view, ...lanes, preview_promotion: () => shown, ...handlers });
  $('[data-testid="promote-stage"]').click();
  await until("the preview", () => document.querySelector('[data-testid="changes"], [data-testid="nothing"]') !== null);
}

describe("composer", () => {
  it("shows the plan: base, warnings with advice, value changes, changelog and diff", async () => {
    await compose({});
    expect($('[data-testid="plan-summary"]').textContent).toContain("stage (env/stage) at bbbbbbb");
    expect($('[data-testid="warnings"]').textContent).toContain("edited directly");
    expect($('[data-testid="warnings"]').textContent).toContain("Talk to its author first");
    const row = $('[data-testid="changes"] tr[data-app="api"]');
    expect(row.querySelector(".old-version")?.textContent).toBe("1.5.0");
    expect(row.querySelector(".new-version")?.textContent).toBe("1.6.0");
    expect($('[data-testid="changelog"]').textContent).toContain("Bump api to 1.6.0");
    expect($('[data-testid="pr-form"]').textContent).toContain("hoist/stage/api-1.6.0");
    expect($('[data-testid="diff"]').textContent).toContain("apps/api/values.yaml");
  });

  it("says when there is nothing to promote", async () => {
    await compose({}, null);
    expect($('[data-testid="nothing"]').textContent).toContain("stage already runs what dev runs");
  });

  it("opens the PR with step-by-step progress and ends with its link", async () => {
    const asked: Record<string, unknown>[] = [];
    const urls: unknown[] = [];
    await compose({
      open_pull_request: (args) => {
        asked.push({ plan: args.plan, reason: args.reason, update: args.update });
        const progress = args.progress as { onmessage: (s: Step) => void };
        progress.onmessage({ step: "checking_target" });
        progress.onmessage({ step: "writing_files", done: 0, total: 1 });
        progress.onmessage({ step: "writing_files", done: 1, total: 1 });
        progress.onmessage({ step: "opening_pull_request" });
        return opened;
      },
      open_url: (args) => void urls.push(args.url),
    });
    const reason = $<HTMLTextAreaElement>('[data-testid="reason"]');
    reason.value = "release train 42";
    reason.dispatchEvent(new Event("input"));
    $('[data-testid="open-pr"]').click();
    await until("the link", () => document.querySelector('[data-testid="opened"]') !== null);
    expect(asked).toEqual([{ plan: "plan-1", reason: "release train 42", update: false }]);
    const steps = [...document.querySelectorAll('[data-testid="steps"] li')].map((li) => [li.textContent, li.className]);
    expect(steps).toEqual([
      ["Checking the target branch is still where the preview saw it", "done"],
      ["Uploading files 1/1", "done"],
      ["Opening the pull request", "done"],
    ]);
    expect($('[data-testid="opened"]').textContent).toContain("Opened pull request #7");
    $('[data-testid="open-in-browser"]').click();
    expect(urls).toEqual([opened.url]);
  });

  it("requires a reason for a rollback before opening", async () => {
    await compose({ open_pull_request: () => opened }, { ...preview, reason_required: true, plan: { ...preview.plan, kind: "rollback" } });
    const open = $<HTMLButtonElement>('[data-testid="open-pr"]');
    expect(open.disabled).toBe(true);
    const reason = $<HTMLTextAreaElement>('[data-testid="reason"]');
    reason.value = "   ";
    reason.dispatchEvent(new Event("input"));
    expect(open.disabled).toBe(true);
    reason.value = "1.6.0 leaks memory";
    reason.dispatchEvent(new Event("input"));
    expect(open.disabled).toBe(false);
  });

  it("offers a new preview when the target moved", async () => {
    let previews = 0;
    await compose({
      preview_promotion: () => (previews++, preview),
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      open_pull_request: () => Promise.reject({ message: "env/stage moved since the preview", advice: "Preview again", code: "target_moved" }),
    });
    $('[data-testid="open-pr"]').click();
    await until("the failure", () => document.querySelector('[data-code="target_moved"]') !== null);
    expect(document.querySelector('[data-testid="steps"] li')).toBeNull();
    $('[data-code="target_moved"] button').click();
    await settle();
    expect(previews).toBe(2);
  });

  it("offers to update an open PR for the same apps", async () => {
    const updates: unknown[] = [];
    await compose({
      open_pull_request: (args) => {
        updates.push(args.update);
        return args.update
          ? { ...opened, outcome: "updated" }
          : // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
            Promise.reject({ message: "pull request #5 already makes this change to stage", advice: null, code: "already_open" });
      },
    });
    $('[data-testid="open-pr"]').click();
    await until("the failure", () => document.querySelector('[data-code="already_open"]') !== null);
    $('[data-code="already_open"] button').click();
    await until("the update", () => document.querySelector('[data-testid="opened"]') !== null);
    expect(updates).toEqual([false, true]);
    expect($('[data-testid="opened"]').textContent).toContain("Updated pull request #7");
  });

  it("previews again in sync mode", async () => {
    const asked: unknown[] = [];
    await compose({ preview_promotion: (args) => (asked.push(args.sync), preview) });
    $('[data-testid="mode-sync"]').click();
    await until("the second preview", () => asked.length === 2);
    expect(asked).toEqual([false, true]);
    expect($('[data-testid="mode-sync"]').getAttribute("aria-pressed")).toBe("true");
  });

  it("goes back with Escape", async () => {
    await compose({});
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(document.querySelector('[data-testid="composer"]')).toBeNull();
    expect(document.querySelector('[data-testid="matrix"]')).not.toBeNull();
  });
});

describe("composer on real layouts", () => {
  it("offers to change the base where the target inherits, and previews again when asked", async () => {
    const asked: Record<string, unknown>[] = [];
    const inherited: Preview = {
      ...preview,
      plan: { ...preview.plan, apps: preview.plan.apps.map((a) => ({ ...a, edit: "override" as const })) },
    };
    await compose({
      preview_promotion: (args) => {
        asked.push(args);
        return args.base === true
          ? { ...inherited, plan: { ...inherited.plan, apps: inherited.plan.apps.map((a) => ({ ...a, edit: "base" as const, file: "base/api.yaml" })) } }
          : inherited;
      },
    });
    expect($('[data-testid="edit-api"]').textContent).toContain("stage inherited it from its base");
    const box = $<HTMLInputElement>('[data-testid="promote-base"]');
    expect(box.checked).toBe(false);
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    await until("the base preview", () => document.querySelector('[data-testid="edit-api"]')?.textContent.includes("the base itself") ?? false);
    expect(asked.map((a) => a.base)).toEqual([false, true]);
    expect($<HTMLInputElement>('[data-testid="promote-base"]').checked).toBe(true);
  });

  it("promotes a rendered environment by merging its next branch, with the dry commits", async () => {
    const rendered: Preview = {
      ...preview,
      branch: null,
      plan: {
        ...preview.plan,
        head: "env/stage-next",
        apps: [{ app: "guestbook", file: "hydrated/guestbook-stage/hydrator.metadata", from: "2".repeat(40), to: "4".repeat(40), compare: null, source: null, edit: "files" }],
        changelog: [],
        warnings: [
          { kind: "bundled", apps: ["cart"], message: "the pull request from env/stage-next also promotes cart: a hydrator's branch is merged whole" },
          { kind: "breaking", apps: ["guestbook"], commit: "3".repeat(40), message: "breaking change in 3333333 (cart), which guestbook brings: cart listens on port 8081" },
        ],
        dry_changes: [
          {
            apps: ["guestbook"],
            from: "2".repeat(40),
            to: "4".repeat(40),
            commits: [
              { id: "4".repeat(40), author: "Alice Martin", email: "alice@acme.example", time: 1_760_000_000, offset: 0, subject: "feat(guestbook): v7 with the new theme (#13)", change: { forge: "github", number: 13 } },
              { id: "3".repeat(40), author: "Bob Okafor", email: "bob@acme.example", time: 1_759_000_000, offset: 0, subject: "fix(cart): 1.1.0 retries declined payments (#12)", change: { forge: "github", number: 12 } },
            ],
            notes: [
              { section: "breaking", kind: "fix", scope: "cart", text: "1.1.0 retries declined payments", breaking: "cart listens on port 8081", change: { forge: "github", number: 12 }, author: "Bob Okafor", commit: "3".repeat(40), references: [{ kind: "issue", number: 9 }, { kind: "ticket", key: "CART-42", url: "https://jira.example/browse/CART-42" }] },
              { section: "features", kind: "feat", scope: "guestbook", text: "v7 with the new theme", breaking: null, change: { forge: "github", number: 13 }, author: "Alice Martin", commit: "4".repeat(40), references: [] },
            ],
            missing: null,
          },
        ],
      },
    };
    const openedUrls: unknown[] = [];
    await compose({
      open_pull_request: () => ({ ...opened, branch: "env/stage-next", outcome: "found" }),
      open_url: (args) => void openedUrls.push(args.url),
    }, rendered);
    expect($('[data-testid="merge-note"]').textContent).toContain("merges env/stage-next");
    expect($('[data-testid="warnings"]').textContent).toContain("Comes along.");
    expect($('[data-testid="warnings"]').textContent).toContain("Breaking change.");
    // Release notes: breaking first, then features; every dry commit below them.
    const sections = [...document.querySelectorAll<HTMLElement>('[data-testid="release-notes"] [data-section]')].map((s) => s.dataset.section);
    expect(sections).toEqual(["breaking", "features"]);
    const breaking = $('[data-section="breaking"]').textContent;
    expect(breaking).toContain("Breaking changes (1)");
    expect(breaking).toContain("1.1.0 retries declined payments");
    expect(breaking).toContain("#12");
    expect(breaking).toContain("cart listens on port 8081");
    $('[data-testid="ticket"]').click();
    expect(openedUrls).toEqual(["https://jira.example/browse/CART-42"]);
    expect($('[data-testid="dry-changes"]').textContent).toContain("All 2 dry commits");
    expect($('[data-testid="open-pr"]').textContent).toBe("Open the pull request from env/stage-next");
    $('[data-testid="open-pr"]').click();
    await until("the result", () => document.querySelector('[data-testid="opened"]') !== null);
    expect($('[data-testid="opened"]').textContent).toContain("Already open (opened by the promoter for this branch): pull request #7");
  });

  it("reads each app's release notes from its source after the preview shows, linked into it", async () => {
    const two: Preview = {
      ...preview,
      plan: {
        ...preview.plan,
        apps: [
          ...preview.plan.apps,
          { app: "worker", file: "apps/worker/values.yaml", from: "0.9.0", to: "0.9.1", compare: null, source: { forge: "github", host: "github.com", path: "acme/worker", url: "https://github.com/acme/worker", from_tag: "0.9.0", to_tag: "0.9.1", inferred: true }, edit: "value" },
        ],
      },
    };
    const api = two.plan.apps[0]?.source;
    const worker = two.plan.apps[1]?.source;
    if (!api || !worker) throw new Error("sources");
    const pending: { finish?: () => void } = {};
    const urls: unknown[] = [];
    const cancelled: unknown[] = [];
    await compose({
      release_notes: (args) => {
        const progress = args.progress as { onmessage: (n: unknown) => void };
        const first = {
          app: "api",
          source: api,
          changes: "https://github.com/acme/api/pull",
          issues: "https://github.com/acme/api/issues",
          outcome: {
            state: "ready",
            commits: 3,
            truncated: false,
            notes: [
              { section: "breaking", kind: "refactor", scope: "db", text: "drop the v1 schema", breaking: "run api migrate first", change: { forge: "github", number: 104 }, author: "erin", commit: "b".repeat(40), references: [] },
              { section: "features", kind: "feat", scope: "auth", text: "log in with SSO", breaking: null, change: { forge: "github", number: 101 }, author: "bob-okafor", commit: "a".repeat(40), references: [{ kind: "issue", number: 88 }] },
            ],
          },
        };
        progress.onmessage(first);
        // The second arrives later: the first is on show meanwhile.
        return new Promise((resolve) => {
          pending.finish = () => {
            const second = { app: "worker", source: worker, changes: "https://github.com/acme/worker/pull", issues: "https://github.com/acme/worker/issues", outcome: { state: "unavailable", reason: "no_token", message: "no GitHub token for github.com: sign in to it" } };
            progress.onmessage(second);
            resolve([first, second]);
          };
        });
      },
      open_url: (args) => void urls.push(args.url),
      cancel: (args) => { cancelled.push(args.kind); return true; },
    }, two);
    await until("the first notes", () => document.querySelector('[data-app="api"][data-state="ready"]') !== null);
    // The preview is on show and usable meanwhile.
    expect($('[data-testid="pr-form"]')).toBeTruthy();
    expect($('[data-testid="app-notes"][data-app="worker"]').dataset.state).toBe("reading");
    expect($('[data-testid="app-notes"][data-app="worker"]').textContent).toContain("Reading the notes of 0.9.0 → 0.9.1 from acme/worker");
    expect($('[data-testid="app-notes"][data-app="worker"] [data-testid="inferred"]')).toBeTruthy();
    const row = $('[data-testid="app-notes"][data-app="api"]');
    expect(row.textContent).toContain("Breaking changes (1)");
    expect(row.textContent).toContain("Features (1)");
    // A breaking change is warned about with the others, once.
    const late = $('[data-testid="notes-warnings"]');
    expect(late.hidden).toBe(false);
    expect(late.textContent).toContain("api 1.6.0 says it breaks something: run api migrate first");
    expect(row.textContent).toContain("log in with SSO");
    row.querySelector<HTMLElement>('[data-section="features"] [data-testid="change-link"]')?.click();
    row.querySelector<HTMLElement>('[data-testid="issue"]')?.click();
    expect(urls).toEqual(["https://github.com/acme/api/pull/101", "https://github.com/acme/api/issues/88"]);
    $('[data-testid="stop-notes"]').click();
    expect(cancelled).toEqual(["notes"]);
    if (!pending.finish) throw new Error("notes were never asked for");
    pending.finish();
    await until("the second notes", () => $('[data-testid="source-notes"]').getAttribute("aria-busy") === "false");
    const unavailable = $('[data-app="worker"] .notes-unavailable');
    expect(unavailable.dataset.reason).toBe("no_token");
    expect(unavailable.textContent).toBe("Notes unavailable: no GitHub token for github.com: sign in to it");
    expect(document.querySelector('[data-testid="stop-notes"]')).toBeNull();
    expect(late.querySelectorAll("li")).toHaveLength(1);
  });
});
