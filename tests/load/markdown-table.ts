import { readFileSync, writeFileSync } from 'node:fs';

// The tables of measured runs in docs/ (load-testing.md's baseline, performance.md's Lighthouse
// runs): each ends at an HTML-comment marker, and a new row goes just above it.

/** One Markdown table row; a `|` inside a cell is escaped. */
export function markdownRow(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/**
 * Inserts `row` above `table.endMarker` in `docPath`. A document that lacks the marker (or does
 * not exist: it starts as `table.emptyDoc`) first gets `table.section` and the marker at its end.
 */
export function insertTableRow(
  docPath: string,
  row: string,
  table: { endMarker: string; section: string; emptyDoc: string },
): void {
  let doc: string;
  try {
    doc = readFileSync(docPath, 'utf8');
  } catch {
    doc = table.emptyDoc;
  }
  if (!doc.includes(table.endMarker)) {
    doc = `${doc.trimEnd()}\n\n${table.section}\n${table.endMarker}\n`;
  }
  writeFileSync(docPath, doc.replace(table.endMarker, `${row}\n${table.endMarker}`));
}
