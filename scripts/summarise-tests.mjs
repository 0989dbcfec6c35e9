// Adds up the JSON reports of vitest and Playwright into one closing line: "N passed, N failed, N skipped".
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2];
let passed = 0, failed = 0, skipped = 0;
for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
  const r = JSON.parse(readFileSync(path.join(dir, f), "utf8"));
  if (typeof r.numPassedTests === "number") {
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    console.log(`${f.replace(".json", "")}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  } else if (r.stats) {
    passed += r.stats.expected; failed += r.stats.unexpected + (r.stats.flaky ?? 0); skipped += r.stats.skipped;
    console.log(`${f.replace(".json", "")}: ${r.stats.expected} passed, ${r.stats.unexpected} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
