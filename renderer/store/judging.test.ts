import { test } from "node:test";
import assert from "node:assert/strict";
import { validateRequest } from "../../native/protocol/contract.ts";
import { defaultGrading, judgingRequest } from "./judging.ts";

test("the checker sends no judging; a judged grader sends what --grader, --judge, --baseline and --judge-max-tokens do", () => {
  assert.equal(judgingRequest(defaultGrading), undefined);
  assert.deepEqual(
    judgingRequest({ grader: "pairwise", judges: [" /m/a.gguf ", "", "openai:http://127.0.0.1:8000/v1#j"], baseline: "reference", maxTokens: "64" }),
    {
      grader: "pairwise",
      judges: ["/m/a.gguf", "openai:http://127.0.0.1:8000/v1#j"],
      baseline: "reference",
      maxTokens: 64,
    },
  );
  assert.deepEqual(
    judgingRequest({ grader: "rubric", judges: ["/m/a.gguf"], baseline: "single-pass", maxTokens: "" }),
    { grader: "rubric", judges: ["/m/a.gguf"] },
    "a baseline is pairwise's alone",
  );
});

test("a judged grader without a judge, or a max tokens that is not a number, is refused by the contract in the form's words", () => {
  const request = (judging: unknown) => validateRequest("startExperiment", { dataset: "d.jsonl", judging });
  assert.deepEqual(request(judgingRequest({ grader: "checklist", judges: [""], baseline: "", maxTokens: "" })), {
    ok: false,
    error: "Judges: choose a judge model",
    field: "judging.judges",
  });
  const words = request(judgingRequest({ grader: "rubric", judges: ["/m/a.gguf"], baseline: "", maxTokens: "lots" }));
  assert.equal(words.ok, false);
  assert.match((words as { error: string }).error, /^Judge max tokens/);
});
