import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, type BrowserContext, type Page } from "@playwright/test";

const dataDir = process.env.E2E_DATA_DIR ?? ".data-e2e";

export interface DemoLogin {
  role: string;
  email: string;
  password: string;
}

export function demoLogins(): DemoLogin[] {
  return JSON.parse(readFileSync(path.join(dataDir, "demo-logins.json"), "utf8")) as DemoLogin[];
}

export function login(role: string): DemoLogin {
  const l = demoLogins().find((x) => x.role === role);
  if (!l) throw new Error(`no demo login for ${role}`);
  return l;
}

/** What `cli report overview --json` printed for the same filters before the server started. */
export function expectedOverview(): {
  school: string;
  period: { from: string; to: string };
  counts: Record<string, number>;
  sources: string[];
  volume: Array<Record<string, number | string>>;
} {
  return JSON.parse(readFileSync(path.join(dataDir, "expected-overview.json"), "utf8"));
}

/**
 * Signs in through the form once per role and reuses that session afterwards: sign-in is rate-limited
 * (10 tries per 15 minutes per address), and every test signing in afresh would trip it, as a real
 * attacker should. The session cookie is kept beside the e2e data, never in the repo.
 */
export async function signIn(page: Page, role: string): Promise<void> {
  const state = path.join(dataDir, `session-${role}.json`);
  if (existsSync(state)) {
    const { cookies } = JSON.parse(readFileSync(state, "utf8")) as { cookies: Parameters<BrowserContext["addCookies"]>[0] };
    await page.context().addCookies(cookies);
    // "/" lands on the first page the role may open (lib/dal/access.ts landingPath), or on /login when the session is gone.
    await page.goto("/");
    if (!/\/login/.test(page.url())) return;
  }
  const l = login(role);
  await page.goto("/login");
  await page.getByLabel(/почта|email/i).fill(l.email);
  await page.getByLabel(/пароль|password/i).fill(l.password);
  await page.getByRole("button", { name: /войти|sign in/i }).click();
  await expect(page).toHaveURL(/\/(overview|queue)/);
  writeFileSync(state, JSON.stringify(await page.context().storageState()));
}

/** Collects console errors and failed requests; a test asserts the list is empty at its end. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}
