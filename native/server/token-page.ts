// The page a browser gets when it opens the UI without its access token (or with a stale one): one message that
// says what is missing and where the right link was printed, instead of the app failing every API call at once.
import { createHash } from "node:crypto";

const STYLE =
  "body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}main{max-width:560px;margin:12vh auto;padding:24px 28px;background:#fff;border:1px solid #d8dce3;border-radius:6px}h1{font-size:20px;margin:0 0 12px}code{background:#eef1f5;padding:1px 4px;border-radius:3px}";

/** The page's own CSP: the app's policy, plus exactly this page's inline style by its hash. */
export function tokenPageSecurityPolicy(): string {
  const hash = createHash("sha256").update(STYLE).digest("base64");
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

export function tokenPage(problem: "missing" | "wrong"): string {
  const lead =
    problem === "missing"
      ? "This link needs its access token."
      : "This link's access token is not the one this server uses (it changes each time the server starts).";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Refinery: open the link with its token</title><style>${STYLE}</style></head>
<body><main data-testid="token-page">
<h1>${lead}</h1>
<p>Refinery only answers the link that carries its token. Open the full address that <code>npm start</code> or <code>refinery serve</code> printed in its terminal when it started; it ends in <code>?token=…</code>.</p>
<p>Once opened, the token is kept in a cookie for this tab's session and removed from the address bar.</p>
</main></body>
</html>
`;
}
