/**
 * Compact JSON for narrow media: a value goes on one line when it fits, otherwise its
 * members go one per line, recursively. The result is still valid JSON; only a single
 * string longer than the width can make a line too long (the caller decides what to do).
 */
export function jsonLines(value: unknown, width: number, indent = ''): string[] {
  return layout(value, width, indent, '', '');
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(value) ?? 'null';
}

/** `prefix` goes before the value on its first line (a member key), `suffix` after its last (a comma). */
function layout(value: unknown, width: number, indent: string, prefix: string, suffix: string): string[] {
  const flat = `${indent}${prefix}${oneLine(value)}${suffix}`;
  const isObject = value !== null && typeof value === 'object';
  if (flat.length <= width || !isObject) return [flat];
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (!value.length) return [flat];
    return [`${indent}${prefix}[`, ...value.flatMap((v, i) => layout(v, width, inner, '', i < value.length - 1 ? ',' : '')), `${indent}]${suffix}`];
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (!entries.length) return [flat];
  return [
    `${indent}${prefix}{`,
    ...entries.flatMap(([k, v], i) => layout(v, width, inner, `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : '')),
    `${indent}}${suffix}`,
  ];
}
