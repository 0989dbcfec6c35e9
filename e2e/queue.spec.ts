import { expect, test } from "@playwright/test";
import { expectedOverview, signIn, watchConsole } from "./helpers";

// The webhook → queue freshness test changes the demo school's data, so it runs after every other file:
// e2e/queue-freshness.after.spec.ts.

test.describe("live queue", () => {
  test("anonymous requests to the queue API are refused", async ({ page }) => {
    expect((await page.request.get("/api/queue")).status()).toBe(401);
    expect((await page.request.get("/api/export/queue")).status()).toBe(401);
  });

  test("renders open episodes ordered by time left, with states in text, and no console errors", async ({ page }) => {
    const errors = watchConsole(page);
    const { school } = expectedOverview();
    await signIn(page, "head");
    await page.goto(`/queue?school=${school}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Очередь");
    const rows = page.getByTestId("queue-row");
    await expect(rows.first()).toBeVisible();
    const deadlines = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-deadline") ?? ""));
    const timed = deadlines.filter((d) => d !== "");
    expect(timed.length).toBeGreaterThan(0);
    expect([...timed].sort()).toEqual(timed);
    // Episodes without a policy come after every timed one.
    expect(deadlines.slice(0, timed.length).every((d) => d !== "")).toBe(true);
    // The count is every open episode; the table shows the most urgent first page of them (QUEUE_PAGE = 100).
    const total = Number((await page.getByTestId("queue-count").innerText()).replace(/\s/g, ""));
    expect(deadlines.length).toBe(Math.min(total, 100));
    // Each state is named in text beside its colour.
    const first = rows.first();
    const state = await first.getAttribute("data-state");
    const name = { breaching: "Нарушают SLA", atRisk: "Под угрозой", ok: "В срок", noSla: "Без SLA" }[state ?? "ok"] ?? "";
    await expect(first).toContainText(name);
    // The countdown ticks.
    const t0 = await first.getByTestId("time-left").innerText();
    await expect(first.getByTestId("time-left")).not.toHaveText(t0, { timeout: 5_000 });
    // Nav links to pages other work streams have not shipped yet are prefetched and answer 404: not this page's.
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  test("shows the most urgent rows first and more on request; the counts and the CSV cover every row", async ({ page }) => {
    const { school } = expectedOverview();
    await signIn(page, "head");
    await page.goto(`/queue?school=${school}&limit=2`);
    const rows = page.getByTestId("queue-row");
    await expect(rows).toHaveCount(2);
    const total = Number((await page.getByTestId("queue-count").innerText()).replace(/\s/g, ""));
    expect(total).toBeGreaterThan(2);
    const first = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-episode")));
    await page.getByTestId("queue-more").click();
    await expect(page).toHaveURL(/limit=102/);
    await expect(rows).toHaveCount(Math.min(total, 102));
    // The same order, continued.
    expect((await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-episode")))).slice(0, 2)).toEqual(first);
    await expect(page.getByTestId("queue-shown")).toContainText(String(Math.min(total, 102)));
    const res = await page.request.get(`/api/export/queue?school=${school}&limit=2`);
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    expect(lines.length - 1).toBeGreaterThanOrEqual(total);
  });

  test("filters live in the URL, and the CSV downloads the queue", async ({ page }) => {
    const { school } = expectedOverview();
    await signIn(page, "head");
    await page.goto(`/queue?school=${school}`);
    const before = Number((await page.getByTestId("queue-count").innerText()).replace(/\s/g, ""));
    await page.getByTestId("filter-role").selectOption("mentor");
    await expect(page).toHaveURL(/role=mentor/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const after = Number((await page.getByTestId("queue-count").innerText()).replace(/\s/g, ""));
    expect(after).toBeLessThanOrEqual(before);
    const res = await page.request.get(`/api/export/queue?school=${school}&role=mentor`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/csv");
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^episode_id,state,opened_at,deadline,minutes_left/);
  });
});
