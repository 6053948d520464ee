// Refinery's version as manifests record it and `serve --openai` reports it; package.json's "version" says the same
// (version.test.ts checks that).
export const REFINERY_VERSION = "0.1.0";
