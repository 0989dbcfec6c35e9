import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { DateTime } from "luxon";
import { expectedOverview, login, signIn, watchConsole } from "./helpers";

const fmt = (n: number) => new Intl.NumberFormat("ru-RU").format(n);

type Unit = "share" | "percent" | "minutes" | "count";
interface Figure { key: string; unit: Unit; value: number | null; n: number; live: boolean; previous: number | null; previousN: number | null; trend: { verdict: string | null } }
/** What `cli report kpis --days 30 --json` printed before the server started (scripts/e2e.sh). */
const kpis = () =>
  JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-kpis.json"), "utf8")) as {
    school: string; period: { from: string; to: string }; kpis: Record<string, Figure>;
    byRole: Array<{ key: string | null; label: string; compliance: number | null; met: number; known: number; episodes: number; breached: number; trend: { verdict: string | null } }>;
  };
const lastDayOf = (p: { to: string }) => DateTime.fromISO(p.to).minus({ days: 1 }).toISODate()!;
const pct = (x: number | null) => (x === null ? "—" : new Intl.NumberFormat("ru-RU", { style: "percent", maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(x));
/** As components/overview/format.ts shows a value (CSAT comes in percent, minutes to 0 or 1 decimal). */
const shown = (f: Figure, v: number | null) =>
  v === null ? "—" : f.unit === "share" ? pct(v) : f.unit === "percent" ? pct(v / 100) : f.unit === "minutes" ? new Intl.NumberFormat("ru-RU", { maximumFractionDigits: v < 10 ? 1 : 0 }).format(v) : fmt(v);

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

  test("the KPI cards equal `cli report kpis` for the same period, each with its count and trend", async ({ page }) => {
    const errors = watchConsole(page);
    const want = kpis();
    await signIn(page, "head");
    await page.goto(`/overview?school=${want.school}&from=${want.period.from}&to=${lastDayOf(want.period)}`);
    expect(want.kpis.slaCompliance!.n).toBeGreaterThan(0);
    for (const f of Object.values(want.kpis)) {
      const card = page.getByTestId(`kpi-${f.key}`);
      // Open and breaching now are the live queue: the queue spec's webhook and the clock move them.
      if (f.live) {
        await expect(card.getByTestId(`kpi-${f.key}-value`)).toHaveText(/^\d[\d\s\u00a0]*$/);
        continue;
      }
      await expect(card.getByTestId(`kpi-${f.key}-value`)).toHaveText(shown(f, f.value));
      await expect(card.getByTestId(`kpi-${f.key}-n`)).toContainText(`n = ${fmt(f.n)}`);
      const trend = card.getByTestId(`kpi-${f.key}-trend`);
      await expect(trend).toHaveAttribute("data-verdict", f.trend.verdict ?? "none");
      // The previous value is in the tooltip.
      await expect(trend).toHaveAttribute("title", new RegExp(`${shown(f, f.previous).replace(/[\s\u00a0]/g, "\\s")}, n = ${fmt(f.previousN ?? 0).replace(/[\s\u00a0]/g, "\\s")}`));
    }
    for (const r of want.byRole) {
      const row = page.locator(`[data-testid=kpi-role-table] tr[data-role="${r.key ?? "none"}"]`);
      const cells = (await row.locator("td").allInnerTexts()).map((x) => x.trim().replace(/\s/g, " "));
      expect(cells.slice(0, 4)).toEqual([pct(r.compliance), `${fmt(r.met)} / ${fmt(r.known)}`, fmt(r.episodes), fmt(r.breached)].map((x) => x.replace(/\s/g, " ")));
    }
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  test("a KPI opens the episodes behind it, filtered in the URL", async ({ page }) => {
    const want = kpis();
    const breached = want.kpis.breached!;
    await signIn(page, "head");
    await page.goto(`/overview?school=${want.school}&from=${want.period.from}&to=${lastDayOf(want.period)}`);
    await page.getByTestId("kpi-breached-link").click();
    await expect(page).toHaveURL(/\/episodes\?/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ school: want.school, from: want.period.from, to: lastDayOf(want.period), breached: "1" });
    await expect(page.getByTestId("episodes-total")).toHaveText(fmt(breached.value ?? -1));
    // A role row's episode count opens that role's episodes.
    const role = want.byRole.find((r) => r.key !== null)!;
    await page.goBack();
    await page.getByTestId(`kpi-role-${role.key}-episodes`).click();
    await expect(page).toHaveURL(new RegExp(`role=${role.key}`));
    await expect(page.getByTestId("episodes-total")).toHaveText(fmt(role.episodes));
  });

  test("KPI labels in Russian and English; executives see the numbers without episode links", async ({ page }) => {
    const want = kpis();
    const url = `/overview?school=${want.school}&from=${want.period.from}&to=${lastDayOf(want.period)}`;
    await signIn(page, "head");
    await page.goto(url);
    await expect(page.getByTestId("kpi-slaCompliance")).toContainText("Соблюдение SLA");
    await expect(page.getByRole("heading", { name: "Соблюдение SLA по ролям" })).toBeVisible();
    await page.getByLabel(/Язык/).selectOption("en");
    await expect(page.getByTestId("kpi-slaCompliance")).toContainText("SLA compliance");
    await expect(page.getByTestId("kpi-medianResponse")).toContainText("Median response, min");
    await expect(page.getByRole("heading", { name: "SLA compliance by role" })).toBeVisible();
    await page.context().clearCookies();
    await signIn(page, "executive");
    await page.goto(url);
    await expect(page.getByTestId("kpi-breached-value")).toHaveText(fmt(want.kpis.breached!.value ?? -1));
    await expect(page.getByTestId("kpi-breached-link")).toHaveCount(0);
    await expect(page.locator("[data-testid=kpi-role-table] a")).toHaveCount(0);
  });

  test("choosing a cohort filters the KPI cards as `cli report kpis --cohort` does; the queue cards say they ignore it", async ({ page }) => {
    const want = kpis();
    const file = path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-kpis-cohort.json");
    const cohort = JSON.parse(readFileSync(file, "utf8")) as ReturnType<typeof kpis> & { filter: { cohortId?: number } };
    expect(cohort.filter.cohortId).toBeDefined();
    await signIn(page, "head");
    await page.goto(`/overview?school=${want.school}&from=${want.period.from}&to=${lastDayOf(want.period)}`);
    await expect(page.getByTestId("kpi-csat-n")).toContainText(`n = ${fmt(want.kpis.csat!.n)}`);
    await page.getByTestId("kpi-filters").locator('select[name="cohort"]').selectOption(String(cohort.filter.cohortId));
    await expect(page).toHaveURL(new RegExp(`[?&]cohort=${cohort.filter.cohortId}(&|$)`));
    const csat = cohort.kpis.csat!;
    await expect(page.getByTestId("kpi-csat-n")).toContainText(`n = ${fmt(csat.n)}`);
    await expect(page.getByTestId("kpi-csat-value")).toHaveText(shown(csat, csat.value));
    await expect(page.getByTestId("kpi-openNow")).toHaveAttribute("data-unfiltered", "true");
    // The drill-down carries the cohort to the episode list.
    await expect(page.getByTestId("kpi-breached-link")).toHaveAttribute("href", new RegExp(`cohort=${cohort.filter.cohortId}`));
  });
});
