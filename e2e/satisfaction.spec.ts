import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn, watchConsole } from "./helpers";

interface CsatGroup {
  key: string | null;
  label: string;
  n: number;
  csatPercent: number | null;
  npsN: number;
}
interface ExpectedCsat {
  school: string;
  period: { from: string; to: string };
  total: { n: number; csatPercent: number | null; npsN: number; nps: number | null; surveysSent: number; responseRate: number | null };
  groups: CsatGroup[];
}
/** What `cli report csat --group-by person --json` printed before the server started (scripts/e2e.sh). */
const expected = (): ExpectedCsat => JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-csat.json"), "utf8")) as ExpectedCsat;
const lastDay = (to: string) => new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const pct = (x: number | null) => (x === null ? "—" : `${x.toFixed(1)} %`);
const rowsOf = (page: Page, table: string) => page.locator(`[data-testid="${table}"] tbody tr`);
const query = (w: ExpectedCsat) => `school=${w.school}&from=${w.period.from}&to=${lastDay(w.period.to)}`;

test.describe("satisfaction", () => {
  test("totals and per-person rows equal `cli report csat`; headers sort; no console errors", async ({ page }) => {
    const errors = watchConsole(page);
    const want = expected();
    expect(want.total.n).toBeGreaterThan(0);
    await signIn(page, "head");
    await page.goto(`/satisfaction?${query(want)}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByTestId("csat-total")).toHaveText(pct(want.total.csatPercent));
    await expect(page.getByTestId("nps-total")).toHaveText(want.total.nps === null ? "—" : want.total.nps.toFixed(0));
    await expect(rowsOf(page, "csat-table")).toHaveCount(want.groups.length);
    for (const g of want.groups.filter((x) => x.key !== null)) {
      const row = rowsOf(page, "csat-table").filter({ has: page.locator("td:first-child", { hasText: g.label }) });
      await expect(row.locator("td").nth(1)).toHaveText(pct(g.csatPercent));
      await expect(row.locator("td").nth(2)).toHaveText(String(g.n));
    }
    // Sorting by the answers column, descending on the second click: the largest group comes first.
    const answers = page.locator('[data-testid="csat-table"] thead th').nth(2);
    await answers.getByRole("button").click();
    await expect(answers).toHaveAttribute("aria-sort", "ascending");
    await answers.getByRole("button").click();
    await expect(answers).toHaveAttribute("aria-sort", "descending");
    const most = Math.max(...want.groups.map((g) => g.n));
    await expect(rowsOf(page, "csat-table").first().locator("td").nth(2)).toHaveText(String(most));
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  test("grouping is in the URL; the CSV holds the same groups and total", async ({ page }) => {
    const want = expected();
    await signIn(page, "head");
    await page.goto(`/satisfaction?${query(want)}`);
    await page.getByRole("navigation", { name: /группировать|group by/i }).getByRole("link").filter({ hasText: /недел|week/i }).click();
    await expect(page).toHaveURL(/groupBy=week/);
    await expect(rowsOf(page, "csat-table").first()).toBeVisible();
    const res = await page.request.get(`/api/export/satisfaction?${query(want)}&groupBy=person`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/csv");
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    expect(lines[0]).toBe("group,csat_percent,csat_n,mean,nps,nps_n,surveys_sent,response_rate");
    // One line per group plus the total line.
    expect(lines).toHaveLength(want.groups.length + 2);
    const total = lines[lines.length - 1]?.split(",") ?? [];
    expect(total[0]).toBe("total");
    expect(Number(total[2])).toBe(want.total.n);
  });

  test("comments: the head reads them, the executive sees that they are hidden", async ({ page }) => {
    const want = expected();
    await signIn(page, "head");
    await page.goto(`/satisfaction?${query(want)}`);
    await expect(page.getByTestId("comments-table")).toBeVisible();
    await signIn(page, "executive");
    await page.goto(`/satisfaction?${query(want)}`);
    await expect(page.getByTestId("comments-table")).toHaveCount(0);
    await expect(page.getByTestId("csat-total")).toHaveText(pct(want.total.csatPercent));
    const res = await page.request.get(`/api/export/satisfaction?${query(want)}&table=comments`);
    if (res.status() === 200) expect((await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/)).toHaveLength(1);
    else expect(res.status()).toBe(403);
  });

  test("drill-down: a person's row opens their episodes of the period; executives get no links", async ({ page }) => {
    const want = expected();
    const top = [...want.groups].filter((g) => g.key !== null && g.n > 0).sort((a, b) => b.n - a.n)[0]!;
    await signIn(page, "head");
    await page.goto(`/satisfaction?${query(want)}&groupBy=person`);
    const link = page.getByTestId("csat-table").getByTestId("csat-drill").filter({ hasText: top.label }).first();
    await expect(link).toHaveAttribute("href", new RegExp(`responder=${top.key}(&|$)`));
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/episodes\\?.*from=${want.period.from}.*to=${lastDay(want.period.to)}.*responder=${top.key}`));
    // The list holds the person's episodes of the period, rated or not (it has no rating filter): not empty.
    expect(Number((await page.getByTestId("episodes-total").innerText()).replace(/\s/g, ""))).toBeGreaterThan(0);
    await expect(page.getByTestId("episodes-table")).toContainText(top.label);
    await page.context().clearCookies();
    await signIn(page, "executive");
    await page.goto(`/satisfaction?${query(want)}&groupBy=person`);
    await expect(page.getByTestId("csat-table").locator("tbody tr").first()).toBeVisible();
    await expect(page.getByTestId("csat-drill")).toHaveCount(0);
  });

  test("choosing a cohort puts it in the URL and the totals become `cli report csat --cohort`'s", async ({ page }) => {
    const want = expected();
    const cohort = JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-csat-cohort.json"), "utf8")) as ExpectedCsat & { filter: { cohortId?: number } };
    expect(cohort.filter.cohortId).toBeDefined();
    const n = (x: number) => new Intl.NumberFormat("ru-RU").format(x);
    await signIn(page, "head");
    await page.goto(`/satisfaction?${query(want)}`);
    await expect(page.getByTestId("csat-total").locator("..")).toContainText(`n = ${n(want.total.n)}`);
    await page.getByTestId("satisfaction-filters").locator('select[name="cohort"]').selectOption(String(cohort.filter.cohortId));
    await expect(page).toHaveURL(new RegExp(`[?&]cohort=${cohort.filter.cohortId}(&|$)`));
    await expect(page.getByTestId("csat-total").locator("..")).toContainText(`n = ${n(cohort.total.n)}`);
    await expect(page.getByTestId("csat-total")).toHaveText(pct(cohort.total.csatPercent));
    await expect(page.getByTestId("nps-total")).toHaveText(cohort.total.nps === null ? "—" : cohort.total.nps.toFixed(0));
    // The export follows the URL's filter.
    const res = await page.request.get(`/api/export/satisfaction?${query(want)}&cohort=${cohort.filter.cohortId}`);
    const total = (await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/).at(-1)?.split(",") ?? [];
    expect(Number(total[2])).toBe(cohort.total.n);
  });
});
