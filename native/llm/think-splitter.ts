// Reasoning models put their thinking in <think>…</think> inside the content (DeepSeek-R1, QwQ, Qwen3 served
// without a reasoning parser). This splits a stream into the thought and the visible text, holding back a
// trailing fragment that may still become a tag, so the visible stream never shows half a tag.
const OPEN = "<think>";
const CLOSE = "</think>";

export class ThinkSplitter {
  private pending = "";
  private inside = false;
  thought = "";
  text = "";

  /** Feeds raw content; returns the newly visible text. */
  push(chunk: string): string {
    this.pending += chunk;
    let visible = "";
    for (;;) {
      const tag = this.inside ? CLOSE : OPEN;
      const at = this.pending.indexOf(tag);
      if (at >= 0) {
        const before = this.pending.slice(0, at);
        if (this.inside) this.thought += before;
        else visible += before;
        this.pending = this.pending.slice(at + tag.length);
        this.inside = !this.inside;
        continue;
      }
      const keep = partialTagLength(this.pending, tag);
      const ready = this.pending.slice(0, this.pending.length - keep);
      this.pending = this.pending.slice(this.pending.length - keep);
      if (this.inside) this.thought += ready;
      else visible += ready;
      break;
    }
    // The answer after a thought usually starts with blank lines.
    if (!this.text && !this.inside) visible = this.thought ? visible.replace(/^\s+/, "") : visible;
    this.text += visible;
    return visible;
  }

  /** Ends the stream: an unclosed think block stays thought, a held-back fragment was text after all. */
  end(): string {
    const rest = this.pending;
    this.pending = "";
    if (this.inside) {
      this.thought += rest;
      return "";
    }
    this.text += rest;
    return rest;
  }
}

function partialTagLength(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (tag.startsWith(text.slice(-n))) return n;
  return 0;
}
