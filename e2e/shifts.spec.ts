import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn, watchConsole } from "./helpers";

/** What `cli shifts plan --role coordinator` printed for the demo school before the server started (scripts/e2e.sh). */
interface Want {
  school: string;
  planWeek: string;
  forecastTotal: number;
  neededTotal: number;
  scheduledTotal: number;
  predicted: { serviceLevel: number | null; slaCompliance: number | null };
  forecast: number[];
  needed: number[];
  scheduled: number[];
  shifts: Array<{ id: string; personName: string; weekday: number; start: string; end: string }>;
  staff: Array<{ id: number; name: string }>;
}
const want = JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-shifts.json"), "utf8")) as Want;
const url = `/shifts?school=${want.school}&role=coordinator`;
// The page's own formatting: one decimal in ru-RU, percentages as "45.3 %".
const n = (x: number) => new Intl.NumberFormat("ru-RU").format(Math.round(x * 10) / 10);
const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)} %`);
const hhmm = (h: number) => `${String(h % 24).padStart(2, "0")}:00`;

/** The hour of the week with arrivals and the largest shortfall: adding a person there must raise the prediction. */
function worstHour(): number {
  let best = -1;
  let gap = 0;
  want.forecast.forEach((f, h) => {
    const g = (want.needed[h] ?? 0) - (want.scheduled[h] ?? 0);
    if (f > 0 && g > gap) {
      gap = g;
      best = h;
    }
  });
  return best;
}

async function upload(page: Page, name: string, csv: string) {
  await page.getByTestId("import-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
  await page.getByTestId("import-form").getByRole("button", { name: "Загрузить" }).click();
}

test.describe("shift planner on the demo school", () => {
  test.describe.configure({ mode: "serial" });

  test("shows the CLI plan's figures; a what-if shift changes the prediction and the URL; a move too", async ({ page }) => {
    const errors = watchConsole(page);
    expect(want.forecastTotal).toBeGreaterThan(0);
    await signIn(page, "head");
    await page.goto(url);
    await expect(page.getByTestId("plan-week")).toContainText(want.planWeek);
    await expect(page.getByTestId("forecast-week")).toHaveText(n(want.forecastTotal));
    await expect(page.getByTestId("needed-total")).toHaveText(n(want.neededTotal));
    await expect(page.getByTestId("scheduled-total")).toHaveText(n(want.scheduledTotal));
    await expect(page.getByTestId("predicted-week")).toHaveText(pct(want.predicted.slaCompliance));
    await expect(page.getByTestId("gap-heatmap").locator("[data-hour]")).toHaveCount(168);

    const h = worstHour();
    expect(h).toBeGreaterThanOrEqual(0);
    const person = want.staff[0]!;
    const form = page.getByTestId("whatif-form");
    await form.getByLabel("Сотрудник").selectOption(String(person.id));
    await form.getByLabel("День недели").selectOption(String(Math.floor(h / 24) + 1));
    await form.getByLabel("Начало").fill(hhmm(h));
    await form.getByLabel("Конец").fill(hhmm(h + 1));
    await form.getByRole("button", { name: "Добавить в расчёт" }).click();
    await expect(page).toHaveURL(new RegExp(`add=${person.id}\\.${Math.floor(h / 24) + 1}\\.${hhmm(h).replace(":", "")}\\.`));
    await expect(page.getByTestId("whatif-result")).toBeVisible();
    await expect(page.getByTestId("scheduled-total")).toHaveText(n(want.scheduledTotal + 1));
    const after = await page.getByTestId("predicted-week").innerText();
    expect(parseFloat(after)).toBeGreaterThan(parseFloat(pct(want.predicted.slaCompliance)));
    await expect(page.getByTestId("whatif-compliance")).toContainText(`${pct(want.predicted.slaCompliance)} → ${after}`);

    // Move the first listed shift to the same hour: the URL carries move=<id>.…, the list marks both ends of the move.
    const first = want.shifts[0]!;
    await form.getByTestId("whatif-move").selectOption(first.id);
    await form.getByRole("button", { name: "Добавить в расчёт" }).click();
    await expect(page).toHaveURL(new RegExp(`move=${first.id}\\.`));
    await expect(page.getByTestId("shifts-table")).toContainText("перенесена");
    await expect(page.getByTestId("shifts-table")).toContainText("перенос");
    expect(errors).toEqual([]);
  });

  test("a bad CSV shows its line errors and changes nothing; a good one adds the shifts once", async ({ page }) => {
    await signIn(page, "head");
    await page.goto(url);
    await expect(page.getByTestId("scheduled-total")).toHaveText(n(want.scheduledTotal));
    const rowsBefore = await page.getByTestId("shifts-table").locator("tbody tr").count();
    const name = want.staff[0]!.name;
    await upload(page, "bad.csv", ["person,role,start,end,weekly", `${name},coordinator,Сб 10:00,14:00,да`, "nobody@nowhere.test,coordinator,Сб 10:00,14:00,да", `${name},coordinator,Сб 25:00,14:00,да`].join("\n"));
    const errs = page.getByTestId("import-errors").locator("li");
    await expect(errs).toHaveCount(2);
    await expect(errs.nth(0)).toHaveAttribute("data-line", "3");
    await expect(errs.nth(1)).toHaveAttribute("data-line", "4");
    await page.reload();
    await expect(page.getByTestId("scheduled-total")).toHaveText(n(want.scheduledTotal));
    await expect(page.getByTestId("shifts-table").locator("tbody tr")).toHaveCount(rowsBefore);

    const good = ["person,role,start,end,weekly", `${name},coordinator,Сб 10:00,14:00,да`].join("\n");
    await upload(page, "good.csv", good);
    await expect(page.getByTestId("import-done")).toContainText("Загружено смен: 1");
    await expect(page.getByTestId("scheduled-total")).toHaveText(n(want.scheduledTotal + 4));
    await expect(page.getByTestId("shifts-table").locator("tbody tr")).toHaveCount(rowsBefore + 1);
    await upload(page, "good.csv", good);
    await expect(page.getByTestId("import-done")).toContainText("Загружено смен: 0 (уже были: 1)");
    await expect(page.getByTestId("scheduled-total")).toHaveText(n(want.scheduledTotal + 4));
  });

  test("downloads the plan CSV, the shifts iCal and the CSV template", async ({ page }) => {
    await signIn(page, "head");
    await page.goto(url);
    const get = async (name: string | RegExp) => {
      const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
      return { file: dl.suggestedFilename(), text: readFileSync((await dl.path())!, "utf8") };
    };
    const csv = await get("План CSV");
    expect(csv.file).toBe(`shifts-${want.school}-coordinator-${want.planWeek}.csv`);
    expect(csv.text).toContain("weekday,hour,forecast,needed,scheduled");
    expect(csv.text.trim().split("\r\n")).toHaveLength(1 + 168);
    const ics = await get("Смены iCal");
    expect(ics.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics.text).toContain("RRULE:FREQ=WEEKLY");
    const tpl = await get("Шаблон CSV");
    expect(tpl.text.split("\r\n")[0]).toBe("person,role,start,end,weekly,repeat_until");
  });

  test("a team lead sees only their teams' staff on /shifts and in its CSV and iCal exports (issue #6)", async ({ page }) => {
    /** `cli report shift-scope --email lead@demo.school`: names the lead may and may not see, from the scope tables (scripts/e2e.sh). */
    const scope = JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "expected-shift-scope.json"), "utf8")) as { visible: string[]; hidden: string[] };
    const hidden = new Set(scope.hidden);
    // The check means something only if other teams have shifts in the plan week.
    expect(want.shifts.filter((s) => hidden.has(s.personName)).length).toBeGreaterThan(0);
    await signIn(page, "team_lead");
    await page.goto(url);
    await expect(page.getByTestId("plan-week")).toContainText(want.planWeek);
    await expect(page.getByTestId("scheduled-total")).toBeVisible();
    await expect(page.getByTestId("shifts-scope")).toBeVisible();
    const text = await page.locator("main").innerText();
    const html = await page.content();
    for (const name of hidden) {
      expect(text, `page shows ${name}`).not.toContain(name);
      expect(html, `page markup carries ${name}`).not.toContain(name);
    }
    for (const s of want.shifts.filter((x) => !hidden.has(x.personName))) await expect(page.getByTestId("shifts-table")).toContainText(s.personName);
    const get = async (href: string) => {
      const r = await page.request.get(href);
      expect(r.status()).toBe(200);
      return r.text();
    };
    const csv = await get(`/api/export/shifts?school=${want.school}&role=coordinator`);
    const ics = await get(`/api/export/shifts?school=${want.school}&role=coordinator&format=ics`);
    expect(csv).toContain("weekday,hour,forecast");
    expect(ics).toMatch(/^BEGIN:VCALENDAR/);
    for (const name of hidden) {
      expect(csv, `CSV shows ${name}`).not.toContain(name);
      expect(ics, `iCal shows ${name}`).not.toContain(name);
    }
    // Editing another team's shift is refused by the API, whatever the page offers.
    const other = want.shifts.find((s) => hidden.has(s.personName))!;
    const origin = new URL(page.url()).origin;
    const res = await page.request.post("/api/shifts", { headers: { origin, "content-type": "application/json" }, data: { action: "remove", school: want.school, id: Number(other.id) } });
    expect(res.status()).toBe(403);
  });
});
