/** One CSV line (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. */
export function toCsvRow(fields: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${fields
    .map((field) => {
      const text = field === null || field === undefined ? '' : String(field);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\r\n`;
}
