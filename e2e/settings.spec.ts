import { expect, test } from "@playwright/test";
import { expectedOverview, signIn, watchConsole } from "./helpers";

// scripts/e2e.sh registers this Telegram source with this secret; queue.spec.ts posts with it. A test that
// rotates it restores it (in `finally`), so the order of the specs does not matter.
const BOT = "e2e-bot";
const BOT_SECRET = "e2e-telegram-secret-0123456789";

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

  test("an admin rotates a webhook secret: shown once, the old one refused, the new one accepted", async ({ page }) => {
    const errors = watchConsole(page);
    const { school } = expectedOverview();
    await signIn(page, "admin");
    // A Telegram update the product does not record (a reaction): verified, acknowledged, nothing stored,
    // so the other specs' numbers stay as the CLI printed them.
    const post = (secret: string) =>
      page.request.post(`/api/ingest/telegram?school=${school}&source=${BOT}`, {
        headers: { "x-telegram-bot-api-secret-token": secret },
        data: { update_id: 800_000_000 + Math.floor(Math.random() * 1_000_000), message_reaction: { chat: { id: 1, type: "private" }, message_id: 1, date: Math.floor(Date.now() / 1000), old_reaction: [], new_reaction: [] } },
      });
    const form = page.getByTestId("secret-form");
    const restore = async () => {
      await page.goto(`/settings?school=${school}`);
      await form.getByTestId("secret-source").selectOption(`telegram:${BOT}`);
      await form.getByTestId("secret-mode-set").check();
      await form.getByTestId("secret-value").fill(BOT_SECRET);
      await form.getByTestId("secret-save").click();
      await expect(form.getByTestId("secret-saved")).toBeVisible();
      expect((await post(BOT_SECRET)).status()).toBe(200);
    };
    try {
      await page.goto(`/settings?school=${school}`);
      expect((await post(BOT_SECRET)).status()).toBe(200);
      await form.getByTestId("secret-source").selectOption(`telegram:${BOT}`);
      await form.getByTestId("secret-save").click();
      const shown = form.getByTestId("secret-new");
      await expect(shown).toBeVisible();
      const secret = (await shown.innerText()).trim();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The rotation clears the webhook route's source cache (kept on globalThis, lib/dal/webhooks.ts):
      // the old secret is refused at once, not after the cache's TTL.
      expect((await post(BOT_SECRET)).status()).toBe(401);
      expect((await post(secret)).status()).toBe(200);
      // Never again: a reload shows "set", not the secret.
      await page.reload();
      await expect(page.getByTestId("settings-sources")).toBeVisible();
      await expect(page.locator("body")).not.toContainText(secret);
      // A secret Telegram would refuse is refused here, with the field named; the current one keeps working.
      await form.getByTestId("secret-source").selectOption(`telegram:${BOT}`);
      await form.getByTestId("secret-mode-set").check();
      await form.getByTestId("secret-value").fill("short");
      await form.getByTestId("secret-save").click();
      await expect(form.getByTestId("secret-errors")).toContainText("secret");
      expect((await post(secret)).status()).toBe(200);
    } finally {
      await restore();
    }
    expect(errors).toEqual([]);
  });

  test("an admin uploads a holiday file: a bad .ics lists its lines and changes nothing, a good one is listed", async ({ page }) => {
    const errors = watchConsole(page);
    await signIn(page, "admin");
    await page.goto("/settings");
    const holidays = page.getByTestId("settings-holidays");
    const heading = async () => (await holidays.getByRole("heading").first().innerText()).trim();
    const before = await heading();
    const upload = page.getByTestId("calendar-upload-form");
    const ics = (events: string) => Buffer.from(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//RU\r\n${events}END:VCALENDAR\r\n`);
    // Days in 2031: no message of the demo falls on them, so no response time changes for the other specs.
    await upload.getByTestId("calendar-upload-file").setInputFiles({
      name: "bad.ics",
      mimeType: "text/calendar",
      buffer: ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20310102\r\nSUMMARY:E2E ok\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20310103T090000Z\r\nSUMMARY:E2E timed\r\nEND:VEVENT\r\n"),
    });
    await upload.getByTestId("calendar-upload-submit").click();
    const bad = upload.getByTestId("calendar-upload-errors");
    await expect(bad).toBeVisible();
    await expect(bad.locator("tbody tr td:first-child")).toContainText(["9"]);
    await expect(bad).toContainText("DTSTART");
    await page.reload();
    expect(await heading()).toBe(before);
    await expect(holidays).not.toContainText("2031-01-02");

    await upload.getByTestId("calendar-upload-file").setInputFiles({
      name: "good.ics",
      mimeType: "text/calendar",
      buffer: ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20310102\r\nDTEND;VALUE=DATE:20310104\r\nSUMMARY:E2E каникулы\r\nEND:VEVENT\r\n"),
    });
    await upload.getByTestId("calendar-upload-submit").click();
    await expect(upload.getByTestId("calendar-upload-applied")).toContainText("2");
    await page.reload();
    await expect(holidays).toContainText("2031-01-02");
    await expect(holidays).toContainText("2031-01-03");
    await expect(holidays).toContainText("E2E каникулы");
    expect(await heading()).not.toBe(before);
    expect(errors).toEqual([]);
  });

  test("a head of service applies documents but gets no single-field forms", async ({ page }) => {
    await signIn(page, "head");
    await page.goto("/settings");
    await expect(page.getByTestId("config-form")).toBeVisible();
    await expect(page.getByTestId("settings-edit")).toHaveCount(0);
    await expect(page.getByTestId("roster-form")).toHaveCount(0);
    await expect(page.getByTestId("secret-form")).toHaveCount(0);
    await expect(page.getByTestId("calendar-upload-form")).toHaveCount(0);
  });
});
