import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { DateTime } from "luxon";
import { signIn, watchConsole } from "./helpers";

interface Stats { episodes: number; answered: number; known: number; met: number; compliance: number | null; medianMinutes: number | null }
/** What `cli report sla --group-by role --json` printed for the same school and period before the server started. */
const want = JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-sla.json"), "utf8")) as {
  school: string; timezone: string; period: { from: string; to: string }; total: Stats; groups: Array<Stats & { key: string | null; label: string }>;
};
const lastDay = DateTime.fromISO(want.period.to).minus({ days: 1 }).toISODate()!;
const url = `/sla?school=${want.school}&from=${want.period.from}&to=${lastDay}`;
const fmt = (n: number) => new Intl.NumberFormat("ru-RU").format(n);
const pct = (x: number | null) => (x === null ? "—" : new Intl.NumberFormat("ru-RU", { style: "percent", maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(x));
const cells = async (row: import("@playwright/test").Locator) => (await row.locator("td").allInnerTexts()).map((s) => s.trim());

test.describe("SLA page on the demo school", () => {
  test("shows the CLI report's numbers by role, with no console errors", async ({ page }) => {
    // Nav links prefetch pages other work has not built yet (404 there); this page's own requests must all succeed.
    const errors = watchConsole(page);
    const failed: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400 && /^\/(sla|episodes|api\/export)/.test(new URL(r.url()).pathname)) failed.push(`${r.status()} ${r.url()}`);
    });
    expect(want.total.episodes).toBeGreaterThan(0);
    await signIn(page, "head");
    await page.goto(url);
    await expect(page.getByTestId("stat-episodes")).toHaveText(fmt(want.total.episodes));
    await expect(page.getByTestId("stat-compliance")).toHaveText(pct(want.total.compliance));
    for (const g of want.groups) {
      const row = page.locator(`[data-testid=role-table] tr[data-role="${g.key ?? "none"}"]`);
      await expect(row.locator("th")).toHaveText(g.key === null ? /без роли/ : g.label);
      // episodes, answered, known, met, compliance: the columns the CLI prints.
      expect((await cells(row)).slice(0, 5)).toEqual([fmt(g.episodes), fmt(g.answered), fmt(g.known), fmt(g.met), pct(g.compliance)]);
    }
    const total = page.locator('[data-testid=role-table] tr[data-role="total"]');
    expect((await cells(total)).slice(0, 5)).toEqual([fmt(want.total.episodes), fmt(want.total.answered), fmt(want.total.known), fmt(want.total.met), pct(want.total.compliance)]);
    await expect(page.locator(".recharts-line")).toHaveCount(want.groups.length + 1);
    await expect(page.getByTestId("heatmap").locator("td")).toHaveCount(7 * 24);
    await expect(page.getByTestId("heatmap-legend")).toContainText("n < 5");
    expect(failed).toEqual([]);
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  test("filters live in the URL and change the data", async ({ page }) => {
    const g = want.groups.find((x) => x.key !== null)!;
    await signIn(page, "head");
    await page.goto(url);
    await page.getByTestId("sla-filters").getByLabel("Роль").selectOption(g.key!);
    await expect(page).toHaveURL(new RegExp(`role=${g.key}`));
    await expect(page.getByTestId("stat-episodes")).toHaveText(fmt(g.episodes));
    await expect(page.locator("[data-testid=role-table] tbody tr")).toHaveCount(1);
    await page.getByTestId("heatmap-metric").getByText("Медиана ответа, мин").click();
    await expect(page).toHaveURL(/metric=median/);
    await expect(page).toHaveURL(new RegExp(`role=${g.key}`));
  });

  test("a heatmap cell opens the episodes opened in that weekday and hour; an episode shows its timeline", async ({ page }) => {
    await signIn(page, "head");
    await page.goto(url);
    const cell = page.getByTestId("heatmap").locator("a[data-weekday]").first();
    const weekday = Number(await cell.getAttribute("data-weekday"));
    const hour = Number(await cell.getAttribute("data-hour"));
    const label = (await cell.getAttribute("aria-label")) ?? "";
    const opened = Number(/Обращения: (\d+)/.exec(label)?.[1]);
    await cell.click();
    await expect(page).toHaveURL(new RegExp(`/episodes\\?.*weekday=${weekday}.*hour=${hour}`));
    await expect(page.getByTestId("episodes-total")).toHaveText(fmt(opened));
    const rows = page.getByTestId("episodes-table").locator("tbody tr");
    const stamps = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-opened-at") ?? ""));
    expect(stamps.length).toBe(Math.min(opened, 50));
    for (const s of stamps) {
      const local = DateTime.fromISO(s, { zone: want.timezone });
      expect([local.weekday, local.hour]).toEqual([weekday, hour]);
    }
    await rows.first().getByRole("link").click();
    await expect(page).toHaveURL(/\/episodes\/\d+\?school=[^&]+&m=\d+$/);
    await expect(page.getByTestId("episode-facts")).toContainText("Политика");
    await expect(page.getByTestId("timeline-message").first()).toBeVisible();
    await expect(page.getByTestId("timeline-message").first()).toContainText("открыло обращение");
    // A link taken before the episode changed (stored anew under another id) still opens it: the id the
    // link names is gone, its opening message (`m`) finds the current episode, and the page moves there.
    const current = new URL(page.url());
    const id = /\/episodes\/(\d+)/.exec(current.pathname)?.[1] ?? "";
    const heading = await page.getByRole("heading", { level: 1 }).innerText();
    await page.goto(`/episodes/999999999${current.search}`);
    await expect(page).toHaveURL(new RegExp(`/episodes/${id}\\?school=[^&]+&m=\\d+$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    // Without it, the gone id is a plain "no such episode" (streamed behind loading.tsx: Next's 404 fallback in a 200).
    const gone = await page.request.get(`/episodes/999999999?school=${current.searchParams.get("school")}`);
    expect(gone.status() === 404 || (await gone.text()).includes("NEXT_HTTP_ERROR_FALLBACK;404")).toBe(true);
  });

  test("the breached list is paged, newest first", async ({ page }) => {
    await signIn(page, "head");
    await page.goto(url);
    const rows = page.getByTestId("breached-table").locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    const stamps = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-opened-at") ?? ""));
    expect([...stamps].sort().reverse()).toEqual(stamps);
    expect(stamps.length).toBeLessThanOrEqual(20);
    const pager = page.locator("#breached").getByTestId("pager");
    if (await pager.count()) {
      await page.locator("#breached").getByRole("link", { name: /Вперёд/ }).click();
      await expect(page).toHaveURL(/page=2/);
      const next = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-opened-at") ?? ""));
      expect(next[0]! <= stamps.at(-1)!).toBe(true);
    }
  });

  test("every table downloads as CSV with the page's numbers", async ({ page }) => {
    expect((await page.request.get(`/api/export/sla?school=${want.school}`)).status()).toBe(401);
    await signIn(page, "head");
    const q = `school=${want.school}&from=${want.period.from}&to=${lastDay}`;
    const csv = async (p: string) => {
      const res = await page.request.get(p);
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toContain("text/csv");
      return (await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    };
    const roles = await csv(`/api/export/sla?${q}&table=role`);
    expect(roles[0]).toBe("role,role_label,episodes,answered,open,known,met,compliance_pct,median_minutes,p90_minutes,breached,breaching_now,at_risk");
    expect(roles).toHaveLength(want.groups.length + 2);
    expect(roles.at(-1)?.split(",").slice(0, 3)).toEqual(["total", "", String(want.total.episodes)]);
    const policies = await csv(`/api/export/sla?${q}&table=policy`);
    expect(policies.slice(1).reduce((a, l) => a + Number(l.split(",")[5]), 0)).toBe(want.total.episodes);
    const breached = await csv(`/api/export/sla?${q}&table=breached`);
    expect(breached[0]).toMatch(/^id,opened_at_local,/);
    expect(breached.slice(1).every((l) => l.includes(",true,"))).toBe(true);
    const episodes = await csv(`/api/export/episodes?${q}`);
    expect(episodes).toHaveLength(want.total.episodes + 1);
  });

  test("the page turns to English", async ({ page }) => {
    await signIn(page, "head");
    await page.goto(url);
    await page.getByLabel(/Язык/).selectOption("en");
    await expect(page.getByRole("heading", { name: /Compliance by role/ })).toBeVisible();
    await expect(page.getByText("Breached episodes")).toBeVisible();
  });

  test("questions by category and the bot/peer table equal `cli report categories`, with CSVs", async ({ page }) => {
    /** What `cli report categories --json` printed before the server started (scripts/e2e.sh). */
    const cat = JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-categories.json"), "utf8")) as {
      total: number;
      categories: Array<{ category: string | null; episodes: number; share: number | null; medianMinutes: number | null; answered: number }>;
      bot: { episodes: number; botReplied: number; resolvedByBot: number; handedOff: number; medianHandoffMinutes: number | null; peerReplied: number; peerBeforeStaff: number };
    };
    const share = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)} %`);
    const min = (x: number | null) => (x === null ? "—" : new Intl.NumberFormat("ru-RU").format(Math.round(x * 10) / 10));
    await signIn(page, "head");
    await page.goto(url);
    const rows = page.getByTestId("category-table").locator("tbody tr");
    await expect(rows).toHaveCount(cat.categories.length);
    for (const [i, c] of cat.categories.entries()) {
      // episodes, share, median first response, n answered: as the CLI computed them.
      expect((await cells(rows.nth(i))).slice(1, 5)).toEqual([fmt(c.episodes), share(c.share), min(c.medianMinutes), fmt(c.answered)]);
    }
    const bot = page.getByTestId("bot-table").locator("tbody tr");
    const values = async (i: number) => (await cells(bot.nth(i)))[1];
    expect(await values(0)).toBe(fmt(cat.bot.episodes));
    expect(await values(1)).toBe(fmt(cat.bot.botReplied));
    expect(await values(2)).toBe(fmt(cat.bot.resolvedByBot));
    expect(await values(3)).toBe(fmt(cat.bot.handedOff));
    expect(await values(4)).toBe(`${min(cat.bot.medianHandoffMinutes)} (n = ${fmt(cat.bot.handedOff)})`);
    expect(await values(5)).toBe(fmt(cat.bot.peerReplied));
    expect(await values(6)).toBe(fmt(cat.bot.peerBeforeStaff));
    const csv = await page.request.get(`/api/export/sla-extra?school=${want.school}&from=${want.period.from}&to=${lastDay}&table=categories`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    expect(lines[0]).toBe("category,episodes,share_pct,answered,median_first_response_minutes,known,met,compliance_pct");
    expect(lines.slice(1).map((l) => Number(l.split(",")[1]))).toEqual(cat.categories.map((c) => c.episodes));
    const botCsv = await page.request.get(`/api/export/sla-extra?school=${want.school}&from=${want.period.from}&to=${lastDay}&table=bot`);
    expect((await botCsv.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/)[1]?.split(",").slice(0, 3)).toEqual([String(cat.bot.episodes), String(cat.bot.botReplied), String(cat.bot.resolvedByBot)]);
  });
});
