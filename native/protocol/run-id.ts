// What a run id may look like. Run ids name folders, so the one rule lives here, free of dependencies: the
// contract checks requests with it and the run writer derives ids that pass it from any column name.
const RUN_ID = /^[\w.()=,-]{1,200}$/;

/** One folder name: word characters and . ( ) = , - only, never a `..` that could climb out of its parent. */
export function isRunId(value: string): boolean {
  return RUN_ID.test(value) && !value.includes("..");
}

export const RUN_ID_RULE = "a run id is letters, digits and . _ ( ) = , - only, with no '..'";
