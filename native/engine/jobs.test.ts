import { test } from "node:test";
import assert from "node:assert/strict";
import { Jobs } from "./jobs.ts";

test("a job is cancelled once through its kind, and not after it finished", () => {
  const jobs = new Jobs();
  const signal = jobs.start("run", "r1");
  let stopped = 0;
  jobs.add("experiment", "/x", () => stopped++);
  assert.deepEqual(jobs.ids("run"), ["r1"]);
  assert.equal(jobs.cancel("download", "r1"), false, "a run id does not cancel as a download");
  assert.equal(jobs.cancel("run", "r1"), true);
  assert.equal(signal.aborted, true);
  assert.equal(jobs.cancel("experiment", "/x"), true);
  assert.equal(stopped, 1);
  jobs.finish("r1");
  assert.equal(jobs.cancel("run", "r1"), false);
  assert.deepEqual(jobs.ids("run"), []);
});
