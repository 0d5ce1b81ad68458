// The registry against the window the shell builds from it: every registered
// screen has its tab, key and palette command, each of them shows that screen
// and no other, and what a registration says it needs is what the shell does.
import { afterEach, describe, expect, it } from "vitest";
import type { Account } from "./bindings/Account";
import { forgeWords } from "./states";
import { screenOrder, screens, type ScreenId } from "./screens";
import { $, mountWith, reset, settle, until, view, type Handlers } from "./test/fixtures";

afterEach(reset);

const signedOut: Account = { forge: "github", host: "github.com", token_source: null, login: null, scopes: null, problem: null };

/** Every screen's commands, answered with nothing much to show. */
const quiet: Handlers = {
  history: () => ({ changes: [], complete: true }),
  releases: () => [],
  account: () => signedOut,
  recent_repositories: () => [],
  proposed_config: () => null,
  survey: () => ({ environments: [], apps: [], problem: null, left_out: [] }),
  here: () => ({ path: view.path, demo: null }),
};

/** The element on show below the tabs. */
const onShow = (): Element => {
  const node = $(".content").firstElementChild;
  if (!node) throw new Error("nothing is on show");
  return node;
};

/** Which screen is on show, told apart by what is drawn at once: its root
 * element and heading. The registry is not consulted, so a tab, key or command
 * that opens the wrong screen shows up as a different fingerprint. */
const fingerprint = (): string => {
  const node = onShow();
  return [node.tagName, node.className, node.getAttribute("data-testid"), node.querySelector("h2")?.textContent].join("|");
};

const selected = (): (string | undefined)[] => [...document.querySelectorAll<HTMLElement>('[role="tab"][aria-selected="true"]')].map((t) => t.dataset.view);

const press = (key: string): void => { document.dispatchEvent(new KeyboardEvent("keydown", { key })); };

/** Shows some other screen, so that the next way back has something to change. */
const away = (from: ScreenId): void => { $(`[data-view="${screenOrder.find((id) => id !== from) ?? from}"]`).click(); };

/** Runs the palette command called `label`, as a click on it would. */
function command(label: string): void {
  document.dispatchEvent(new KeyboardEvent("keydown", { key: "k", ctrlKey: true }));
  const item = [...document.querySelectorAll(".palette-list li")].find((li) => li.querySelector("span")?.textContent === label);
  if (!item) throw new Error(`the palette has no command ${label}`);
  item.dispatchEvent(new MouseEvent("mousedown"));
}

describe("screen registry", () => {
  it("has one tab per registered screen, in order, with its label and key", async () => {
    await mountWith({ status: () => view, ...quiet });
    const tabs = [...document.querySelectorAll<HTMLElement>('[role="tablist"] [role="tab"]')];
    expect(tabs.map((t) => t.dataset.view)).toEqual(screenOrder);
    for (const [i, id] of screenOrder.entries()) {
      const label = screens[id].label(forgeWords.github);
      const key = screens[id].key;
      expect(tabs[i]?.textContent).toBe(label);
      expect(tabs[i]?.title).toBe(key === undefined ? label : `${label} (${key})`);
    }
  });

  it("names the change requests tab in the words of the repository's forge", async () => {
    await mountWith({ status: () => ({ ...view, forge: "gitlab" }), ...quiet });
    expect($('[data-view="pulls"]').textContent).toBe("Merge requests");
    $('[data-view="pulls"]').click();
    await until("the list", () => document.querySelector('[data-testid="no-pulls"]') !== null);
    expect($("main h2").textContent).toBe("Merge requests");
    expect($('[data-testid="no-pulls"] h2').textContent).toBe("No open Hoist merge requests");
  });

  it("shows each screen, and only it, by its tab, its key and its palette command", async () => {
    await mountWith({ status: () => view, ...quiet });
    const seen = new Map<string, ScreenId>();
    for (const id of screenOrder) {
      const label = screens[id].label(forgeWords.github);
      const key = screens[id].key;
      $(`[data-view="${id}"]`).click();
      expect(selected()).toEqual([id]);
      const shown = fingerprint();
      // Two screens drawing alike would mean two registrations open the same thing.
      expect(seen.get(shown), `${id} looks like ${String(seen.get(shown))}`).toBeUndefined();
      seen.set(shown, id);

      away(id);
      if (key !== undefined) {
        press(key);
        expect(selected()).toEqual([id]);
        expect(fingerprint()).toBe(shown);
        away(id);
      }
      command(`Go to ${label}`);
      expect(document.querySelector('[data-testid="palette"]')).toBeNull();
      expect(selected()).toEqual([id]);
      expect(fingerprint()).toBe(shown);
    }
    expect(seen.size).toBe(screenOrder.length);
  });

  it("opens without a readable repository exactly the screens that need none", async () => {
    await mountWith({
      // Tauri rejects a failed command with the serialised `Failure`, a plain object.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      status: () => Promise.reject({ message: "/repos/gitops is not a git repository", advice: null, code: null }),
      ...quiet,
    });
    for (const id of screenOrder) {
      $(`[data-view="${id}"]`).click();
      expect(onShow().getAttribute("data-testid") === "failure", id).toBe(screens[id].needs === "status");
    }
  });

  it("rebuilds on a reload every screen but those that keep their work", async () => {
    let reads = 0;
    await mountWith({ status: () => { reads += 1; return view; }, ...quiet });
    for (const id of screenOrder) {
      $(`[data-view="${id}"]`).click();
      const before = onShow();
      const after = reads + 1;
      press("r");
      await until("the reload", () => reads === after);
      await settle();
      expect(onShow() === before, id).toBe(screens[id].keepsWorkOnReload === true);
    }
  });
});
