import { defineConfig } from "@playwright/test";
import { existsSync } from "node:fs";

// Debian's Chromium: Playwright's own browser download cannot run here (no network but the registries).
const chromium = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? ".data-e2e";

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    locale: "ru-RU",
    timezoneId: "Europe/Moscow",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      // As root in a container, and with no network: no sandbox, no background connections.
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    },
  },
  // Files named *.after.spec.ts change the demo school's data (a webhook's new question becomes its newest
  // episode, which moves the shift planner's week off what the CLI printed before the server started): they
  // run once every other file has passed, not wherever their name sorts.
  projects: [
    { name: "chromium", testIgnore: /\.after\.spec\.ts$/, use: { browserName: "chromium" } },
    { name: "after", testMatch: /\.after\.spec\.ts$/, dependencies: ["chromium"], use: { browserName: "chromium" } },
  ],
  webServer: {
    // The production server, as `npm start` runs it (lib/server/launch.ts): webhooks on node:http, the rest on Next.
    command: `node --max-semi-space-size=8 --import tsx server/main.ts -p ${port} -H 127.0.0.1`,
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { DATA_DIR: E2E_DATA_DIR, NEXTAUTH_URL: baseURL, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "e2e-only-secret-not-for-production-0123456789", DATABASE_URL: "" },
  },
});
