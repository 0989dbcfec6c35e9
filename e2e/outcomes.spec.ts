import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signIn, watchConsole } from "./helpers";

/** What `cli risk unreachable|checkins --as-of 2026-11-27 --format json` printed before the server started (scripts/e2e.sh). */
function expected<T>(name: "unreachable" | "checkins"): T {
  return JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", `expected-${name}.json`), "utf8")) as T;
}
interface Unreachable {
  school: string;
  active: number;
  count: number;
  rows: unknown[];
}
interface CheckIns {
  school: string;
  due: number;
  staff: Array<{ staff: string; due: number }>;
  rows: unknown[];
}
const csvLines = (text: string) => text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.length > 0);

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
    // The list says when it was scored; the next view within 15 minutes shows the same stored list
    // (docs/adr/0009-stored-report-runs.md), so the same instant and the same scores in reverse.
    const scored = await page.getByTestId("risk-scored-at").innerText();
    expect(scored).toMatch(/^оценено \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    await page.getByTestId("risk-sort").click();
    await expect(page).toHaveURL(/sort=asc/);
    const asc = await scores();
    expect([...asc].sort((a, b) => a - b)).toEqual(asc);
    await expect(page.getByTestId("risk-scored-at")).toHaveText(scored);
    expect([...asc].reverse()).toEqual(desc);
    expect(errors).toEqual([]);
  });

  test("unreachable and check-in sections show the CLI's counts, and download as CSV", async ({ page }) => {
    const errors = watchConsole(page);
    const u = expected<Unreachable>("unreachable");
    const c = expected<CheckIns>("checkins");
    await signIn(page, "head");
    await page.goto(`/outcomes?school=${u.school}&asOf=2026-11-27`);
    await expect(page.getByTestId("unreachable-count")).toHaveText(String(u.count));
    await expect(page.getByTestId("unreachable-active")).toHaveText(String(u.active));
    await expect(page.getByTestId("checkins-due")).toHaveText(String(c.due));
    await expect(page.getByTestId("checkin-staff-table").locator("tbody tr")).toHaveCount(c.staff.length);
    await expect(page.getByTestId("staff-outcomes-table")).toBeVisible();
    if (u.count === 0) await expect(page.getByTestId("unreachable-table-empty")).toBeVisible();
    else await expect(page.getByTestId("unreachable-table").locator("tbody tr")).toHaveCount(u.count);
    if (c.due > 0) {
      await expect(page.getByTestId("checkins-table").locator("tbody tr")).toHaveCount(c.due);
      const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("checkins-table").getByRole("link", { name: "CSV" }).click()]);
      const lines = csvLines(readFileSync((await dl.path())!, "utf8"));
      expect(lines[0]).toBe("staff,role,student,cohorts,last_staff_initiated_contact_at,days_since");
      expect(lines).toHaveLength(c.due + 1);
    }
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("checkin-staff-table").getByRole("link", { name: "CSV" }).click()]);
    const staffCsv = csvLines(readFileSync((await dl.path())!, "utf8"));
    expect(staffCsv).toHaveLength(c.staff.length + 1);
    expect(staffCsv.slice(1).reduce((a, l) => a + Number(l.split(",")[4]), 0)).toBe(c.due);
    expect(errors).toEqual([]);
  });

  test("a filter of the at-risk list lands in the URL and narrows the rows", async ({ page }) => {
    const errors = watchConsole(page);
    const u = expected<Unreachable>("unreachable");
    await signIn(page, "head");
    await page.goto(`/outcomes?school=${u.school}&asOf=2026-11-27&view=risk`);
    const rows = page.getByTestId("risk-table").locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    const tiers = await rows.locator("td:nth-child(3)").allInnerTexts();
    const tier = await page.getByTestId("risk-filter-tier").locator("option").nth(1).getAttribute("value");
    expect(tier).toBeTruthy();
    await page.getByTestId("risk-filter-tier").selectOption(tier!);
    await page.getByTestId("risk-filter-apply").click();
    await expect(page).toHaveURL(new RegExp(`tier=${tier}`));
    await expect(page).toHaveURL(/view=risk/);
    await expect(rows).toHaveCount(tiers.filter((x) => x === tier).length);
    expect(new Set(await rows.locator("td:nth-child(3)").allInnerTexts())).toEqual(new Set([tier]));
    await expect(page.getByTestId("risk-shown")).toContainText(`${tiers.filter((x) => x === tier).length} / ${tiers.length}`);
    // Sorting keeps the filter.
    await page.getByTestId("risk-sort").click();
    await expect(page).toHaveURL(new RegExp(`tier=${tier}.*sort=asc|sort=asc.*tier=${tier}`));
    await page.getByTestId("risk-filter-reset").click();
    await expect(rows).toHaveCount(tiers.length);
    expect(errors).toEqual([]);
  });

  test("a cohort filter lands in the URL, narrows every figure, and the retention curves download as CSV", async ({ page }) => {
    const errors = watchConsole(page);
    await signIn(page, "head");
    await page.goto("/outcomes");
    const total = async () => Number((await page.getByTestId("enrollments-total").innerText()).replace(/\D/g, ""));
    const all = await total();
    expect(all).toBeGreaterThan(0);
    const options = page.getByTestId("scope-cohort").locator("option");
    expect(await options.count()).toBeGreaterThan(2);
    const cohort = await options.nth(1).getAttribute("value");
    expect(cohort).toBeTruthy();
    await page.getByTestId("scope-cohort").selectOption(cohort!);
    await page.getByTestId("scope-apply").click();
    await expect(page).toHaveURL(new RegExp(`cohort=${encodeURIComponent(cohort!)}`));
    await expect(page.getByTestId("scope-shown")).toBeVisible();
    const one = await total();
    expect(one).toBeGreaterThan(0);
    expect(one).toBeLessThan(all);
    await expect(page.getByTestId("scope-shown")).toContainText(`${one} / `);
    // The tier table's CSV link carries the cohort.
    const tierCsv = await page.getByTestId("tier-table").locator("xpath=ancestor::section[1]").getByRole("link", { name: "CSV" }).getAttribute("href");
    expect(tierCsv).toContain(`cohort=${encodeURIComponent(cohort!)}`);
    await expect(page.getByTestId("contacts-not-filtered")).toBeVisible();

    // The chart's numbers: a disclosure with the table, and its CSV with the documented header.
    await page.getByTestId("retention-details").locator("summary").click();
    const table = page.getByTestId("retention-table");
    await expect(table.locator("tbody tr").first()).toBeVisible();
    const shownRows = await table.locator("tbody tr").count();
    const [dl] = await Promise.all([page.waitForEvent("download"), table.getByRole("link", { name: "CSV" }).click()]);
    const lines = csvLines(readFileSync((await dl.path())!, "utf8"));
    expect(lines[0]).toBe("tier,week,at_risk,events,censored,survival,ci95_low,ci95_high");
    expect(lines).toHaveLength(shownRows + 1);
    // S(t) is a share and never rises from one week to the next within a tier.
    const surv = lines.slice(1).map((l) => l.split(","));
    for (let i = 1; i < surv.length; i++) if (surv[i]![0] === surv[i - 1]![0]) expect(Number(surv[i]![5])).toBeLessThanOrEqual(Number(surv[i - 1]![5]));
    // The whole school's file has more enrollments at risk in week 0 than the cohort's.
    const atRisk0 = (text: string) => csvLines(text).slice(1).filter((l) => l.split(",")[1] === "0").reduce((a, l) => a + Number(l.split(",")[2]), 0);
    const href = await table.getByRole("link", { name: "CSV" }).getAttribute("href");
    const whole = await page.request.get((href ?? "").replace(/&?cohort=[^&]*/, ""));
    expect(whole.status()).toBe(200);
    expect(atRisk0(await whole.text())).toBeGreaterThan(atRisk0(lines.join("\n")));
    await page.getByTestId("scope-reset").click();
    await expect(page).not.toHaveURL(/cohort=/);
    expect(await total()).toBe(all);
    expect(errors).toEqual([]);
  });

  test("executives see aggregates, not student names", async ({ page }) => {
    await signIn(page, "executive");
    await page.goto("/outcomes?view=risk");
    await expect(page.getByTestId("correlation-note")).toBeVisible();
    await expect(page.getByTestId("risk-hidden")).toBeVisible();
    await expect(page.getByTestId("risk-table")).toHaveCount(0);
    // Contact sections: counts, no student rows; the student CSV is refused.
    await expect(page.getByTestId("checkins-due")).toBeVisible();
    await expect(page.getByTestId("contacts-hidden")).toBeVisible();
    await expect(page.getByTestId("unreachable-table")).toHaveCount(0);
    await expect(page.getByTestId("checkins-table")).toHaveCount(0);
    const res = await page.request.get("/api/export/contacts?table=unreachable");
    expect(res.status()).toBe(403);
  });
});
