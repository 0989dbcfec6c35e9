import { expect, test } from "@playwright/test";
import { signIn, watchConsole } from "./helpers";

test.describe("settings", () => {
  test("a head of service sees the sources with their webhook URLs and no secret, and a bad config is refused with its path", async ({ page }) => {
    const errors = watchConsole(page);
    await signIn(page, "head");
    await page.goto("/settings");
    const sources = page.getByTestId("settings-sources");
    await expect(sources).toContainText("/api/ingest/");
    await expect(page.getByTestId("settings-policies")).toBeVisible();
    // The e2e source was registered with this secret (scripts/e2e.sh): it must never be shown.
    await expect(page.locator("body")).not.toContainText("e2e-telegram-secret");
    await page.getByLabel(/Применить конфигурацию|Apply/).fill('{ "slaPolicies": [ { "name": "x", "targetMinutes": -5 } ] }');
    // The period picker has an "Apply" too: click the one of the config form.
    await page.locator("form").filter({ has: page.locator("#config-json") }).getByRole("button").click();
    await expect(page.getByTestId("config-errors")).toContainText("slaPolicies");
    expect(errors).toEqual([]);
  });

  test("staff members are refused", async ({ page }) => {
    await signIn(page, "staff");
    const res = await page.goto("/settings");
    await expect(page.locator("body")).not.toContainText("/api/ingest/");
    expect(res?.status() === 403 || (await page.getByRole("alert").count()) > 0).toBe(true);
  });
});
