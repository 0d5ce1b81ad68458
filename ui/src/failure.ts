// A failure shown where it happened: what went wrong, what to do, and the
// buttons that do it.
import type { Failure } from "./bindings/Failure";
import { el } from "./dom";

export interface Action {
  label: string;
  run: () => void;
}

export function failureView(f: Failure, title: string, actions: Action[] = []): HTMLElement {
  return el(
    "section",
    { class: "failure", attrs: { "data-testid": "failure", role: "alert", "data-code": f.code ?? "" } },
    el("h2", { text: title }),
    el("p", { class: "mono", text: f.message }),
    f.advice === null ? null : el("p", { class: "advice", text: f.advice }),
    actions.length === 0 ? null : el("div", { class: "actions" }, ...actions.map((a) => button(a.label, a.run))),
  );
}

export function button(label: string, run: () => void, kind: "primary" | "plain" = "plain", testid?: string): HTMLButtonElement {
  const b = el("button", {
    class: kind === "primary" ? "button primary" : "button",
    attrs: { type: "button", ...(testid ? { "data-testid": testid } : {}) },
    text: label,
  });
  b.addEventListener("click", run);
  return b;
}
