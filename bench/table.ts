/** A markdown table, padded so it also reads well as plain text. Columns of figures align right. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) => headers.map((_, column) => String(row[column] ?? '')));
  const isFigure = (cell: string) => /^[-+]?[\d.,]+x?$|^-$/.test(cell); // "-" marks "not measured"
  const rightAligned = headers.map((_, column) => cells.length > 0 && cells.every((row) => isFigure(row[column]!)));
  const widths = headers.map((header, column) => Math.max(3, header.length, ...cells.map((row) => row[column]!.length)));
  const line = (values: string[]) =>
    `| ${values.map((value, column) => (rightAligned[column] ? value.padStart(widths[column]!) : value.padEnd(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (rightAligned[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(headers), rule, ...cells.map(line)].join('\n');
}
