// The window against mocked IPC: what the Rust `status` command returns (or
// how it fails) is faked; everything from invoke() onwards is the real code.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import { mount } from "./main";

const commit = (subject: string, pr: number | null) => ({
  id: "02ee3e1131778f398f9a631b422e5cdd7d72b187",
  author: "Erin Kowalski",
  email: "erin@acme.example",
  time: 1_760_000_000,
  offset: 3600,
  subject,
  pr,
});

const env = (name: string) => ({ name, branch: `env/${name}`, path: ".", upstream: null, tip: commit(`tip of ${name}`, null) });

const view: RepositoryStatus = {
  path: "/repos/gitops",
  config: ".hoist.yaml on main",
  shallow: false,
  demo: null,
  status: {
    environments: [env("dev"), env("stage"), env("prod")],
    apps: [
      {
        name: "api",
        cells: [
          { state: "version", version: "1.6.0", file: "apps/api/values.yaml", since: commit("Promote api to 1.6.0 (#41)", 41), pending: false },
          { state: "version", version: "1.5.0", file: "apps/api/values.yaml", since: commit("Promote api to 1.5.0 (#34)", 34), pending: true },
          { state: "error", message: "apps/api/values.yaml does not exist on branch env/prod" },
        ],
      },
      {
        name: "worker",
        cells: [
          { state: "version", version: "sha256:0482c4aea1af397e54200017866d778ce32e1daac473f2cd09a9159d2e69b6ef", file: "k.yaml", since: null, pending: false },
          { state: "absent" },
          { state: "absent" },
        ],
      },
    ],
  },
};

const cell = (app: string, envName: string): HTMLElement => {
  const found = document.querySelector<HTMLElement>(`td[data-app="${app}"][data-env="${envName}"]`);
  if (!found) throw new Error(`no cell ${app}/${envName}`);
  return found;
};

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
});

async function mountWith(handler: (cmd: string) => unknown): Promise<void> {
  mockIPC(handler);
  const root = document.createElement("div");
  document.body.append(root);
  await mount(root);
}

describe("status matrix", () => {
  it("shows every version, pending marks and the commit that set it", async () => {
    await mountWith((cmd) => (cmd === "status" ? view : undefined));
    expect(document.querySelector('[data-testid="matrix"]')).not.toBeNull();
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

  it("shows the engine's failure with advice instead of a matrix", async () => {
    // Tauri rejects a failed command with the serialised `Failure`, a plain object.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await mountWith(() => Promise.reject({ message: "/tmp/x is not a git repository", advice: "Start Hoist on a local clone" } as const));
    const failure = document.querySelector('[data-testid="failure"]');
    expect(failure?.textContent).toContain("/tmp/x is not a git repository");
    expect(failure?.textContent).toContain("Start Hoist on a local clone");
    expect(document.querySelector('[data-testid="matrix"]')).toBeNull();
  });

  it("says so when the window shows the demo", async () => {
    await mountWith(() => view);
    expect(document.querySelector('[data-testid="demo-banner"]')).toBeNull();
    document.body.innerHTML = "";
    await mountWith(() => ({ ...view, demo: "http://127.0.0.1:4567" }));
    const banner = document.querySelector('[data-testid="demo-banner"]');
    expect(banner?.textContent).toContain("Demo.");
    expect(banner?.textContent).toContain("offline sandbox at http://127.0.0.1:4567");
  });

  it("guides the user when no apps are configured", async () => {
    await mountWith(() => ({ ...view, status: { ...view.status, apps: [] } }));
    expect(document.querySelector('[data-testid="empty"]')?.textContent).toContain("hoist init");
  });

  it("refreshes on demand", async () => {
    let calls = 0;
    await mountWith(() => {
      calls += 1;
      return view;
    });
    document.querySelector<HTMLButtonElement>("button")?.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toBe(2);
  });
});
