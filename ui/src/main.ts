import "./style.css";
import { api as tauriApi, asFailure, type Api } from "./api";
import type { Failure } from "./bindings/Failure";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import type { Here } from "./bindings/Here";
import { composer } from "./composer";
import { el } from "./dom";
import { failureView } from "./failure";
import { palette, type Command } from "./palette";
import { screenOrder, screens, type ScreenId } from "./screens";
import type { Screen, Shell } from "./shell";
import { forgeWords, type ForgeWords } from "./states";
import { watch } from "./watch";

/** The whole window: a header with the repository, tabs, and the screen below.
 * Resolves, once the first screen shows, to a function that takes it down. */
export async function mount(root: HTMLElement, api: Api = tauriApi): Promise<() => void> {
  const listening = new AbortController();
  const main = el("main", { class: "content" });
  const repo = el("div", { class: "repo" });
  const tabs = el("nav", { class: "tabs", attrs: { role: "tablist" } });
  const fetchState = el("span", { class: "fetch-state dim", attrs: { "data-testid": "fetch-state", role: "status" } });
  const fetchButton = el("button", { class: "button", attrs: { type: "button", title: "Fetch from origin (F)", "data-testid": "fetch" }, text: "Fetch" });
  const banner = el("div");
  root.replaceChildren(
    el(
      "header",
      { class: "topbar" },
      el("div", { class: "brand" }, el("span", { class: "logo", text: "▲" }), el("span", { text: "Hoist" })),
      tabs,
      repo,
      fetchState,
      fetchButton,
      el("button", { class: "button ghost", attrs: { type: "button", title: "Command palette (Ctrl+K)", "data-testid": "palette-button" }, text: "Ctrl+K" }),
    ),
    banner,
    main,
  );

  let status: RepositoryStatus | null = null;
  /** Why the repository cannot be shown, while it cannot. */
  let failure: Failure | null = null;
  let here: Here | null = null;
  let current: ScreenId = "environments";
  /** The editor opens by itself once per repository with nothing to show. */
  let guided = false;
  let lastPath: string | null = null;
  const arrived = (path: string | undefined): void => {
    if (path !== undefined && path !== lastPath) guided = false;
    lastPath = path ?? lastPath;
  };
  let dispose: (() => void) | null = null;

  const show = (screen: Screen): void => {
    dispose?.();
    dispose = screen.dispose ?? null;
    main.replaceChildren(screen.node);
  };
  const fail = (node: HTMLElement): void => { show({ node }); };

  /** The screen on show; a reload leaves one that keeps its work as it is. */
  let shown: ScreenId | null = null;
  const keptOnReload = (): boolean => screens[current].keepsWorkOnReload === true && shown === current;
  const render = (reloading = false): void => {
    for (const tab of tabs.querySelectorAll<HTMLButtonElement>("button")) {
      tab.setAttribute("aria-selected", String(tab.dataset.view === current));
      // The forge is known once the repository is read: "Merge requests" on GitLab.
      const id = screenOrder.find((s) => s === tab.dataset.view);
      if (id !== undefined) {
        const label = screens[id].label(shell.words());
        tab.textContent = label;
        tab.title = withKey(id, label);
      }
    }
    if (reloading && keptOnReload()) return;
    shown = current;
    const screen = screens[current];
    if (screen.needs === "nothing") {
      show(screen.open(shell, { status, here }));
      return;
    }
    if (status === null) {
      if (failure === null) return;
      const actions = [
        { label: "Try again", run: () => void reload() },
        ...(failure.code === "configure" ? [{ label: "Open the configuration editor", run: () => { shell.go("configure"); } }] : []),
        { label: "Open another repository", run: () => { shell.go("settings"); } },
      ];
      fail(failureView(failure, "Hoist cannot show this repository", actions));
      return;
    }
    show(screen.open(shell, status));
  };

  const originListeners = new Set<() => void>();
  /** Fills in the commits that set each version, one environment at a time. */
  const loadOrigins = (shown: RepositoryStatus): void => {
    void api
      .origins((arrived) => {
        if (status !== shown) return;
        const column = shown.status.environments.findIndex((e) => e.name === arrived.environment);
        if (column < 0) return;
        shown.status.apps.forEach((row, i) => {
          const cell = row.cells[column];
          if (cell?.state === "version") cell.since = arrived.since[i] ?? null;
        });
        for (const listener of originListeners) listener();
      })
      .then(
        () => {
          if (status === shown) shown.origins_pending = false;
          for (const listener of originListeners) listener();
        },
        () => undefined,
      );
  };

  const reload = async (): Promise<void> => {
    if (!keptOnReload()) {
      main.replaceChildren(el("div", { class: "loading", attrs: { "data-testid": "loading", role: "status" }, text: "Reading the environments…" }));
    }
    try {
      status = await api.status();
      if (status.origins_pending) loadOrigins(status);
      failure = null;
      here = { path: status.path, demo: status.demo, forge: status.forge };
      arrived(status.path);
      repo.replaceChildren(
        el("span", { class: "mono", text: status.path }),
        el("span", { class: "dim", text: ` · config: ${status.config}` }),
        ...(status.shallow ? [el("span", { class: "badge warn-badge", text: "shallow clone: some origins unknown" })] : []),
      );
      banner.replaceChildren(...(status.demo === null ? [] : [demoBanner(status.demo, forgeWords[status.forge])]));
      // Nothing to show yet: the editor is where that gets fixed.
      if (status.status.apps.length === 0 && !guided && current === "environments") {
        guided = true;
        current = "configure";
      }
    } catch (error) {
      status = null;
      failure = asFailure(error);
      here = await api.here().catch(() => null);
      arrived(here?.path);
      repo.replaceChildren(el("span", { class: "mono", text: here?.path ?? "" }), el("span", { class: "dim", text: " · cannot be shown" }));
      banner.replaceChildren(...(here?.demo ? [demoBanner(here.demo, forgeWords[here.forge])] : []));
      if (failure.code === "configure" && !guided && current === "environments") {
        guided = true;
        current = "configure";
      }
    }
    render(true);
  };

  const shell: Shell = {
    api,
    status: () => status,
    words: () => forgeWords[status?.forge ?? here?.forge ?? "github"],
    go: (screen) => {
      current = screen;
      render();
    },
    compose: (request) => {
      for (const tab of tabs.querySelectorAll("button")) tab.setAttribute("aria-selected", "false");
      show(composer(shell, request, () => { shell.go(current); }));
    },
    reload,
    onOrigins: (listener) => {
      originListeners.add(listener);
      return () => originListeners.delete(listener);
    },
  };

  for (const id of screenOrder) {
    const label = screens[id].label(shell.words());
    const tab = el("button", { class: "tab", attrs: { type: "button", role: "tab", "data-view": id, title: withKey(id, label) }, text: label });
    tab.addEventListener("click", () => { shell.go(id); });
    tabs.append(tab);
  }

  let fetching = false;
  const fetchNow = async (): Promise<void> => {
    if (fetching) {
      await api.cancel("fetch");
      return;
    }
    fetching = true;
    fetchButton.textContent = "Stop";
    fetchState.textContent = "Fetching…";
    try {
      await api.fetch((line) => (fetchState.textContent = line));
      fetchState.textContent = `Fetched ${new Date().toLocaleTimeString()}`;
      await reload();
    } catch (error) {
      const f = asFailure(error);
      fetchState.textContent = f.code === "cancelled" ? "Fetch stopped" : "";
      if (f.code !== "cancelled") fail(failureView(f, "Fetching from origin failed", [{ label: "Fetch again", run: () => void fetchNow() }]));
    } finally {
      fetching = false;
      fetchButton.textContent = "Fetch";
    }
  };
  fetchButton.addEventListener("click", () => void fetchNow());

  const commands = (): Command[] => [
    ...screenOrder.map((id) => ({ label: `Go to ${screens[id].label(shell.words())}`, hint: screens[id].key ?? "", run: () => { shell.go(id); } })),
    { label: "Fetch from origin", hint: "F", run: () => void fetchNow() },
    { label: "Reload the environments", hint: "R", run: () => void reload() },
    ...(status?.status.environments ?? []).flatMap((env) =>
      env.upstream === null
        ? []
        : [{ label: `Promote ${env.upstream} → ${env.name}`, hint: "", run: () => { shell.compose({ kind: "promotion", source: env.upstream ?? "", target: env.name, apps: [] }); } }],
    ),
  ];
  const openPalette = (): void => { palette(document.body, commands()); };
  root.querySelector('[data-testid="palette-button"]')?.addEventListener("click", openPalette);

  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      openPalette();
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey || document.querySelector(".palette")) return;
    const screen = screenOrder.find((id) => screens[id].key === event.key);
    if (screen) shell.go(screen);
    else if (event.key === "r") void reload();
    else if (event.key === "f") void fetchNow();
  }, { signal: listening.signal });

  await reload();
  // The first screen is interactive: startup measurement stops its clock here.
  void api.ready().catch(() => undefined);
  const unwatch = watch(api, () => status);
  return () => {
    unwatch();
    listening.abort();
    dispose?.();
    dispose = null;
  };
}

/** A name with the key that shows the screen, as the tooltips say it: "History (3)". */
function withKey(id: ScreenId, name: string): string {
  const key = screens[id].key;
  return key === undefined ? name : `${name} (${key})`;
}

function demoBanner(url: string, words: ForgeWords): HTMLElement {
  return el(
    "p",
    { class: "demo-banner", attrs: { "data-testid": "demo-banner", role: "note" } },
    el("strong", { text: "Demo. " }),
    el("span", {
      text: `A generated GitOps repository; its ${words.name} is Hoist's offline sandbox at ${url}. Nothing here reaches the internet. Open your own clone from the ${withKey("settings", `${screens.settings.label(words)} tab`)}, or start Hoist with hoist-app PATH.`,
    }),
  );
}

const root = document.getElementById("app");
if (root && !import.meta.env.VITEST) void mount(root);
