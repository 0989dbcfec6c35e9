import type { Command } from "commander";
import { getSchoolBySlug } from "../../db/queries/schools";
import { addLrsClient, listLrsClients } from "../../db/queries/xapi";
import { env } from "../env";
import { withDb } from "./context";

/** LMS clients of the xAPI endpoint: HTTP Basic key and secret per LMS (db/queries/xapi.ts). */
export function registerLrsCommands(program: Command): void {
  const lrs = program.command("lrs").description("The xAPI statement endpoint (/api/xapi/statements) for the schools' LMSs.");
  lrs
    .command("client-add")
    .description("Create credentials for one LMS; the secret is printed once and kept only as a hash.")
    .requiredOption("--school <slug>")
    .requiredOption("--name <name>", "which LMS this is (Moodle, Open edX, …)")
    .option("--source <id>", "the xAPI source to file statements under", "xapi")
    .action(async (opts: { school: string; name: string; source: string }) => {
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, opts.school);
        if (!school) throw new Error(`no school with slug ${opts.school}`);
        const { key, secret } = await addLrsClient(db, school.id, opts.name, opts.source);
        const base = env().AUTH_URL ?? `http://localhost:${env().PORT}`;
        console.log(`LRS endpoint: ${base}/api/xapi/`);
        console.log(`Basic auth key: ${key}`);
        console.log(`Basic auth secret (shown once): ${secret}`);
      });
    });
  lrs
    .command("clients")
    .description("List the LMS clients of a school (keys only).")
    .requiredOption("--school <slug>")
    .action(async (opts: { school: string }) => {
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, opts.school);
        if (!school) throw new Error(`no school with slug ${opts.school}`);
        for (const c of await listLrsClients(db, school.id)) console.log(`${c.key}\t${c.name}\t${c.source}\t${c.createdAt}`);
      });
    });
}
