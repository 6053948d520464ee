// docs/settings.md: every setting of the one table (protocol/field-labels.ts) with its form label, flag and help,
// written from the table so the page cannot fall behind it (help.test.ts compares them).
import { FIELDS, type FieldDefinition } from "../protocol/field-labels.ts";

const cell = (text: string | undefined) => (text ? text.replaceAll("|", "\\|").replaceAll("<", "&lt;") : "");

export function settingsDoc(): string {
  const rows = Object.entries(FIELDS as Record<string, FieldDefinition>).map(([key, field]) => {
    const flag = field.flag ? `\`${field.flag}${field.value ? ` ${field.value}` : ""}\`${field.multiple ? " (repeatable)" : ""}` : "";
    return `| \`${key}\` | ${cell(field.label)} | ${flag.replaceAll("|", "\\|")} | ${cell(field.help)} | ${field.unit ?? ""} |`;
  });
  return [
    "# Settings",
    "",
    "Every setting a person types, as the app's forms label it and the command line spells it. Written from",
    "`native/protocol/field-labels.ts` by `npx tsx scripts/settings-doc.ts`; a refused value is named by its label in",
    "the app and by its flag in the CLI. A setting with no label has no field in the app's forms; one with no flag has",
    "none on the command line.",
    "",
    "| setting | label in the app | flag | what it does | unit |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
