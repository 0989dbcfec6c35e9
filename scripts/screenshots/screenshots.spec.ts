import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "../../e2e/helpers";

const out = path.join(import.meta.dirname, "..", "..", "docs", "screenshots");

/** The first href on the page that matches, so detail pages show a real episode and student of the demo. */
async function firstHref(page: Page, selector: string): Promise<string> {
  const href = await page.locator(selector).first().getAttribute("href");
  if (!href) throw new Error(`no link ${selector}`);
  return href;
}

test("every page in Russian and English", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/episodes");
  const episode = await firstHref(page, 'a[href^="/episodes/"]');
  await page.goto(episode);
  const student = await firstHref(page, 'a[href^="/students/"]');
  const pages: Array<[string, string]> = [
    ["overview", "/overview"],
    ["sla", "/sla"],
    ["queue", "/queue"],
    ["team", "/team"],
    ["satisfaction", "/satisfaction"],
    ["outcomes", "/outcomes"],
    ["shifts", "/shifts"],
    ["episodes", "/episodes"],
    ["episode", episode],
    ["student", student],
    ["settings", "/settings"],
    ["audit", "/audit"],
  ];
  for (const lang of ["ru", "en"] as const) {
    await page.context().addCookies([{ name: "lang", value: lang, url: test.info().project.use.baseURL ?? "http://127.0.0.1:3100" }]);
    for (const [name, url] of pages) {
      await page.goto(url);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      // Charts animate in; a settled page reads better than a half-drawn one.
      await page.waitForTimeout(1200);
      await page.screenshot({ path: path.join(out, `${name}-${lang}.png`), fullPage: true });
    }
  }
});
