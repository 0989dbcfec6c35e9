import fs from "node:fs";
import path from "node:path";
import { sharedSamplesDir } from "./shared-samples";

/**
 * Test helper: real data sets (OULAD) in `<repo>/../shared/data`, beside the samples folder that
 * shared-samples.ts locates. Read in place, never copied into the product.
 */
export function sharedDataPath(...parts: string[]): string {
  const dir = path.resolve(sharedSamplesDir(), "..", "data");
  if (!fs.existsSync(dir)) throw new Error(`shared data not found at ${dir} (expected ../shared/data next to the repo)`);
  return path.join(dir, ...parts);
}

export function readSharedData(...parts: string[]): string {
  return fs.readFileSync(sharedDataPath(...parts), "utf8");
}
