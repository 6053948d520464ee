import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { REFINERY_VERSION } from "./version.ts";

test("the version manifests record is package.json's", () => {
  assert.equal(REFINERY_VERSION, JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
});
