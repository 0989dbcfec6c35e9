import base from "./playwright.config";
import { defineConfig } from "@playwright/test";

/**
 * Not part of `npm test`: regenerates docs/screenshots/ (every page, Russian and English) on the seeded
 * e2e demo. Run: `bash scripts/e2e.sh -c playwright.screenshots.config.ts`.
 */
export default defineConfig({ ...base, testDir: "scripts/screenshots", timeout: 240_000, use: { ...base.use, viewport: { width: 1440, height: 900 } } });
