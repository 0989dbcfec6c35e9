import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";

/**
 * File inputs of `import`: a file, a folder (walked), or a zip (read in memory with fflate), as a map
 * from a path relative to what was named to its text. Archives' own clutter (__MACOSX, .DS_Store) is
 * skipped; binaries are left out by the `want` filter the format passes.
 */
export type InputFiles = Map<string, string>;

const decoder = new TextDecoder("utf-8");
const CLUTTER = /(^|\/)(__MACOSX|\.DS_Store|Thumbs\.db)(\/|$)/;

export function readZip(file: string, want: (p: string) => boolean = () => true): InputFiles {
  const out: InputFiles = new Map();
  const entries = unzipSync(new Uint8Array(fs.readFileSync(file)), { filter: (f) => !f.name.endsWith("/") && !CLUTTER.test(f.name) && want(f.name) });
  for (const [name, bytes] of Object.entries(entries)) out.set(name, decoder.decode(bytes));
  return out;
}

function walk(dir: string, base: string, want: (p: string) => boolean, out: InputFiles): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(base, full).split(path.sep).join("/");
    if (CLUTTER.test(rel)) continue;
    if (entry.isDirectory()) walk(full, base, want, out);
    else if (entry.isFile() && want(rel)) out.set(rel, fs.readFileSync(full, "utf8"));
  }
}

/**
 * Every named path, read. Files keep their base name as key (prefixed with an index when two share
 * one); folders and zips contribute their inner paths, prefixed the same way when several are named.
 */
export function readInputs(paths: readonly string[], want: (p: string) => boolean = () => true): InputFiles {
  if (paths.length === 0) throw new Error("name at least one file or folder to import");
  const out: InputFiles = new Map();
  paths.forEach((p, i) => {
    if (!fs.existsSync(p)) throw new Error(`${p}: no such file or folder`);
    const stat = fs.statSync(p);
    const part: InputFiles = new Map();
    if (stat.isDirectory()) walk(p, p, want, part);
    else if (/\.zip$/i.test(p)) for (const [k, v] of readZip(p, want)) part.set(k, v);
    else part.set(path.basename(p), fs.readFileSync(p, "utf8"));
    const prefix = paths.length > 1 && (stat.isDirectory() || /\.zip$/i.test(p)) ? `${i}/` : "";
    for (const [k, v] of part) out.set(out.has(prefix + k) ? `${i}/${k}` : prefix + k, v);
  });
  return out;
}

/** Same inputs and options → same fingerprint: the key that lets a killed import resume (import_runs). */
export function fingerprint(files: InputFiles, options: unknown): string {
  const h = createHash("sha256").update(JSON.stringify(options ?? null));
  for (const k of [...files.keys()].sort()) h.update(`\u0000${k}\u0000`).update(createHash("sha256").update(files.get(k) ?? "").digest("hex"));
  return h.digest("hex");
}
