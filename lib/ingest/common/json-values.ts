/**
 * Reads every top-level JSON value in a text: NDJSON (one value per line), a pretty-printed value that
 * spans lines, several pretty-printed values in a row, or a JSON array (returned as its elements when
 * `spreadArray`). Open edX tracking logs are one JSON per line, but copies of them (and the samples)
 * are pretty-printed; syslog-shipped logs prefix each line with a header before the `{`.
 *
 * A value that fails to parse is reported with its starting line and the reader resumes at the next
 * line, so one corrupt line does not lose the rest of the file.
 */
export interface JsonValueAt {
  value: unknown;
  /** 1-based line where the value starts. */
  line: number;
}

export interface JsonValuesResult {
  values: JsonValueAt[];
  errors: Array<{ line: number; reason: string }>;
}

export function readJsonValues(text: string, opts: { spreadArray?: boolean } = {}): JsonValuesResult {
  const out: JsonValuesResult = { values: [], errors: [] };
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c !== "{" && c !== "[") {
      if (c !== " " && c !== "\t" && c !== "\r") {
        // Text before a value on this line (a syslog prefix) is skipped up to the first brace; a line
        // with no brace at all is noise worth reporting.
        const eol = src.indexOf("\n", i);
        const end = eol === -1 ? src.length : eol;
        const brace = firstBrace(src, i, end);
        if (brace === -1) {
          out.errors.push({ line, reason: `not JSON: ${src.slice(i, Math.min(end, i + 40))}` });
          i = end;
        } else i = brace;
        continue;
      }
      i++;
      continue;
    }
    const end = scanValue(src, i);
    const startLine = line;
    if (end === -1) {
      out.errors.push({ line: startLine, reason: "unterminated JSON value" });
      const eol = src.indexOf("\n", i);
      i = eol === -1 ? src.length : eol;
      continue;
    }
    const raw = src.slice(i, end);
    try {
      const value: unknown = JSON.parse(raw);
      if (opts.spreadArray && Array.isArray(value)) {
        for (const v of value) out.values.push({ value: v, line: startLine });
      } else out.values.push({ value, line: startLine });
      for (let k = i; k < end; k++) if (src.charCodeAt(k) === 10) line++;
      i = end;
    } catch (e) {
      // Balanced but not JSON (a trailing comma, a truncated string): skip the whole span so that its
      // nested objects are not read as values of their own.
      out.errors.push({ line: startLine, reason: `invalid JSON: ${(e as Error).message}` });
      for (let k = i; k < end; k++) if (src.charCodeAt(k) === 10) line++;
      i = end;
    }
  }
  return out;
}

/** Only `{`: a prefix such as "INFO [tracking] {...}" has brackets that are not the value. */
function firstBrace(s: string, from: number, to: number): number {
  for (let k = from; k < to; k++) if (s[k] === "{") return k;
  return -1;
}

/** Index just past the balanced value starting at `start`, or -1. Strings are skipped with escapes. */
function scanValue(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let k = start; k < s.length; k++) {
    const c = s[k];
    if (inString) {
      if (c === "\\") k++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return -1;
}
