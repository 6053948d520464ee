import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The renderer is built to dist/renderer with relative asset paths, so the same files load from the loopback
// server and from the desktop app's file:// URL.
export default defineConfig({
  root: "renderer",
  base: "./",
  plugins: [react()],
  build: { outDir: "../dist/renderer", emptyOutDir: true, sourcemap: true },
});
