import { defineConfig } from "vitest/config";

// Tauri serves the built files; the dev server is only for `npm run dev`.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "safari16", outDir: "dist", emptyOutDir: true },
  test: { environment: "jsdom" },
});
