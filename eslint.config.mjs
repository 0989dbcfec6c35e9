import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "db/migrations/**"]),
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // One data path (ARCHITECTURE.md rule 1): routes and components read through lib/dal, never db/.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/db", "@/db/*", "**/db/*", "../db", "../../db"], message: "app/ and components/ read data through lib/dal, never db/." },
          ],
        },
      ],
    },
  },
  {
    // Metric code is pure: no I/O, no clock. `now` is passed in.
    files: ["lib/metrics/**/*.ts"],
    ignores: ["lib/metrics/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@/db", "@/db/*", "node:fs", "fs", "pg"], message: "lib/metrics is pure." }] }],
      "no-restricted-properties": ["error", { object: "Date", property: "now", message: "Pass `now` in." }],
    },
  },
]);
