import type { Command } from "commander";
import { listIdentities } from "../../db/queries/identities";
import { getSchoolBySlug, listSchools } from "../../db/queries/schools";
import { withDb } from "./context";

export function registerIdentityCommands(program: Command): void {
  program
    .command("identities")
    .description("List the people each source knows; --unmapped: authors no roster line or e-mail has linked yet (complete the roster with them).")
    .option("--school <slug>", "the school (optional when there is one)")
    .option("--unmapped", "only identities not linked by a roster or an e-mail match (bots left out)")
    .option("--source <kind>", "one source kind: telegram, slack, discord, mattermost, pachca, xapi, …")
    .option("--json", "machine-readable output")
    .action(async (opts: { school?: string; unmapped?: boolean; source?: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const schools = await listSchools(db);
        const school = opts.school ? await getSchoolBySlug(db, opts.school) : schools.length === 1 ? (schools[0] ?? null) : null;
        if (!school) throw new Error(opts.school ? `no school with slug ${opts.school}` : "pass --school <slug>");
        const list = await listIdentities(db, school.id, { ...(opts.unmapped ? { unmapped: true } : {}), ...(opts.source ? { sourceKind: opts.source } : {}) });
        if (opts.json) console.log(JSON.stringify({ school: school.slug, count: list.length, identities: list }, null, 2));
        else {
          console.log(`${list.length} ${opts.unmapped ? "unmapped " : ""}identities at ${school.slug}:`);
          for (const i of list) console.log(`${i.source}:${i.sourceExternalId}\t${i.externalId}\t${i.displayName ?? i.username ?? ""}\t${i.messages} messages\t${i.lmsEvents} LMS events`);
        }
      });
    });
}
