// The window's shell and matrix against mocked IPC: what the Rust commands
// return (or how they fail) is faked; everything from invoke() on is real.
import { afterEach, describe, expect, it } from "vitest";
import { $, mountWith, reset, settle, until, view } from "./test/fixtures";

const cell = (app: string, envName: string): HTMLElement => $(`td[data-app="${app}"][data-env="${envName}"]`);

// The lanes ask GitHub for PRs and tip checks; these answer for every test here.
const github = { pull_requests: () => [], checks: ({ sha }: Record<string, unknown>) => ({ sha, state: "success", items: [{ name: "argo-cd", state: "success", description: "Healthy", url: null }] }) };

afterEach(reset);

describe("status matrix", () => {
  it("shows every version, pending marks and the commit that set it", async () => {
    await mountWith({ status: () => view, ...github });
    expect(cell("api", "dev").querySelector(".version")?.textContent).toBe("1.6.0");
    expect(cell("api", "stage").dataset.state).toBe("pending");
    expect(cell("api", "stage").textContent).toContain("pending");
    expect(cell("api", "stage").title).toContain("Promote api to 1.5.0 (#34)");
    expect(cell("api", "dev").dataset.state).toBe("current");
    expect(cell("api", "dev").textContent).toContain("#41");
    expect(cell("api", "prod").dataset.state).toBe("error");
    expect(cell("api", "prod").textContent).toContain("does not exist on branch env/prod");
    expect(cell("worker", "stage").textContent).toBe("—");
    // Digests are shortened on screen but kept whole in the data and title.
    expect(cell("worker", "dev").querySelector(".version")?.textContent).toBe("sha256:0482c4aea1af…");
    expect(cell("worker", "dev").title).toContain("0482c4aea1af397e54200017866d778ce32e1daac473f2cd09a9159d2e69b6ef");
    const headers = [...document.querySelectorAll("th.env .env-name")].map((h) => h.textContent);
    expect(headers).toEqual(["dev", "stage", "prod"]);
  });

  it("shows the engine's failure with advice and a way to try again", async () => {
    let calls = 0;
    await mountWith({
      status: () => {
        calls += 1;
        // Tauri rejects a failed command with the serialised `Failure`, a plain object.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject({ message: "/tmp/x is not a git repository", advice: "Start Hoist on a local clone", code: null });
      },
    });
    const failure = $('[data-testid="failure"]');
    expect(failure.textContent).toContain("/tmp/x is not a git repository");
    expect(failure.textContent).toContain("Start Hoist on a local clone");
    expect(document.querySelector('[data-testid="matrix"]')).toBeNull();
    failure.querySelector("button")?.click();
    await settle();
    expect(calls).toBe(2);
  });

  it("says so when the window shows the demo", async () => {
    await mountWith({ status: () => view, ...github });
    expect(document.querySelector('[data-testid="demo-banner"]')).toBeNull();
    reset();
    await mountWith({ status: () => ({ ...view, demo: "http://127.0.0.1:4567" }), ...github });
    const banner = $('[data-testid="demo-banner"]');
    expect(banner.textContent).toContain("Demo.");
    expect(banner.textContent).toContain("offline sandbox at http://127.0.0.1:4567");
  });

  it("opens the configuration editor when no apps are configured, and the matrix says where to go", async () => {
    const editor = { survey: () => ({ environments: [], apps: [], problem: null, left_out: [] }), draft_status: () => Promise.reject(new Error("empty")) };
    await mountWith({ status: () => ({ ...view, status: { ...view.status, apps: [] } }), ...github, ...editor });
    await until("the editor", () => document.querySelector('[data-testid="configure"]') !== null);
    expect($('[data-view="configure"]').getAttribute("aria-selected")).toBe("true");
    $('[data-view="environments"]').click();
    expect($('[data-testid="empty"]').textContent).toContain("configuration editor");
  });
});

describe("shell", () => {
  it("switches screens with the tabs and the number keys", async () => {
    await mountWith({ status: () => view, history: () => ({ changes: [], complete: true }), ...github });
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "2" }));
    await until("the tracker", () => document.querySelector('[data-testid="no-pulls"]') !== null);
    expect($('[data-view="pulls"]').getAttribute("aria-selected")).toBe("true");
    $('[data-view="history"]').click();
    await until("the history", () => document.querySelector('[data-testid="no-history"]') !== null);
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "1" }));
    expect(document.querySelector('[data-testid="matrix"]')).not.toBeNull();
  });

  it("runs commands from the palette", async () => {
    await mountWith({ status: () => view, ...github });
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "k", ctrlKey: true }));
    const input = $<HTMLInputElement>('[data-testid="palette-input"]');
    input.value = "pull req";
    input.dispatchEvent(new Event("input"));
    expect([...document.querySelectorAll(".palette-list li")].map((li) => li.textContent)).toEqual(["Go to Pull requests2"]);
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(document.querySelector('[data-testid="palette"]')).toBeNull();
    await until("the tracker", () => document.querySelector('[data-testid="no-pulls"]') !== null);
  });

  it("fetches from origin with progress, then reloads; a second press stops it", async () => {
    let statusCalls = 0;
    let finish: (() => void) | null = null;
    const cancelled: unknown[] = [];
    await mountWith({
      status: () => {
        statusCalls += 1;
        return view;
      },
      ...github,
      fetch: (args) => {
        const progress = args.progress as { onmessage: (line: string) => void };
        progress.onmessage("Receiving objects:  50% (5/10)");
        return new Promise<void>((resolve) => (finish = resolve));
      },
      cancel: (args) => {
        cancelled.push(args.kind);
        return true;
      },
    });
    $('[data-testid="fetch"]').click();
    await settle();
    expect($('[data-testid="fetch-state"]').textContent).toBe("Receiving objects:  50% (5/10)");
    expect($('[data-testid="fetch"]').textContent).toBe("Stop");
    $('[data-testid="fetch"]').click();
    await settle();
    expect(cancelled).toEqual(["fetch"]);
    (finish as unknown as () => void)();
    await until("the reload", () => statusCalls === 2);
    expect($('[data-testid="fetch-state"]').textContent).toContain("Fetched");
  });
});

describe("a large repository", () => {
  it("shows the versions at once and who set them as each environment's walk ends", async () => {
    const bare = {
      ...view,
      origins_pending: true,
      status: {
        ...view.status,
        apps: view.status.apps.map((row) => ({ ...row, cells: row.cells.map((c) => (c.state === "version" ? { ...c, since: null } : c)) })),
      },
    };
    const walk: { send?: (o: unknown) => void; finish?: () => void } = {};
    await mountWith({
      status: () => bare,
      ...github,
      origins: (args) => {
        walk.send = (o) => { (args.progress as { onmessage: (m: unknown) => void }).onmessage(o); };
        return new Promise<void>((resolve) => { walk.finish = resolve; });
      },
    });
    expect(cell("api", "dev").querySelector(".cell-meta")?.textContent).toBe("…");
    await until("the walk to start", () => walk.send !== undefined);
    walk.send?.({ environment: "dev", since: [view.status.apps[0]?.cells[0]?.state === "version" ? view.status.apps[0].cells[0].since : null, null, null] });
    await until("dev's origins", () => cell("api", "dev").textContent.includes("#41"));
    // stage's walk is still going.
    expect(cell("api", "stage").querySelector(".cell-meta")?.textContent).toBe("…");
    walk.finish?.();
    await until("the end", () => cell("api", "stage").querySelector(".cell-meta")?.textContent === "origin not in the available history");
  });
});
