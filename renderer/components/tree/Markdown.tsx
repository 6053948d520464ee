// A node's text, formatted: Markdown with typeset math (see markdown.ts for what is kept out of it).
import { useLayoutEffect, useMemo, useRef } from "react";
import { markdownToHtml, renderMath } from "./markdown.ts";

export function Markdown({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const element = useRef<HTMLDivElement>(null);
  const html = useMemo(() => markdownToHtml(text), [text]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: new HTML means new placeholders to typeset.
  useLayoutEffect(() => {
    if (element.current) renderMath(element.current);
  }, [html]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: markdownToHtml escapes every piece of model text.
  return <div ref={element} className={`markdown ${className ?? ""}`} data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
