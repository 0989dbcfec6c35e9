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
    // Refused as a 403, an error alert, or the dashboard's "no access" page (lib/dal/access.ts), whichever renders.
    const noAccess = await page.getByRole("heading", { name: /Нет доступа|No access|Access denied/i }).count();
    expect(res?.status() === 403 || noAccess > 0 || (await page.getByRole("alert").count()) > 0).toBe(true);
    await expect(page.getByTestId("settings-sources")).toHaveCount(0);
  });

  test("an admin sorts a table, downloads it as CSV, reads enum names, edits a capacity and is told every bad roster line", async ({ page }) => {
    const errors = watchConsole(page);
    await signIn(page, "admin");
    await page.goto("/settings");
    const policies = page.getByTestId("settings-policies");
    // Enum values are shown by name: the demo's policies run on business or calendar minutes.
    await expect(policies).toContainText(/рабочие|календарные/);
    await expect(policies).not.toContainText(/\bbusiness\b/);
    const target = policies.getByRole("columnheader", { name: /Цель/ });
    await target.getByRole("button").click();
    await expect(target).toHaveAttribute("aria-sort", "ascending");
    const cells = await policies.locator("tbody tr td:nth-child(5)").allInnerTexts();
    const nums = cells.map((c) => Number(c.replace(/\s/g, "")));
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
    await target.getByRole("button").click();
    await expect(target).toHaveAttribute("aria-sort", "descending");

    const href = await policies.getByRole("link", { name: /CSV/ }).getAttribute("href");
    expect(href).toMatch(/^\/settings\/csv\?school=.+&table=policies$/);
    const res = await page.request.get(href ?? "");
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/csv");
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    expect(lines[0]).toBe("name,owner_role,channel_kind,priority,target_minutes,clock,calendar,active");
    expect(lines).toHaveLength(nums.length + 1);

    // Saving a capacity unchanged goes through the whole path and changes nothing (other specs read the load).
    const cap = page.getByTestId("edit-capacity");
    await cap.getByRole("button", { name: /Сохранить|Save/ }).click();
    await expect(page.getByTestId("edit-capacity-applied")).toBeVisible();
    // The rating-request policy of the e2e bot (docs/ratings.md): saved as shown, then listed with the source.
    const rt = page.getByTestId("edit-ratings");
    await rt.getByRole("button", { name: /Сохранить|Save/ }).click();
    await expect(page.getByTestId("edit-ratings-applied")).toBeVisible();
    // A bad target is refused with its path; nothing changes.
    const pol = page.getByTestId("edit-policy");
    await pol.getByLabel(/Цель|Target/).fill("0");
    await pol.getByRole("button", { name: /Сохранить|Save/ }).click();
    await expect(page.getByTestId("edit-policy-errors")).toContainText("targetMinutes");

    const csv = ["school,source,external_id,name,email,role,team", "nope,telegram:e2e-bot,u1,A,a@e2e.test,mentor,A", "x,telegram:e2e-bot,u2,B,not-an-email,wizard,A"].join("\n");
    await page.getByTestId("roster-form").locator('input[type="file"]').setInputFiles({ name: "roster.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByTestId("roster-form").getByRole("button", { name: /Загрузить|Upload/ }).click();
    const rosterErrors = page.getByTestId("roster-errors");
    await expect(rosterErrors).toBeVisible();
    await expect(rosterErrors.locator("tbody tr td:first-child")).toContainText(["2", "3"]);
    expect(errors).toEqual([]);
  });

  test("a head of service applies documents but gets no single-field forms", async ({ page }) => {
    await signIn(page, "head");
    await page.goto("/settings");
    await expect(page.getByTestId("config-form")).toBeVisible();
    await expect(page.getByTestId("settings-edit")).toHaveCount(0);
    await expect(page.getByTestId("roster-form")).toHaveCount(0);
  });
});
