// Repository and settings: open a local clone or clone one with progress,
// recent repositories, the GitHub account (the token goes to the OS keyring
// and never comes back), and the configuration Hoist proposes when the
// repository has none.
import { asFailure } from "./api";
import type { Account } from "./bindings/Account";
import type { Forge } from "./bindings/Forge";
import type { Here } from "./bindings/Here";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import { el } from "./dom";
import { button, failureView } from "./failure";
import type { Screen, Shell } from "./shell";
import { forgeWords } from "./states";

export function settingsView(shell: Shell, view: RepositoryStatus | null, here: Here | null): Screen {
  const path = view?.path ?? here?.path ?? "";
  const opened = async (): Promise<void> => {
    await shell.reload();
    shell.go("environments");
  };
  return {
    node: el(
      "section",
      { class: "settings" },
      el("header", { class: "section-head" }, el("h2", { text: "Repository and settings" })),
      el("div", { class: "settings-grid" }, repositoryCard(shell, path, opened), demoCard(shell, (view?.demo ?? here?.demo ?? null) !== null, opened), cloneCard(shell, opened), accountCard(shell), configCard(shell, view)),
    ),
  };
}

function card(title: string, testid: string, ...children: (Node | null)[]): HTMLElement {
  return el("article", { class: "card", attrs: { "data-testid": testid } }, el("h3", { text: title }), ...children);
}

function repositoryCard(shell: Shell, current: string, opened: () => Promise<void>): HTMLElement {
  const path = el("input", { attrs: { type: "text", placeholder: "/path/to/your/gitops-clone", "aria-label": "Repository folder", "data-testid": "open-path" } });
  const result = el("div");
  const recent = el("ul", { class: "recent", attrs: { "data-testid": "recent" } });
  const open = async (target: string): Promise<void> => {
    result.replaceChildren();
    try {
      await shell.api.openRepository(target);
      await opened();
    } catch (error) {
      result.replaceChildren(failureView(asFailure(error), "Hoist cannot open this folder"));
    }
  };
  path.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void open(path.value);
  });
  void shell.api.recentRepositories().then((paths) => {
    const others = paths.filter((p) => p !== current);
    recent.replaceChildren(...(others.length === 0 ? [el("li", { class: "dim", text: "Repositories you open appear here." })] : others.map((p) => el("li", {}, button(p, () => void open(p), "plain")))));
  });
  return card(
    "Open a local clone",
    "open-card",
    el("p", { class: "dim" }, el("span", { text: "Now: " }), el("span", { class: "mono", text: current })),
    el(
      "div",
      { class: "row" },
      path,
      button(
        "Browse…",
        () =>
          void shell.api.pickFolder().then((folder) => {
            if (folder !== null) void open(folder);
          }),
        "plain",
        "browse",
      ),
      button("Open", () => void open(path.value), "primary", "open-repository"),
    ),
    result,
    el("h4", { text: "Recent" }),
    recent,
  );
}

/**
 * The built-in demo's forge: its sandbox plays GitHub or GitLab over the same
 * generated repository. Shown only when Hoist was started on the demo; from
 * another repository it also offers the way back.
 */
function demoCard(shell: Shell, onDemo: boolean, opened: () => Promise<void>): HTMLElement {
  const body = el("div");
  const node = card("The demo", "demo-card", body);
  node.hidden = true;
  void shell.api.demoForge().then((current) => {
    if (current === null) return;
    node.hidden = false;
    const line = el("p", { class: "dim", attrs: { role: "status", "data-testid": "demo-status" } });
    const result = el("div");
    const forges: Forge[] = ["github", "gitlab"];
    const choices = forges.map((forge) =>
      el("button", { class: "seg", attrs: { type: "button", "data-testid": `demo-${forge}`, "aria-pressed": String(forge === current) }, text: forgeWords[forge].name }),
    );
    const show = async (forge: Forge): Promise<void> => {
      for (const c of choices) c.disabled = true;
      result.replaceChildren();
      line.textContent = forge === current ? "Opening the demo…" : `Starting the demo's sandbox as ${forgeWords[forge].name}…`;
      try {
        await shell.api.openDemo(forge);
        await opened();
      } catch (error) {
        line.textContent = "";
        result.replaceChildren(failureView(asFailure(error), "The demo could not start"));
        for (const c of choices) c.disabled = false;
      }
    };
    choices.forEach((choice, i) => {
      const forge = forges[i];
      choice.addEventListener("click", () => {
        if (forge !== undefined && (forge !== current || !onDemo)) void show(forge);
      });
    });
    body.append(
      el("p", { text: "An offline sandbox on this machine plays the forge for a generated repository: its pull or merge requests, checks and the reconciler's report; nothing leaves the machine. Pick the forge it plays: the repository and its history stay, open requests start afresh." }),
      el("div", { class: "demo-forge" }, el("span", { class: "dim", text: "The sandbox plays" }), el("div", { class: "segmented", attrs: { role: "group", "aria-label": "The demo's forge" } }, ...choices)),
      ...(onDemo ? [] : [el("div", { class: "actions" }, button("Open the demo", () => void show(current), "primary", "open-demo"))]),
      line,
      result,
    );
  });
  return node;
}

function cloneCard(shell: Shell, opened: () => Promise<void>): HTMLElement {
  const url = el("input", { attrs: { type: "text", placeholder: "https://github.com/acme/gitops.git", "aria-label": "Repository URL", "data-testid": "clone-url" } });
  const into = el("input", { attrs: { type: "text", placeholder: "/home/you/src/gitops", "aria-label": "Clone into folder", "data-testid": "clone-into" } });
  const line = el("div", { class: "mono dim", attrs: { role: "status", "data-testid": "clone-progress" } });
  const result = el("div");
  const go = button("Clone", () => void run(), "primary", "clone");
  const stop = button("Stop", () => void shell.api.cancel("clone"), "plain", "stop-clone");
  stop.hidden = true;
  const run = async (): Promise<void> => {
    go.disabled = true;
    stop.hidden = false;
    result.replaceChildren();
    line.textContent = "Starting…";
    try {
      await shell.api.cloneRepository(url.value, into.value, (text) => (line.textContent = text));
      line.textContent = "Cloned.";
      await opened();
    } catch (error) {
      const f = asFailure(error);
      line.textContent = "";
      result.replaceChildren(failureView(f, f.code === "cancelled" ? "Clone stopped" : "The clone failed"));
    } finally {
      go.disabled = false;
      stop.hidden = true;
    }
  };
  return card("Clone a repository", "clone-card", el("div", { class: "stack" }, url, into), el("div", { class: "actions" }, go, stop), line, result);
}

/** Where the demo's token comes from, as the Rust side names it. */
const DEMO_ACCOUNT = "the demo's sandbox account";

function accountCard(shell: Shell): HTMLElement {
  const words = shell.words();
  const body = el("div", { attrs: { "data-testid": "account" } }, el("p", { class: "dim", text: `Asking ${words.name}…` }));
  const token = el("input", { attrs: { type: "password", autocomplete: "off", placeholder: words.tokenHint, "aria-label": `${words.name} token`, "data-testid": "token" } });
  const api = el("input", { attrs: { type: "text", placeholder: "GitHub Enterprise Server only: https://ghe.example.com/api/v3", "aria-label": "API URL", "data-testid": "api-url" } });
  // GitLab's API is always at /api/v4 on its host: nothing to name.
  api.hidden = words.name !== forgeWords.github.name;
  const result = el("div");
  const form = (): HTMLElement =>
    el("div", { class: "stack" }, el("div", { class: "row" }, token, button("Sign in", () => void signIn(), "primary", "sign-in")), api, result);
  const draw = (a: Account): void => {
    const who =
      a.token_source === null
        ? el("p", { attrs: { "data-testid": "signed-out" }, text: `Not signed in to ${a.host}. Paste a token to sign in; it is checked with ${forgeWords[a.forge].name}, then kept in the OS keyring.` })
        : a.login !== null
          ? el("p", { attrs: { "data-testid": "signed-in" } }, el("span", { text: `Signed in to ${a.host} as ` }), el("strong", { text: a.login }), el("span", { class: "dim", text: ` (token from ${a.token_source}; ${a.scopes === null ? "fine-grained token" : `scopes: ${a.scopes}`})` }))
          : el("p", { class: "error-text", attrs: { "data-testid": "token-problem" }, text: `The token from ${a.token_source} does not work: ${a.problem ?? "unknown"}` });
    body.replaceChildren(who);
    // The demo's sandbox account is handed over in memory; there is nothing to sign in to.
    if (a.token_source !== DEMO_ACCOUNT) body.append(form());
    if (a.token_source === "the OS keyring") body.append(button("Sign out", () => void signOut(), "plain", "sign-out"));
  };
  const load = async (): Promise<void> => {
    try {
      draw(await shell.api.account());
    } catch (error) {
      // An origin Hoist does not know may be a GitHub Enterprise Server:
      // signing in with its API URL teaches Hoist the host.
      body.replaceChildren(failureView(asFailure(error), `Hoist cannot tell which ${words.name} this repository uses`), form());
    }
  };
  const signIn = async (): Promise<void> => {
    result.replaceChildren();
    try {
      const account = await shell.api.signIn(token.value, api.value.trim() || null);
      token.value = "";
      draw(account);
    } catch (error) {
      token.value = "";
      result.replaceChildren(failureView(asFailure(error), "Not signed in"));
    }
  };
  const signOut = async (): Promise<void> => {
    await shell.api.signOut();
    await load();
  };
  void load();
  return card(`${words.name} account`, "account-card", body);
}

function configCard(shell: Shell, view: RepositoryStatus | null): HTMLElement {
  const body = el(
    "div",
    {},
    el("p", { class: "dim" }, el("span", { text: "Configuration: " }), el("span", { class: "mono", text: view?.config ?? "cannot be read" })),
    el("div", { class: "actions" }, button("Open the configuration editor", () => { shell.go("configure"); }, "plain", "open-editor")),
  );
  void shell.api.proposedConfig().then(
    (yaml) => {
      if (yaml === null) return;
      const result = el("div", { attrs: { "data-testid": "proposal-result" } });
      const propose = button(`Propose it as a ${shell.words().change}`, () => void run(), "primary", "propose-config");
      const run = async (): Promise<void> => {
        propose.disabled = true;
        result.replaceChildren(el("p", { class: "dim", attrs: { role: "status" }, text: `Opening the ${shell.words().change}…` }));
        try {
          const opened = await shell.api.proposeConfig();
          result.replaceChildren(
            el("p", {}, el("strong", { text: `${opened.outcome === "created" ? "Opened" : "Already open:"} ${shell.words().change} ${shell.words().sigil}${String(opened.number)} ` }), button("Open in browser", () => void shell.api.openUrl(opened.url))),
          );
        } catch (error) {
          result.replaceChildren(failureView(asFailure(error), `The ${shell.words().change} could not be opened`));
        } finally {
          propose.disabled = false;
        }
      };
      body.append(
        el("p", { text: `This repository has no .hoist.yaml yet. Hoist detected the configuration below from its branches and files. Propose it as a ${shell.words().change} on the default branch so everyone's Hoist reads the same; review and adjust it there.` }),
        el("pre", { class: "proposed mono", attrs: { "data-testid": "proposed-config" }, text: yaml }),
        el("div", { class: "actions" }, propose, button("Copy", () => void navigator.clipboard.writeText(yaml), "plain", "copy-config")),
        result,
      );
    },
    (error: unknown) => { body.append(failureView(asFailure(error), "Hoist cannot propose a configuration")); },
  );
  return card("Configuration", "config-card", body);
}
