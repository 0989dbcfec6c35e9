import type { Command } from "commander";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { getSchoolBySlug } from "../../db/queries/schools";
import { upsertSource } from "../../db/queries/sources";
import { sourceKinds } from "../ingest/types";
import { env } from "../env";
import { withDb } from "./context";

const addSchema = z.object({
  school: z.string().min(1),
  kind: z.enum(sourceKinds),
  externalId: z.string().min(1),
  name: z.string().optional(),
  secret: z.string().min(16).optional(),
  groupText: z.enum(["store", "drop"]).default("store"),
});

export function registerSourceCommands(program: Command): void {
  const source = program.command("source").description("Connect messengers and LMSs to a school.");
  source
    .command("add")
    .description("Register a source (or update its secret / content policy) and print the webhook URL to paste into the messenger.")
    .requiredOption("--school <slug>")
    .requiredOption("--kind <kind>", sourceKinds.join(" | "))
    .requiredOption("--external-id <id>", "the source's own id: Telegram bot id, Slack team id, Discord guild id…")
    .option("--name <name>")
    .option("--secret <secret>", "the shared or signing secret (a random one is generated when omitted); or SQD_SOURCE_SECRET")
    .option("--group-text <policy>", "store | drop: keep group-chat text (DM text is never kept)", "store")
    .action(async (raw: Record<string, string | undefined>) => {
      const generated = randomBytes(24).toString("base64url");
      const o = addSchema.parse({ ...raw, secret: raw.secret ?? process.env.SQD_SOURCE_SECRET ?? generated });
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, o.school);
        if (!school) throw new Error(`no school with slug ${o.school}`);
        await upsertSource(db, { schoolId: school.id, kind: o.kind, externalId: o.externalId, name: o.name ?? `${o.kind} ${o.externalId}`, secret: o.secret, storeGroupText: o.groupText === "store" });
        const base = env().AUTH_URL ?? `http://localhost:${env().PORT}`;
        console.log(`Source ${o.kind} ${o.externalId} is connected to ${school.slug}.`);
        console.log(`Webhook URL: ${base}/api/ingest/${o.kind}?school=${encodeURIComponent(school.slug)}&source=${encodeURIComponent(o.externalId)}`);
        if (o.secret === generated) console.log(`Secret (shown once; set it in the messenger): ${generated}`);
      });
    });
}
