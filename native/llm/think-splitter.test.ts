// A thinking model's <think> block split off the answer as it streams.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ThinkSplitter } from "./think-splitter.ts";

test("<think> blocks split off the visible text whatever the chunking; an unclosed block stays thought", () => {
  const whole = "<think>plan: add</think>\n\nThe answer is 4.";
  for (let size = 1; size <= whole.length; size++) {
    const splitter = new ThinkSplitter();
    let visible = "";
    for (let i = 0; i < whole.length; i += size) visible += splitter.push(whole.slice(i, i + size));
    visible += splitter.end();
    assert.equal(visible, "The answer is 4.", `chunks of ${size}`);
    assert.equal(splitter.thought, "plan: add");
  }
  const open = new ThinkSplitter();
  open.push("<think>still thinking");
  assert.equal(open.end(), "");
  assert.equal(open.thought, "still thinking");
  const plain = new ThinkSplitter();
  assert.equal(plain.push("a < b") + plain.end(), "a < b");
});
