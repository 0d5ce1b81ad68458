// Repository and settings: open, recent, clone with progress, sign in and
// out, and the proposed configuration.
import { afterEach, describe, expect, it } from "vitest";
import type { Account } from "./bindings/Account";
import { $, mountWith, reset, settle, until, view } from "./test/fixtures";

afterEach(reset);

const lanes = { pull_requests: () => [], checks: ({ sha }: Record<string, unknown>) => ({ sha, state: "success", items: [] }) };
const signedOut: Account = { forge: "github", host: "github.com", token_source: null, login: null, scopes: null, problem: null };
const signedIn: Account = { forge: "github", host: "github.com", token_source: "the OS keyring", login: "erin", scopes: "repo", problem: null };

async function settings(handlers: Record<string, (args: Record<string, unknown>) => unknown>): Promise<void> {
  await mountWith({ status: () => view, ...lanes, account: () => signedOut, recent_repositories: () => [], proposed_config: () => null, ...handlers });
  $('[data-view="settings"]').click();
  await until("the account", () => document.querySelector('[data-testid="account"] p:not(.dim)') !== null);
}

describe("repository and settings", () => {
  it("opens a local clone and the recent ones, then shows its environments", async () => {
    const opened: unknown[] = [];
    await settings({ open_repository: (args) => void opened.push(args.path), recent_repositories: () => [view.path, "/repos/other"], pick_folder: () => "/repos/picked" });
    await until("the recent list", () => $('[data-testid="recent"]').textContent.includes("/repos/other"));
    // The open repository is not offered again.
    expect($('[data-testid="recent"]').textContent).not.toContain(view.path);
    $('[data-testid="recent"] button').click();
    await until("the environments", () => document.querySelector('[data-testid="matrix"]') !== null);
    $('[data-view="settings"]').click();
    const path = $<HTMLInputElement>('[data-testid="open-path"]');
    path.value = "/repos/third";
    $('[data-testid="open-repository"]').click();
    await until("the environments", () => document.querySelector('[data-testid="matrix"]') !== null);
    $('[data-view="settings"]').click();
    $('[data-testid="browse"]').click();
    await until("the environments", () => document.querySelector('[data-testid="matrix"]') !== null);
    expect(opened).toEqual(["/repos/other", "/repos/third", "/repos/picked"]);
  });

  it("says why a folder cannot be opened, where it was typed", async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await settings({ open_repository: () => Promise.reject({ message: "/tmp/x is not a git repository", advice: null, code: null }) });
    $<HTMLInputElement>('[data-testid="open-path"]').value = "/tmp/x";
    $('[data-testid="open-repository"]').click();
    await until("the failure", () => $('[data-testid="open-card"]').querySelector('[data-testid="failure"]') !== null);
    expect($('[data-testid="open-card"]').textContent).toContain("not a git repository");
  });

  it("clones with progress and can stop", async () => {
    const cancelled: unknown[] = [];
    // The clone ends when it is stopped, not on a timer a slow machine may
    // reach before the progress is looked at.
    const clone: { stop?: () => void } = {};
    await settings({
      clone_repository: (args) => {
        (args.progress as { onmessage: (l: string) => void }).onmessage("Receiving objects:  42% (420/1000)");
        return new Promise((_, reject) => {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          clone.stop = () => { reject({ message: "the clone was stopped; nothing was kept", advice: null, code: "cancelled" }); };
        });
      },
      cancel: (args) => {
        cancelled.push(args.kind);
        clone.stop?.();
        return true;
      },
    });
    $<HTMLInputElement>('[data-testid="clone-url"]').value = "https://github.com/acme/gitops.git";
    $<HTMLInputElement>('[data-testid="clone-into"]').value = "/tmp/gitops";
    $('[data-testid="clone"]').click();
    await settle();
    expect($('[data-testid="clone-progress"]').textContent).toBe("Receiving objects:  42% (420/1000)");
    $('[data-testid="stop-clone"]').click();
    await until("the stop", () => $('[data-testid="clone-card"]').textContent.includes("Clone stopped"));
    expect(cancelled).toEqual(["clone"]);
  });

  it("signs in with a token it never shows again, and signs out", async () => {
    let account = signedOut;
    const tokens: unknown[] = [];
    await settings({
      account: () => account,
      sign_in: (args) => {
        tokens.push(args.token, args.apiUrl);
        account = signedIn;
        return signedIn;
      },
      sign_out: () => {
        account = signedOut;
        return true;
      },
    });
    expect($('[data-testid="signed-out"]').textContent).toContain("Not signed in to github.com");
    const token = $<HTMLInputElement>('[data-testid="token"]');
    expect(token.type).toBe("password");
    token.value = "ghp_secret";
    $('[data-testid="sign-in"]').click();
    await until("signed in", () => document.querySelector('[data-testid="signed-in"]') !== null);
    expect(tokens).toEqual(["ghp_secret", null]);
    expect($('[data-testid="signed-in"]').textContent).toContain("as erin (token from the OS keyring; scopes: repo)");
    expect($<HTMLInputElement>('[data-testid="token"]').value).toBe("");
    expect(document.body.innerHTML).not.toContain("ghp_secret");
    $('[data-testid="sign-out"]').click();
    await until("signed out", () => document.querySelector('[data-testid="signed-out"]') !== null);
  });

  it("signs in to a GitHub Enterprise Server the origin names, with its API URL", async () => {
    const asked: unknown[] = [];
    await mountWith({
      status: () => view,
      ...lanes,
      recent_repositories: () => [],
      proposed_config: () => null,
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      account: () => Promise.reject({ message: "the origin's host ghe.acme.corp is not a known GitHub host", advice: null, code: null }),
      sign_in: (args) => (asked.push([args.token, args.apiUrl]), { ...signedIn, host: "ghe.acme.corp" }),
    });
    $('[data-view="settings"]').click();
    await until("the failure", () => $('[data-testid="account"]').querySelector('[data-testid="failure"]') !== null);
    $<HTMLInputElement>('[data-testid="token"]').value = "ghp_enterprise";
    $<HTMLInputElement>('[data-testid="api-url"]').value = " https://ghe.acme.corp/api/v3 ";
    $('[data-testid="sign-in"]').click();
    await until("signed in", () => document.querySelector('[data-testid="signed-in"]') !== null);
    expect(asked).toEqual([["ghp_enterprise", "https://ghe.acme.corp/api/v3"]]);
    expect($('[data-testid="signed-in"]').textContent).toContain("ghe.acme.corp as erin");
  });

  it("says when the stored token no longer works", async () => {
    await settings({ account: () => ({ ...signedIn, login: null, problem: "GitHub rejected the token for github.com (bad, expired or revoked credentials)" }) });
    expect($('[data-testid="token-problem"]').textContent).toContain("revoked");
  });

  it("proposes a configuration when the repository has none, as a pull request", async () => {
    let asked = 0;
    await settings({
      proposed_config: () => "environments:\n  - name: dev\n",
      propose_config: () => {
        asked += 1;
        return { number: 3, url: "http://127.0.0.1:1/acme/gitops/pull/3", branch: "hoist/configure", commit: "a".repeat(40), outcome: "created" };
      },
    });
    await until("the proposal", () => document.querySelector('[data-testid="proposed-config"]') !== null);
    expect($('[data-testid="proposed-config"]').textContent).toBe("environments:\n  - name: dev\n");
    $('[data-testid="propose-config"]').click();
    await until("the pull request", () => $('[data-testid="proposal-result"]').textContent.includes("#3"));
    expect(asked).toBe(1);
    expect($('[data-testid="proposal-result"]').textContent).toContain("Opened pull request #3");
  });

  it("shows nothing to propose when the repository has a configuration", async () => {
    await settings({});
    await settle();
    expect(document.querySelector('[data-testid="proposed-config"]')).toBeNull();
    expect($('[data-testid="config-card"]').textContent).toContain(".hoist.yaml on main");
  });

  it("offers the demo's forge only when Hoist started on the demo", async () => {
    await settings({});
    await settle();
    expect($('[data-testid="demo-card"]').hidden).toBe(true);
  });

  it("restarts the demo as the other forge, and leaves the running one alone", async () => {
    const asked: unknown[] = [];
    await settings({ status: () => ({ ...view, demo: "http://127.0.0.1:1" }), demo_forge: () => "github", open_demo: (args) => void asked.push(args.forge) });
    await until("the demo card", () => !$('[data-testid="demo-card"]').hidden);
    expect($('[data-testid="demo-github"]').getAttribute("aria-pressed")).toBe("true");
    expect(document.querySelector('[data-testid="open-demo"]')).toBeNull();
    $('[data-testid="demo-github"]').click();
    await settle();
    expect(asked).toEqual([]);
    $('[data-testid="demo-gitlab"]').click();
    await until("the environments", () => document.querySelector('[data-testid="matrix"]') !== null);
    expect(asked).toEqual(["gitlab"]);
  });

  it("goes back to the demo from another repository, and says why it could not", async () => {
    const asked: unknown[] = [];
    await settings({
      demo_forge: () => "gitlab",
      open_demo: (args) => {
        asked.push(args.forge);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject({ message: "cannot create /home/x/.cache/hoist/demo: Permission denied", advice: null, code: null });
      },
    });
    await until("the demo card", () => !$('[data-testid="demo-card"]').hidden);
    $('[data-testid="open-demo"]').click();
    await until("the failure", () => $('[data-testid="demo-card"]').querySelector('[data-testid="failure"]') !== null);
    expect(asked).toEqual(["gitlab"]);
    expect($('[data-testid="demo-card"]').textContent).toContain("Permission denied");
    expect($<HTMLButtonElement>('[data-testid="demo-gitlab"]').disabled).toBe(false);
  });
});
