import type { Command } from "commander";
import { z } from "zod";
import { hashPassword } from "../auth/password";
import { audit, upsertUser } from "../../db/queries/users";
import { withDb } from "./context";

const addSchema = z.object({
  email: z.string().email(),
  name: z.string().min(1).optional(),
  password: z.string().min(10, "passwords need at least 10 characters"),
  role: z.enum(["admin", "head", "team_lead", "executive", "staff"]),
  school: z.string().optional(),
  team: z.string().optional(),
});

export function registerUserCommands(program: Command): void {
  const user = program.command("user").description("Manage dashboard users.");
  user
    .command("add")
    .description("Create a user (or reset their password) with a role at a school; the first admin comes from here.")
    .requiredOption("--email <email>")
    .requiredOption("--role <role>", "admin | head | team_lead | executive | staff")
    .option("--password <password>", "at least 10 characters; or set SQD_PASSWORD to keep it out of shell history")
    .option("--name <name>")
    .option("--school <slug>", "the school; omit for an organisation-wide executive or admin")
    .option("--team <name>", "for team_lead: the team they lead")
    .action(async (raw: Record<string, string | undefined>) => {
      const opts = addSchema.parse({ ...raw, password: raw.password ?? process.env.SQD_PASSWORD });
      await withDb(async ({ db }) => {
        const id = await upsertUser(db, {
          email: opts.email,
          name: opts.name ?? opts.email.split("@")[0] ?? opts.email,
          passwordHash: await hashPassword(opts.password),
          role: opts.role,
          schoolSlug: opts.school,
          teamName: opts.team,
        });
        await audit(db, { userId: id, action: "user.add", target: opts.email, details: { role: opts.role, school: opts.school ?? null } });
        console.log(`User ${opts.email} (${opts.role}${opts.school ? ` at ${opts.school}` : ""}) is ready.`);
      });
    });
}
