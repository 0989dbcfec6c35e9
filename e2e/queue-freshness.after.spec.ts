import { expect, test } from "@playwright/test";
import { expectedOverview, signIn } from "./helpers";

// A file of the "after" project (playwright.config.ts): it adds a new student's question to the demo school,
// which makes that question the school's newest episode. Pages compared with what the CLI printed before
// the server started (the shift planner plans the week of the newest episode) must have run already.

// scripts/e2e.sh registers this Telegram source for the demo school before the server starts.
const BOT = "e2e-bot";
const SECRET = "e2e-telegram-secret-0123456789";

test.describe("live queue, fed by a webhook", () => {
  test("a message posted to the Telegram webhook shows in the queue within 2 s of the webhook's answer", async ({ page }) => {
    const { school } = expectedOverview();
    await signIn(page, "head");
    // A new question has the latest deadline, so it is the last row: every row is shown (up to QUEUE_MAX_ROWS).
    await page.goto(`/queue?school=${school}&limit=10000`);
    await expect(page.getByTestId("queue-row").first()).toBeVisible();
    const uid = 900_000_000 + Math.floor(Math.random() * 1_000_000);
    const name = `Студент E2E ${uid}`;
    const update = {
      update_id: uid,
      message: { message_id: 1, from: { id: uid, is_bot: false, first_name: name }, chat: { id: uid, type: "private", first_name: name }, date: Math.floor(Date.now() / 1000), text: "Здравствуйте! Не открывается урок, что делать?" },
    };
    const res = await page.request.post(`/api/ingest/telegram?school=${school}&source=${BOT}`, { headers: { "x-telegram-bot-api-secret-token": SECRET }, data: update });
    expect(res.status()).toBe(200);
    // The figure, from the webhook's 200 (stored) to the row on screen: background derivation
    // plus at most one 1 s poll (components/queue/queueQuery.ts) and its request.
    const t0 = Date.now();
    await expect(page.getByTestId("queue-student").filter({ hasText: name })).toBeVisible({ timeout: 2_000 });
    const ms = Date.now() - t0;
    console.log(`webhook 200 → queue row: ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(2_000);
  });
});
