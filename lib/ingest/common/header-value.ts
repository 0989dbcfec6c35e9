/**
 * Request headers as route handlers (Fetch `Headers`) and Node/test code (a plain record) give them.
 * Node lower-cases names and may repeat a header as an array; a record from a test may not.
 */
export type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type HeaderLookup = { kind: "missing" } | { kind: "one"; value: string } | { kind: "many" };

/** Case-insensitive lookup that tells a repeated header apart, since a repeated auth header is suspect. */
export function headerValue(headers: HeaderBag, name: string): HeaderLookup {
  const wanted = name.toLowerCase();
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    const v = headers.get(wanted);
    // Fetch joins repeated headers with ", ": a secret token never contains a comma.
    if (v === null) return { kind: "missing" };
    return v.includes(",") ? { kind: "many" } : { kind: "one", value: v };
  }
  const found: string[] = [];
  for (const [k, v] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (k.toLowerCase() !== wanted || v === undefined) continue;
    // HTTP strips surrounding whitespace from values; Fetch `Headers` already does, so do the same here.
    if (typeof v === "string") found.push(v.trim());
    else found.push(...v.map((x) => x.trim()));
  }
  if (found.length === 0) return { kind: "missing" };
  const [first] = found;
  return found.length === 1 && first !== undefined ? { kind: "one", value: first } : { kind: "many" };
}
