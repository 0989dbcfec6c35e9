import path from "node:path";
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { applyConfig, type ApplyConfigResult } from "../../db/queries/config";
import { getSchoolBySlug } from "../../db/queries/schools";
import { resolveConfig } from "../config/resolve";
import { ConfigError } from "../config/issues";
import { withDb } from "./context";

/**
 * `config apply <file> --school <slug>` and `config check <file>`. Calendar files named in the document
 * are read relative to the document's folder, so a config and its CSVs can live together in a repo.
 */

export function readConfigFile(file: string): { document: unknown; baseDir: string } {
  const full = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${full}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return { document: JSON.parse(text) as unknown, baseDir: path.dirname(full) };
  } catch (err) {
    throw new Error(`${full} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function describeApply(slug: string, r: ApplyConfigResult): string {
  const lines = [
    `Applied to ${slug}: calendars ${r.calendars}, policies ${r.policies} (deactivated ${r.policiesDeactivated}), channels ${r.channels}, capacities ${r.capacities}, role labels ${r.roleLabels} changed.`,
    r.dirtyScopes > 0 ? `${r.dirtyScopes} scopes marked for recompute: run \`npm run cli -- recompute --school ${slug}\`.` : "Nothing to recompute.",
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return lines.join("\n") + "\n";
}

export function registerConfigCommands(program: Command): void {
  const config = program.command("config").description("A school's calendars, SLA policies, channel settings, capacities and role labels as a JSON document (docs/config.md).");
  config
    .command("apply <file>")
    .description("Validate the document and apply it in one transaction (idempotent).")
    .requiredOption("--school <slug>")
    .action(async (file: string, opts: { school: string }) => {
      const { document, baseDir } = readConfigFile(file);
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, opts.school);
        if (!school) throw new Error(`no school with slug ${opts.school}`);
        process.stdout.write(describeApply(school.slug, await applyConfig(db, school.id, document, { baseDir })));
      });
    });
  config
    .command("check <file>")
    .description("Validate the document without a database (names of people, cohorts and channels are checked by apply).")
    .action((file: string) => {
      const { document, baseDir } = readConfigFile(file);
      const res = resolveConfig(document, { baseDir });
      if (!res.ok) throw new ConfigError(res.issues);
      console.log(`${file}: valid (${res.value.calendars?.length ?? 0} calendars, ${res.value.config.slaPolicies?.length ?? 0} policies, ${res.value.config.channels?.length ?? 0} channels).`);
    });
}
