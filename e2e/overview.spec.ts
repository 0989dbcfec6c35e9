import { expect, test } from "@playwright/test";
import { expectedOverview, login, signIn, watchConsole } from "./helpers";

const fmt = (n: number) => new Intl.NumberFormat("ru-RU").format(n);

test.describe("demo school overview", () => {
  test("anonymous visitors are sent to the sign-in page", async ({ page }) => {
    await page.goto("/overview");
    await expect(page).toHaveURL(/\/login/);
    const res = await page.request.get("/api/export/overview");
    expect(res.status()).toBe(401);
  });

  test("a wrong password is refused with a message", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel(/почта|email/i).fill(login("head").email);
    await page.getByLabel(/пароль|password/i).fill("definitely-wrong-password");
    await page.getByRole("button", { name: /войти|sign in/i }).click();
    await expect(page.getByRole("alert").filter({ hasText: /Неверная|Wrong/ })).toBeVisible();
  });

  test("the first page shows the seeded numbers, equal to the CLI report, with no console errors", async ({ page }) => {
    const errors = watchConsole(page);
    const want = expectedOverview();
    await signIn(page, "head");
    const lastDay = want.volume.at(-1)?.day as string;
    await page.goto(`/overview?school=${want.school}&from=${want.period.from}&to=${lastDay}`);
    await expect(page.getByTestId("count-students")).toHaveText(fmt(want.counts.students ?? -1));
    await expect(page.getByTestId("count-staff")).toHaveText(fmt(want.counts.staff ?? -1));
    await expect(page.getByTestId("count-cohorts")).toHaveText(fmt(want.counts.cohorts ?? -1));
    await expect(page.getByTestId("count-messages")).toHaveText(fmt(want.counts.messages ?? -1));
    expect(want.counts.messages).toBeGreaterThan(0);
    // The chart is drawn: one bar series per source.
    await expect(page.locator(".recharts-bar")).toHaveCount(want.sources.length);
    // The per-day table matches the report row by row.
    await page.getByText(/День × Источник|Day × Source/).click();
    const rows = page.getByTestId("volume-table").locator("tbody tr");
    await expect(rows).toHaveCount(want.volume.length);
    const firstRow = want.volume[0]!;
    const cells = await rows.first().locator("td").allInnerTexts();
    expect(cells).toEqual([String(firstRow.day), ...want.sources.map((s) => fmt(Number(firstRow[s])))]);
    expect(errors).toEqual([]);
  });

  test("filters live in the URL and change the data", async ({ page }) => {
    const want = expectedOverview();
    await signIn(page, "head");
    await page.goto(`/overview?school=${want.school}`);
    await page.getByRole("button", { name: "7 дней" }).click();
    await expect(page).toHaveURL(/days=7/);
    await expect(page.getByTestId("volume-table").locator("tbody tr")).toHaveCount(7);
  });

  test("the language switch turns the page to English", async ({ page }) => {
    await signIn(page, "head");
    await page.getByLabel(/Язык/).selectOption("en");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Overview");
    await expect(page.getByText("Students")).toBeVisible();
  });

  test("the CSV export downloads the same numbers", async ({ page }) => {
    const want = expectedOverview();
    await signIn(page, "head");
    const lastDay = want.volume.at(-1)?.day as string;
    const res = await page.request.get(`/api/export/overview?school=${want.school}&from=${want.period.from}&to=${lastDay}`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/csv");
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    expect(lines[0]).toBe(["day", ...want.sources, "total"].join(","));
    expect(lines).toHaveLength(want.volume.length + 1);
    const total = lines.slice(1).reduce((a, l) => a + Number(l.split(",").at(-1)), 0);
    expect(total).toBe(want.counts.messages);
  });
});
