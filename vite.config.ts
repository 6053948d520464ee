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
    // The libraries in chunks of their own, each under Vite's 500 kB warning (one 766 kB file tripped it): React,
    // KaTeX and zod are most of the weight, the app's own code changes most often.
    rolldownOptions: {
      // Rolldown's note that plugins took a share of the build's time is advice for plugin authors; on a busy machine
      // it printed on every `npm start`, read as a fault by anyone starting the app.
      checks: { bundlerTimings: false },
      output: {
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: "katex", test: /node_modules[\\/]katex[\\/]/ },
            { name: "zod", test: /node_modules[\\/]zod[\\/]/ },
            { name: "vendor", test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
