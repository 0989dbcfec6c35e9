import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { signIn, watchConsole } from "./helpers";

test.describe("student timeline", () => {
  test("from the at-risk list a student opens with their episodes on one time axis; an episode links back", async ({ page }) => {
    const errors = watchConsole(page);
    await signIn(page, "head");
    await page.goto("/outcomes?view=risk");
    const links = page.getByTestId("risk-student");
    await expect(links.first()).toBeVisible();
    // The report prints (window.print) with its own print styles; the button itself is not printed.
    await expect(page.getByTestId("print-button")).toBeVisible();
    await expect(page.getByTestId("print-styles")).toBeAttached();
    const hrefs = (await links.evaluateAll((as) => as.slice(0, 15).map((a) => a.getAttribute("href") ?? ""))).filter(Boolean);
    // The first listed student is clicked; then, if they never asked anything, the next ones until one has episodes.
    const name = (await links.first().innerText()).trim();
    await links.first().click();
    await expect(page).toHaveURL(/\/students\/\d+\?school=/);
    await expect(page.getByTestId("student-name")).toHaveText(name);
    let episodes = Number((await page.getByTestId("student-episodes").innerText()).replace(/\s/g, ""));
    for (const href of hrefs.slice(1)) {
      if (episodes > 0) break;
      await page.goto(href);
      episodes = Number((await page.getByTestId("student-episodes").innerText()).replace(/\s/g, ""));
    }
    expect(episodes).toBeGreaterThan(0);
    const rows = page.getByTestId("student-timeline").locator("tbody tr");
    await expect(rows.and(page.locator("[data-kind=episode]"))).toHaveCount(episodes);
    await expect(page.getByTestId("student-chart").locator(".recharts-scatter-symbol").first()).toBeAttached();
    // Chronological: oldest first.
    const stamps = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-at") ?? ""));
    expect([...stamps].sort()).toEqual(stamps);
    const ep = page.getByTestId("student-timeline").locator("[data-kind=episode] a").first();
    const epText = await ep.innerText();
    const studentUrl = page.url();
    await ep.click();
    await expect(page).toHaveURL(/\/episodes\/\d+/);
    expect(page.url()).toContain(`/episodes/${/#(\d+)/.exec(epText)?.[1]}`);
    await page.getByTestId("episode-student").click();
    await expect(page).toHaveURL(studentUrl);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
    const csv = readFileSync((await dl.path())!, "utf8");
    expect(csv).toContain("at_local,kind,where,what,dm,episode_id,response_minutes,target_minutes,sla,score");
    expect(csv.split("\r\n").filter((l) => /,episode,/.test(l))).toHaveLength(episodes);
    expect(errors).toEqual([]);
  });

  test("executives get no per-student page", async ({ page }) => {
    // The role is refused before any id is looked up, so any id answers 403 (and none is confirmed).
    await signIn(page, "executive");
    // The page streams under the dashboard's loading state, so the refusal shows as the 403 boundary's text;
    // the CSV route, not streamed, answers with the status itself.
    await page.goto("/students/1");
    await expect(page.getByRole("heading", { name: "Нет доступа" })).toBeVisible();
    await expect(page.getByTestId("student-timeline")).toHaveCount(0);
    expect((await page.request.get("/api/export/student?id=1")).status()).toBe(403);
  });
});
