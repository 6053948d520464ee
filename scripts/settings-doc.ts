// Writes docs/settings.md from the settings table: `npx tsx scripts/settings-doc.ts`.
import { writeFileSync } from "node:fs";
import { settingsDoc } from "../native/cli/settings-doc.ts";

writeFileSync(new URL("../docs/settings.md", import.meta.url), settingsDoc());
