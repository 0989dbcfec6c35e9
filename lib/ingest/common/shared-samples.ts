import fs from "node:fs";
import path from "node:path";

/**
 * Test helper: the real source samples live in `<repo>/../shared/samples` (a sibling of the repo, both in
 * the dev workspace and in the CI clone). They are read in place, never copied into the product,
 * because several are under copyleft licences. The repo root is found by walking up to package.json,
 * so the helper works wherever the test file sits.
 */
function repoRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

export function sharedSamplesDir(): string {
  const root = repoRoot(import.meta.dirname);
  const dir = path.resolve(root, "..", "shared", "samples");
  if (!fs.existsSync(dir)) throw new Error(`shared samples not found at ${dir} (expected ../shared next to the repo)`);
  return dir;
}

export function sharedSamplePath(...parts: string[]): string {
  return path.join(sharedSamplesDir(), ...parts);
}

export function readSharedSample(...parts: string[]): string {
  return fs.readFileSync(sharedSamplePath(...parts), "utf8");
}

/** Every file under a sample folder, keyed by its path relative to that folder ("B75B4C7/2025-01-10.json"). */
export function readSharedSampleTree(...parts: string[]): Map<string, string> {
  const base = sharedSamplePath(...parts);
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(base, full).split(path.sep).join("/"), fs.readFileSync(full, "utf8"));
    }
  };
  walk(base);
  return out;
}
