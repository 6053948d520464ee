// Where a parsed JSON value breaks a critic schema, reading it the way Refinery's verdict parsers do: every
// listed property is needed (a parser reading `{ }` finds no verdict), nothing else is allowed, enums and
// string caps hold. Covers the subset of JSON Schema the critic schemas use.
export function schemaViolations(schema: unknown, value: unknown, path = "$"): string[] {
  const node = (schema ?? {}) as Record<string, unknown>;
  if (Array.isArray(node.enum)) return node.enum.some((v) => v === value) ? [] : [`${path}: ${JSON.stringify(value)} is not one of the enum`];
  switch (node.type) {
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: not a boolean`];
    case "integer":
      return Number.isInteger(value) ? [] : [`${path}: not an integer`];
    case "number":
      return typeof value === "number" ? [] : [`${path}: not a number`];
    case "string": {
      if (typeof value !== "string") return [`${path}: not a string`];
      const max = node.maxLength as number | undefined;
      // JSON Schema counts characters (code points, RFC 8259), as grammars do; a JS string's length counts UTF-16 units.
      const characters = [...value].length;
      return max !== undefined && characters > max ? [`${path}: ${characters} characters, more than ${max}`] : [];
    }
    case "array": {
      if (!Array.isArray(value)) return [`${path}: not an array`];
      const problems: string[] = [];
      if (typeof node.minItems === "number" && value.length < node.minItems) problems.push(`${path}: ${value.length} items, fewer than ${node.minItems}`);
      if (typeof node.maxItems === "number" && value.length > node.maxItems) problems.push(`${path}: ${value.length} items, more than ${node.maxItems}`);
      value.forEach((item, i) => problems.push(...schemaViolations(node.items, item, `${path}[${i}]`)));
      return problems;
    }
  }
  if (node.type === "object" || node.properties) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not an object`];
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    const record = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const name of Object.keys(properties)) {
      if (!(name in record)) problems.push(`${path}.${name}: missing`);
      else problems.push(...schemaViolations(properties[name], record[name], `${path}.${name}`));
    }
    for (const name of Object.keys(record)) if (!(name in properties)) problems.push(`${path}.${name}: not in the schema`);
    return problems;
  }
  return [];
}
