// Model output as Markdown with math. Model text is untrusted: raw HTML in it is shown as text, links are not
// followed (the window would navigate away from the app), and images are not loaded (their alt text stands in).
// Math is left as placeholders that renderMath fills with KaTeX's DOM: KaTeX's HTML string carries inline style
// attributes, which the app's Content-Security-Policy (style-src 'self') refuses; its DOM sets them through
// CSSOM, which the policy allows.
import katex from "katex";
import { Marked, type TokenizerAndRendererExtension, type Tokens } from "marked";
import "katex/dist/katex.min.css";

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const mathPlaceholder = (tex: string, display: boolean) => `<span class="math" data-display="${display ? "block" : "inline"}">${escapeHtml(tex)}</span>`;

const blockMath: TokenizerAndRendererExtension = {
  name: "blockMath",
  level: "block",
  start: (src) => src.match(/\$\$|\\\[/)?.index,
  tokenizer(src) {
    const match = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])[ \t]*(?:\n|$)/.exec(src);
    if (match) return { type: "blockMath", raw: match[0], text: (match[1] ?? match[2]!).trim() };
    return undefined;
  },
  renderer: (token) => `<div class="math-block">${mathPlaceholder(token.text as string, true)}</div>`,
};

const inlineMath: TokenizerAndRendererExtension = {
  name: "inlineMath",
  level: "inline",
  start: (src) => src.match(/\$|\\\(/)?.index,
  tokenizer(src) {
    // $…$ needs text right inside both dollars and no digit after the closing one, so prices ("$5 and $6") stay text.
    const match = /^(?:\$\$([^$]+?)\$\$|\$(?![\s$])((?:\\\$|[^$\n])+?)(?<!\s)\$(?!\d)|\\\(([\s\S]+?)\\\))/.exec(src);
    if (match) return { type: "inlineMath", raw: match[0], text: (match[1] ?? match[2] ?? match[3]!).trim(), display: match[1] !== undefined };
    return undefined;
  },
  renderer: (token) => mathPlaceholder(token.text as string, token.display === true),
};

const markdown = new Marked({
  gfm: true,
  breaks: true,
  extensions: [blockMath, inlineMath],
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    link({ href, tokens }: Tokens.Link) {
      return `<span class="md-link" title="${escapeHtml(href)}">${this.parser.parseInline(tokens)}</span>`;
    },
    image: ({ text }: Tokens.Image) => `<span class="md-image">${escapeHtml(text)}</span>`,
  },
});

/** The HTML for a node's text; every piece of model text in it is escaped. */
export function markdownToHtml(text: string): string {
  return (markdown.parse(text, { async: false }) as string).trim();
}

/** Fills the math placeholders under `root` with typeset formulas (a formula KaTeX cannot read shows its source). */
export function renderMath(root: HTMLElement): void {
  for (const element of root.querySelectorAll<HTMLElement>("span.math:not([data-rendered])")) {
    const tex = element.textContent ?? "";
    katex.render(tex, element, { displayMode: element.dataset.display === "block", throwOnError: false, output: "htmlAndMathml" });
    element.dataset.rendered = "true";
    element.title = tex;
  }
}

/** A critic's structured verdict is JSON, not prose: it is shown as written. */
export const looksLikeJson = (text: string) => /^\s*[{[]/.test(text);
