import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The renderer is built to dist/renderer with relative asset paths, so the same files load from the loopback
// server and from the desktop app's file:// URL. Fonts (KaTeX's) stay files: the CSP allows fonts from 'self'
// only, not the data: URLs small assets are otherwise inlined as.
export default defineConfig({
  root: "renderer",
  base: "./",
  plugins: [react()],
  build: {
    outDir: "../dist/renderer",
    emptyOutDir: true,
    sourcemap: true,
    assetsInlineLimit: (file) => (/\.(woff2?|ttf)$/.test(file) ? false : undefined),
  },
});
