import { mathEquivalent } from "./native/eval/math-equivalence.ts";
console.log(mathEquivalent("1 + i \\sqrt{3}", "1+\\sqrt{3}i"));
console.log(mathEquivalent("1 + i \\sqrt{3}", "1+\\sqrt{3}i"));
console.log(mathEquivalent("1 + i \\sqrt{3}", "1+\\sqrt{3}i", {timeLimitMs: 5000}));
