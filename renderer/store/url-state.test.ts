import { test } from "node:test";
import assert from "node:assert/strict";
import { formatRoute, isNavigation, parseRoute } from "./url-state.ts";

test("an address reads back as the route it was written from; `#run=<id>` alone is a run on the run tab", () => {
  const route = { tab: "compare" as const, run: "r1", node: "n2", experiment: "/home/me/exp a", cell: true, evaluation: null };
  assert.deepEqual(parseRoute(`#${formatRoute(route)}`), route);
  assert.deepEqual(parseRoute("#run=single-pass-20260101"), {
    tab: "run",
    run: "single-pass-20260101",
    node: null,
    experiment: null,
    cell: false,
    evaluation: null,
  });
  assert.deepEqual(parseRoute(""), { tab: "run", run: null, node: null, experiment: null, cell: false, evaluation: null });
  // A node or a cell flag without a run means nothing.
  assert.deepEqual(parseRoute("#node=n1&cell=1"), { tab: "run", run: null, node: null, experiment: null, cell: false, evaluation: null });
});

test("a new tab, run or experiment is a navigation; another node of the same run is not", () => {
  const at = parseRoute("#run=a&node=n1");
  assert.equal(isNavigation(at, parseRoute("#run=a&node=n2")), false);
  assert.equal(isNavigation(at, parseRoute("#run=b")), true);
  assert.equal(isNavigation(at, parseRoute("#tab=compare&run=a")), true);
  assert.equal(isNavigation(at, parseRoute("#experiment=%2Fe&run=a")), true);
});

test("a critic evaluation's row is addressed by the evaluation's folder; leaving it for a run of the runs folder is a navigation", () => {
  const row = { tab: "run" as const, run: "item-0002", node: null, experiment: null, cell: false, evaluation: "/runs/../critic-evals/critic-eval-x" };
  assert.deepEqual(parseRoute(`#${formatRoute(row)}`), row);
  assert.equal(isNavigation(row, { ...row, evaluation: null }), true);
  assert.equal(parseRoute("#critic-eval=%2Fe").evaluation, null, "a folder without a run means nothing");
});
