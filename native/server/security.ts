// One Content-Security-Policy for the UI, in the desktop window and in web mode: only the app's own scripts,
// styles and connections; no inline scripts, no eval, no remote anything.
export function contentSecurityPolicy(mode: "web" | "electron"): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(mode === "web" ? ["frame-ancestors 'none'"] : []),
  ].join("; ");
}
