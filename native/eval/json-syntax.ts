// Where and how a text fails to be JSON, without any of the text: V8's messages quote the input ("Unexpected token
// 'S', "SECRET-LIN"… is not valid JSON") and some give no position, and a dataset path may name any file. Run only
// after JSON.parse refused the text, so it is written for clarity, not speed.

export interface JsonSyntaxError {
  /** 0-based offset in the text where it stopped being JSON. */
  offset: number;
  /** What was wrong there, in words that never quote the text. */
  kind: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly kind: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** The first syntax error of `text` as JSON; null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let at = 0;
  const stop = (kind: string, offset = at): never => {
    throw new Stop(offset, kind);
  };
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.exec(text);
    at = WHITESPACE.lastIndex;
  };
  const string = () => {
    at++;
    for (;;) {
      const c = text[at];
      if (c === undefined) stop("unterminated string");
      else if (c === '"') {
        at++;
        return;
      } else if (c === "\\") {
        const next = text[at + 1];
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) stop("bad \\u escape in a string");
          at += 6;
        } else if (next !== undefined && ESCAPES.has(next)) at += 2;
        else stop("bad escape in a string");
      } else if (c < " ") stop("control character (a raw tab or newline) in a string");
      else at++;
    }
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else stop("unexpected character (strings need double quotes)");
  };
  const value = (depth: number): void => {
    if (depth > 512) stop("nested too deeply");
    skipWhitespace();
    const c = text[at];
    if (c === undefined) stop("cut short: a value is missing");
    else if (c === "{") container(depth, "}");
    else if (c === "[") container(depth, "]");
    else if (c === '"') string();
    else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = at;
      if (!NUMBER.exec(text)) stop("malformed number");
      at = NUMBER.lastIndex;
      if (/[0-9.eE]/.test(text[at] ?? "")) stop("malformed number");
    } else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else stop("unexpected character (strings need double quotes)");
  };
  const container = (depth: number, close: "}" | "]") => {
    at++;
    skipWhitespace();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      if (close === "}") {
        skipWhitespace();
        if (text[at] === undefined) stop("cut short: an object is not closed");
        if (text[at] !== '"') stop("expected a property name in double quotes");
        string();
        skipWhitespace();
        if (text[at] !== ":") stop("expected ':' after a property name");
        at++;
      }
      value(depth + 1);
      skipWhitespace();
      if (text[at] === ",") at++;
      else if (text[at] === close) {
        at++;
        return;
      } else if (text[at] === undefined) stop(`cut short: ${close === "}" ? "an object" : "an array"} is not closed`);
      else stop(`expected ',' or '${close}'`);
    }
  };
  try {
    value(0);
    skipWhitespace();
    if (at < text.length) stop("more text after the value");
    return null;
  } catch (error) {
    if (error instanceof Stop) return { offset: error.offset, kind: error.kind };
    throw error;
  }
}

/** "at line L, column C: kind" for a text JSON.parse refused (line and column 1-based). */
export function describeJsonSyntaxError(text: string): { line: number; column: number; kind: string } {
  const found = findJsonSyntaxError(text) ?? { offset: 0, kind: "not valid JSON" };
  const before = text.slice(0, found.offset).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1, kind: found.kind };
}
