import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultHistoryView } from "./history-view.ts";
import { formatRoute, isNavigation, parseRoute } from "./url-state.ts";

const history = defaultHistoryView;

test("an address reads back as the route it was written from; `#run=<id>` alone is a run on the run tab", () => {
  const route = { tab: "compare" as const, run: "r1", node: "n2", experiment: "/home/me/exp a", cell: true, evaluation: null, history };
  assert.deepEqual(parseRoute(`#${formatRoute(route)}`), route);
  assert.deepEqual(parseRoute("#run=single-pass-20260101"), {
    tab: "run",
    run: "single-pass-20260101",
    node: null,
    experiment: null,
    cell: false,
    evaluation: null,
    history,
  });
  assert.deepEqual(parseRoute(""), { tab: "run", run: null, node: null, experiment: null, cell: false, evaluation: null, history });
  // A node or a cell flag without a run means nothing.
  assert.deepEqual(parseRoute("#node=n1&cell=1"), { tab: "run", run: null, node: null, experiment: null, cell: false, evaluation: null, history });
});

test("a new tab, run or experiment is a navigation; another node of the same run is not", () => {
  const at = parseRoute("#run=a&node=n1");
  assert.equal(isNavigation(at, parseRoute("#run=a&node=n2")), false);
  assert.equal(isNavigation(at, parseRoute("#run=b")), true);
  assert.equal(isNavigation(at, parseRoute("#tab=compare&run=a")), true);
  assert.equal(isNavigation(at, parseRoute("#experiment=%2Fe&run=a")), true);
});

test("a critic evaluation's row is addressed by the evaluation's folder; leaving it for a run of the runs folder is a navigation", () => {
  const row = { tab: "run" as const, run: "item-0002", node: null, experiment: null, cell: false, evaluation: "/runs/../critic-evals/critic-eval-x", history };
  assert.deepEqual(parseRoute(`#${formatRoute(row)}`), row);
  assert.equal(isNavigation(row, { ...row, evaluation: null }), true);
  assert.equal(parseRoute("#critic-eval=%2Fe").evaluation, null, "a folder without a run means nothing");
});

test("the history list's filters read back from the address; an unknown sort is the default; changing them is no navigation", () => {
  const filtered = {
    tab: "run" as const,
    run: null,
    node: null,
    experiment: null,
    cell: false,
    evaluation: null,
    history: { search: "6 * 7", strategy: "best-of-n", model: "/m/a b.gguf", status: "failed", sort: "longest" as const },
  };
  assert.deepEqual(parseRoute(`#${formatRoute(filtered)}`), filtered);
  assert.equal(formatRoute({ ...filtered, history }), "", "defaults stay out of the address");
  assert.equal(parseRoute("#sort=sideways").history.sort, "newest");
  assert.equal(isNavigation(parseRoute(""), filtered), false);
});
