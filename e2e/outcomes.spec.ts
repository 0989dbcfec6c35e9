import { expect, test } from "@playwright/test";
import { signIn, watchConsole } from "./helpers";

test.describe("outcomes", () => {
  test("completion by tier, retention chart, the correlation label and the at-risk list", async ({ page }) => {
    const errors = watchConsole(page);
    await signIn(page, "head");
    await page.goto("/outcomes");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Результаты обучения");
    await expect(page.getByTestId("correlation-note")).toContainText("Корреляция, а не эффект");
    await expect(page.getByTestId("tier-table").locator("tbody tr").first()).toBeVisible();
    await expect(page.getByTestId("retention-chart")).toBeVisible();
    const rows = page.getByTestId("risk-table").locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    // Highest score first; the sort link reverses it.
    const scores = async () => (await rows.locator("td:nth-child(4)").allInnerTexts()).map(Number);
    const desc = await scores();
    expect([...desc].sort((a, b) => b - a)).toEqual(desc);
    await page.getByTestId("risk-sort").click();
    await expect(page).toHaveURL(/sort=asc/);
    const asc = await scores();
    expect([...asc].sort((a, b) => a - b)).toEqual(asc);
    expect(errors).toEqual([]);
  });

  test("executives see aggregates, not student names", async ({ page }) => {
    await signIn(page, "executive");
    await page.goto("/outcomes?view=risk");
    await expect(page.getByTestId("correlation-note")).toBeVisible();
    await expect(page.getByTestId("risk-hidden")).toBeVisible();
    await expect(page.getByTestId("risk-table")).toHaveCount(0);
  });
});
