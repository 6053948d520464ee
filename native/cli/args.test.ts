import { test } from "node:test";
import assert from "node:assert/strict";
import { intOption, parse, UsageError } from "./args.ts";

const options = { limit: { type: "string" }, offset: { type: "string" }, quiet: { type: "boolean" } } as const;

test("--limit -1 says what --limit accepts, not that the argument is ambiguous", () => {
  const { values } = parse(["--limit", "-1"], options);
  assert.throws(
    () => intOption(values.limit, "limit", 1),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, "--limit must be a positive whole number, got '-1'");
      return true;
    },
  );
  for (const bad of ["0", "2.5", "", "ten"])
    assert.throws(() => intOption(parse([`--limit=${bad}`], options).values.limit, "limit", 1), /--limit must be a positive whole number/);
  assert.equal(intOption(parse(["--limit", "3"], options).values.limit, "limit", 1), 3);
  assert.throws(() => intOption(parse(["--offset", "-2"], options).values.offset, "offset"), /--offset must be a whole number \(0 or more\), got '-2'/);
  assert.equal(intOption(parse(["--offset", "0"], options).values.offset, "offset"), 0);
});

test("a dash after a flag that takes no value is still an unknown option", () => {
  assert.throws(
    () => parse(["--quiet", "-1"], options),
    (error: unknown) => error instanceof UsageError && /Unknown option '-1'/.test(error.message),
  );
});
