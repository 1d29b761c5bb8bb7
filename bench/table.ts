/** A markdown table, padded so it also reads well as plain text. Numeric columns align right. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const cells = rows.map((row) => headers.map((_, column) => String(row[column] ?? '')));
  const widths = headers.map((header, column) => Math.max(3, header.length, ...cells.map((row) => row[column]!.length)));
  const line = (values: string[]) =>
    `| ${values.map((value, column) => (numeric[column] ? value.padStart(widths[column]!) : value.padEnd(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (numeric[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(headers), rule, ...cells.map(line)].join('\n');
}
