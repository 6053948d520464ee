import { test } from "node:test";
import assert from "node:assert/strict";
import { describeJsonSyntaxError, findJsonSyntaxError } from "./json-syntax.ts";

test("agrees with JSON.parse on what is JSON, and stops at the start of the token V8 stopped in, when V8 says where", () => {
  const valid = ['{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]}', "[]", " 0 ", '"\\/"', '{"a":{"b":[{}]}}'];
  for (const text of valid) {
    JSON.parse(text);
    assert.equal(findJsonSyntaxError(text), null, text);
  }
  const invalid = [
    '{"a":"SECRET',
    '{"a":1,}',
    '{"a" 1}',
    '{"a":"x\ty"}',
    "{",
    '{"a":1}}',
    "[1,2",
    '{"a":01}',
    "{a:1}",
    '"s" x',
    '{"a": -}',
    '{"a": "\\x"}',
    '{"a": "\\u12"}',
    "[1 2]",
    "tru",
    "",
  ];
  for (const text of invalid) {
    assert.throws(() => JSON.parse(text));
    const found = findJsonSyntaxError(text);
    assert.ok(found, text);
    const v8 = /at position (\d+)/.exec(
      (() => {
        try {
          JSON.parse(text);
          return "";
        } catch (error) {
          return (error as Error).message;
        }
      })(),
    )?.[1];
    if (v8 !== undefined) assert.ok(found.offset <= Number(v8) && Number(v8) - found.offset <= 4, `${text}: ${found.offset} (${found.kind}), V8 ${v8}`);
  }
});

test("kinds and places in the user's words", () => {
  assert.deepEqual(describeJsonSyntaxError('{"a": 1,\n  "b": SECRET}'), { line: 2, column: 8, kind: "unexpected character (strings need double quotes)" });
  assert.deepEqual(findJsonSyntaxError('{"a": "x'), { offset: 8, kind: "unterminated string" });
  assert.deepEqual(findJsonSyntaxError("[1, 2"), { offset: 5, kind: "cut short: an array is not closed" });
  assert.deepEqual(findJsonSyntaxError('{"a": 1} 2'), { offset: 9, kind: "more text after the value" });
  assert.deepEqual(findJsonSyntaxError('{"a": 1e}'), { offset: 7, kind: "malformed number" });
  assert.equal(findJsonSyntaxError(`${"[".repeat(100_000)}`)?.kind, "nested too deeply");
});
