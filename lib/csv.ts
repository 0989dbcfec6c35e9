import Papa from "papaparse";

/**
 * CSV for spreadsheets: a UTF-8 BOM so Excel opens Cyrillic correctly, and cells that start like a
 * formula prefixed with a quote (CSV injection: a student's name "=HYPERLINK(...)" must stay text).
 */
export function toCsv(header: string[], rows: Array<Array<string | number | null>>): string {
  const safe = (v: string | number | null) => (typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v ?? "");
  return "\uFEFF" + Papa.unparse({ fields: header, data: rows.map((r) => r.map(safe)) }, { newline: "\r\n" });
}

export function csvResponse(filename: string, body: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}
