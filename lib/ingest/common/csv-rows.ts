import Papa from "papaparse";

/**
 * CSV rows with the line each starts on, for rejections an operator can find in the file. Papaparse does
 * the quoting (multi-line cells, doubled quotes, CRLF); the line comes from the row's start offset.
 * The delimiter is guessed among `,`, `;` and tab: spreadsheets in Russian locales save with `;`.
 */
export interface CsvRow {
  line: number;
  /** Header name (trimmed, lower-cased) -> cell (trimmed). */
  cells: Record<string, string>;
}

export interface CsvParseResult {
  header: string[];
  rows: CsvRow[];
  errors: Array<{ line: number; reason: string }>;
}

export function readCsvRows(text: string, opts: { lowerCaseHeader?: boolean } = {}): CsvParseResult {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const newlines: number[] = [];
  for (let k = 0; k < src.length; k++) if (src.charCodeAt(k) === 10) newlines.push(k);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((newlines[mid] ?? Infinity) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const out: CsvParseResult = { header: [], rows: [], errors: [] };
  let rowStart = 0;
  let header: string[] | null = null;
  Papa.parse<string[]>(src, {
    delimitersToGuess: [",", ";", "\t"],
    step: (r) => {
      const line = lineAt(rowStart);
      rowStart = r.meta.cursor;
      const cells = r.data;
      for (const e of r.errors) if (e.code !== "UndetectableDelimiter") out.errors.push({ line, reason: e.message });
      if (cells.length === 1 && (cells[0] ?? "").trim() === "") return;
      if (!header) {
        header = cells.map((h) => (opts.lowerCaseHeader === false ? h.trim() : h.trim().toLowerCase()));
        out.header = header;
        return;
      }
      if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== "")) {
        out.errors.push({ line, reason: `${cells.length} cells for ${header.length} columns` });
        return;
      }
      const rec: Record<string, string> = {};
      header.forEach((h, i) => {
        rec[h] = (cells[i] ?? "").trim();
      });
      out.rows.push({ line, cells: rec });
    },
  });
  return out;
}
