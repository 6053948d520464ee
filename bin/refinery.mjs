#!/usr/bin/env node
// The CLI runs the TypeScript engine directly through tsx, so there is no build step between a change and a run.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../native/cli/main.ts");
const code = await main(process.argv.slice(2));
// llama.cpp's worker threads would otherwise keep the process alive after the command is done.
process.exit(code);
