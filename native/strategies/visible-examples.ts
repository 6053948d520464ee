// The examples a code task shows in its prompt (HumanEval docstrings hold doctest lines: ">>> f(2)" then the
// expected output): feedback a repair loop may use without touching the hidden tests that grade it.
export interface VisibleExample {
  /** The call, as written after ">>>". */
  source: string;
  /** The expected output, as printed (a repr). */
  want: string;
}

/** Doctest-style examples in a prompt: each ">>> expr" line and the output lines below it. */
export function visibleExamples(prompt: string): VisibleExample[] {
  const lines = prompt.split("\n");
  const examples: VisibleExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = lines[i]!.match(/^\s*>>>\s?(.*)$/);
    if (!match) continue;
    const want: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!.trim();
      if (!line || line.startsWith(">>>") || line.startsWith('"""') || line.startsWith("'''")) break;
      want.push(line);
    }
    if (match[1]!.trim() && want.length) examples.push({ source: match[1]!.trim(), want: want.join("\n") });
  }
  return examples;
}

const squash = (text: string) => text.replace(/\s+/g, "");

/** The visible example with this call, if the task shows one (whitespace aside). */
export function exampleFor(call: string, examples: readonly VisibleExample[]): VisibleExample | undefined {
  return examples.find((example) => squash(example.source) === squash(call));
}

/**
 * A program that checks the candidate on the examples as doctest would: the repr of each call against the
 * printed output (whitespace-insensitive), every failure reported, a non-zero exit if any failed.
 */
export function examplesProgram(code: string, examples: readonly VisibleExample[]): string {
  // JSON string arrays are valid Python list literals.
  const pairs = JSON.stringify(examples.map((e) => [e.source, e.want]));
  return `${code}

__examples = ${pairs}
__failed = 0
for __source, __want in __examples:
    try:
        __got = repr(eval(__source))
    except Exception as __error:
        __got = f"{type(__error).__name__}: {__error}"
    if "".join(__got.split()) != "".join(__want.split()):
        __failed += 1
        print(f"Failed example: {__source}\\nExpected: {__want}\\nGot: {__got}")
if __failed:
    raise SystemExit(f"{__failed} of {len(__examples)} examples failed")
`;
}
