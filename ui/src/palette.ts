// The command palette (Ctrl+K): every action by name, filtered as you type.
import { el } from "./dom";

export interface Command {
  label: string;
  hint: string;
  run: () => void;
}

export function palette(host: HTMLElement, commands: Command[]): void {
  if (host.querySelector(".palette")) return;
  const input = el("input", { class: "palette-input", attrs: { type: "text", placeholder: "Type a command…", "aria-label": "Command", "data-testid": "palette-input" } });
  const list = el("ul", { class: "palette-list", attrs: { role: "listbox" } });
  const overlay = el("div", { class: "palette-overlay" }, el("div", { class: "palette", attrs: { role: "dialog", "aria-label": "Command palette", "data-testid": "palette" } }, input, list));
  let shown: Command[] = [];
  let active = 0;
  const close = (): void => { overlay.remove(); };
  const draw = (): void => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    shown = commands.filter((c) => words.every((w) => c.label.toLowerCase().includes(w)));
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(
      ...shown.map((c, i) => {
        const item = el("li", { class: i === active ? "active" : "", attrs: { role: "option", "aria-selected": String(i === active) } }, el("span", { text: c.label }), el("kbd", { text: c.hint }));
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          close();
          c.run();
        });
        return item;
      }),
    );
    if (shown.length === 0) list.append(el("li", { class: "dim", text: "No command matches." }));
  };
  input.addEventListener("input", () => {
    active = 0;
    draw();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") active = Math.min(shown.length - 1, active + 1);
    else if (event.key === "ArrowUp") active = Math.max(0, active - 1);
    else if (event.key === "Escape") { close(); return; }
    else if (event.key === "Enter") {
      const chosen = shown[active];
      close();
      chosen?.run();
      return;
    } else return;
    event.preventDefault();
    draw();
  });
  overlay.addEventListener("mousedown", (event) => {
    if (event.target === overlay) close();
  });
  host.append(overlay);
  draw();
  input.focus();
}
