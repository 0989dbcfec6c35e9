import type { Command } from "commander";
import { eq, sql } from "drizzle-orm";
import { rows, type Db } from "../../db/client";
import { organisations } from "../../db/schema";
import { applyConfig } from "../../db/queries/config";
import { ensureSchool, listSchools, type SchoolRow } from "../../db/queries/schools";
import { sharedDataPath } from "../ingest/common/shared-data";
import { runImport, type ImportSummary } from "./import/run";
import { printSummary } from "./import-commands";
import { withDb } from "./context";

/**
 * The outcome pages on real public data: the Open University Learning Analytics Dataset (OULAD;
 * Kuzilek, Hlosta & Zdrahal 2017, Scientific Data 4:170171, CC BY 4.0) imported into its own school,
 * `ou`, with a London office calendar. The courses and cohorts (module × presentation, 2013B from
 * 1 February and 2013J from 1 October 2013) come from the importer. Idempotent: an already imported
 * school is left as it is.
 */

// Named so it sorts after the demo schools ("Полярис…"): a viewer's default school is their first by name,
// and the demo logins should still land on the demo school, not on a dataset with no messages.
export const OULAD_SCHOOL = { slug: "ou", name: "Публичные данные: OULAD (Open University)", timezone: "Europe/London", locale: "en" } as const;

/** OULAD's dates are whole days from each presentation's start; the importer anchors them here. */
const OULAD_CALENDAR = { calendars: [{ name: "OU office", timezone: "Europe/London", default: true, weekly: { "mon-fri": ["09:00-17:00"] } }] };

/** The page opens a school with OULAD data over its own cohorts (2013–2014), not the last 365 days. */
export const OULAD_OUTCOMES_URL = "/outcomes?school=ou";

export interface SeedOuladResult {
  school: SchoolRow;
  summary: ImportSummary | null;
}

/** Same organisation as the demo holding when there is one, so its executive sees OULAD beside the demo schools. */
async function organisationFor(db: Db): Promise<{ slug: string; name: string }> {
  const first = (await listSchools(db)).find((x) => x.slug !== OULAD_SCHOOL.slug);
  if (first) {
    const [org] = await db.select({ slug: organisations.slug, name: organisations.name }).from(organisations).where(eq(organisations.id, first.organisationId));
    if (org) return org;
  }
  return { slug: "open-university", name: "The Open University" };
}

export async function seedOulad(db: Db, opts: { dir?: string } = {}): Promise<SeedOuladResult> {
  const dir = opts.dir ?? sharedDataPath("oulad");
  const school = await ensureSchool(db, { organisation: await organisationFor(db), ...OULAD_SCHOOL });
  const [have] = await rows<{ n: unknown }>(db, sql`select count(*) as n from enrollments where school_id = ${school.id}`);
  await applyConfig(db, school.id, OULAD_CALENDAR);
  if (Number(have?.n ?? 0) > 0) return { school, summary: null };
  const summary = await runImport(db, { format: "oulad", paths: [dir], school: school.slug });
  return { school, summary };
}

export function registerSeedOuladCommand(program: Command): void {
  program
    .command("seed-oulad")
    .description("Import the OULAD dataset (CC BY 4.0: Kuzilek, Hlosta & Zdrahal 2017) into its own school `ou`, for the outcome pages on real data. Also `seed --oulad` and `demo --oulad`.")
    .option("--dir <path>", "the OULAD folder", "")
    .action(async (opts: { dir: string }) => runSeedOulad(opts.dir));
}

/** `seed-oulad` and `seed --oulad` (lib/cli/db-commands.ts): import, print the summary and where to look. */
export async function runSeedOulad(dir: string): Promise<void> {
  await withDb(async ({ db }) => {
    const r = await seedOulad(db, dir ? { dir } : {});
    if (r.summary) printSummary(r.summary);
    else console.log(`School ${r.school.slug} already holds OULAD; nothing imported.`);
    console.log(`Open ${OULAD_OUTCOMES_URL} (credit: OULAD, Kuzilek, Hlosta & Zdrahal 2017, CC BY 4.0).`);
  });
}
