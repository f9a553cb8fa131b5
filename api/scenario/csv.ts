// RFC 4180 CSV: a field with a comma, quote or line break is quoted, quotes doubled. Times are ISO.

export function toCsv<Row extends object>(
  rows: readonly Row[],
  columns: readonly (keyof Row & string)[],
  times: readonly string[] = [],
): string {
  const cell = (value: unknown, column: string) => {
    if (value === null || value === undefined) return "";
    if (times.includes(column) && typeof value === "number") return new Date(value).toISOString();
    const text = typeof value === "number" ? String(Math.round(value * 1000) / 1000) : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.join(","), ...rows.map((row) => columns.map((c) => cell(row[c], c)).join(","))];
  return `${lines.join("\n")}\n`;
}
