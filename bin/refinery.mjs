#!/usr/bin/env node
// The command line runs the built bundle (dist/cli), rebuilt here when a source under native/ is newer, so an
// edit is picked up on the next run with no separate build step and no TypeScript loader at start-up.
import { buildCli, cliEntry, cliIsStale } from "../scripts/build-cli.mjs";

if (cliIsStale()) await buildCli();
const { main } = await import(cliEntry);
const code = await main(process.argv.slice(2));
// llama.cpp's worker threads would otherwise keep the process alive after the command is done.
process.exit(code);
