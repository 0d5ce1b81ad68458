import "./style.css";
import { asFailure, loadStatus } from "./api";
import type { Failure } from "./bindings/Failure";
import type { RepositoryStatus } from "./bindings/RepositoryStatus";
import { el } from "./dom";
import { renderMatrix } from "./matrix";

/** The whole window: a header with the repository and the matrix below. */
export async function mount(root: HTMLElement, load: () => Promise<RepositoryStatus> = loadStatus): Promise<void> {
  const main = el("main", { class: "content" });
  const refresh = el("button", { class: "button", attrs: { type: "button", title: "Refresh (R)" }, text: "Refresh" });
  const repo = el("div", { class: "repo" });
  root.replaceChildren(
    el("header", { class: "topbar" }, el("div", { class: "brand" }, el("span", { class: "logo", text: "▲" }), el("span", { text: "Hoist" })), repo, refresh),
    main,
  );

  const show = async (): Promise<void> => {
    refresh.disabled = true;
    main.replaceChildren(el("div", { class: "loading", attrs: { "data-testid": "loading", role: "status" }, text: "Reading the environments…" }));
    try {
      const view = await load();
      repo.replaceChildren(
        el("span", { class: "mono", text: view.path }),
        el("span", { class: "dim", text: ` · config: ${view.config}` }),
        ...(view.shallow ? [el("span", { class: "badge warn-badge", text: "shallow clone: some origins unknown" })] : []),
      );
      const banner =
        view.demo === null
          ? null
          : el(
              "p",
              { class: "demo-banner", attrs: { "data-testid": "demo-banner", role: "note" } },
              el("strong", { text: "Demo. " }),
              el("span", {
                text: `A generated GitOps repository; its GitHub is Hoist's offline sandbox at ${view.demo}. Nothing here reaches the internet. Open your own clone with hoist-app PATH.`,
              }),
            );
      main.replaceChildren(...(banner ? [banner] : []), renderMatrix(view.status), legend());
    } catch (error) {
      main.replaceChildren(failure(asFailure(error)));
    } finally {
      refresh.disabled = false;
    }
  };
  refresh.addEventListener("click", () => void show());
  document.addEventListener("keydown", (event) => {
    if (event.key === "r" && !event.ctrlKey && !event.metaKey && !(event.target instanceof HTMLInputElement)) void show();
  });
  await show();
}

function legend(): HTMLElement {
  return el(
    "p",
    { class: "legend" },
    el("span", { class: "badge pending-badge", text: "pending" }),
    el("span", { text: " the version differs from the upstream environment: a promotion is waiting. Hover a cell for the commit that set it." }),
  );
}

function failure(f: Failure): HTMLElement {
  return el(
    "section",
    { class: "failure", attrs: { "data-testid": "failure", role: "alert" } },
    el("h2", { text: "Hoist cannot show this repository" }),
    el("p", { class: "mono", text: f.message }),
    f.advice === null ? null : el("p", { class: "advice", text: f.advice }),
  );
}

const root = document.getElementById("app");
if (root && !import.meta.env.VITEST) void mount(root);
