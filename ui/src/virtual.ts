// A list that only puts the rows in view (and a few around them) into the
// page, so histories of thousands of changes scroll smoothly.

export const ROW_HEIGHT = 48;
const OVERSCAN = 8;

export function virtualList<T>(items: T[], render: (item: T, index: number) => HTMLElement, testid: string): HTMLElement {
  const viewport = document.createElement("div");
  viewport.className = "virtual";
  viewport.dataset.testid = testid;
  viewport.setAttribute("role", "list");
  const spacer = document.createElement("div");
  spacer.style.height = `${String(items.length * ROW_HEIGHT)}px`;
  spacer.style.position = "relative";
  viewport.append(spacer);
  let drawn = "";
  const draw = (): void => {
    // jsdom and a hidden viewport have no height: draw a screenful.
    const height = viewport.clientHeight || 800;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(items.length, Math.ceil((viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const key = `${String(first)}:${String(last)}`;
    if (key === drawn) return;
    drawn = key;
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const item = items[i];
      if (item === undefined) continue;
      const row = render(item, i);
      row.style.position = "absolute";
      row.style.top = `${String(i * ROW_HEIGHT)}px`;
      row.style.height = `${String(ROW_HEIGHT)}px`;
      row.setAttribute("role", "listitem");
      rows.push(row);
    }
    spacer.replaceChildren(...rows);
  };
  viewport.addEventListener("scroll", () => requestAnimationFrame(draw));
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(draw).observe(viewport);
  draw();
  return viewport;
}
