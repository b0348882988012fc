/** Byte counts as a terminal user reads them: 1.2 MiB, 512 B. */
export function formatBytes(n: number | null): string {
  if (n === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatSeconds(s: number | null): string {
  if (s === null) return '-';
  return s < 100 ? `${s.toFixed(2)}s` : `${Math.round(s)}s`;
}

/** Left-aligned text table with a header, two spaces between columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Strips control characters from strings a container controls (names, hostnames, titles). */
export function sanitize(s: string): string {
  // C0, DEL and C1 controls; keeps printable Unicode
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
