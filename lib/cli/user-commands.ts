import type { Command } from "commander";
import { z } from "zod";
import { hashPassword } from "../auth/password";
import { audit, upsertUser } from "../../db/queries/users";
import { randomBytes } from "node:crypto";
import { personIdByEmail } from "../../db/queries/scope";
import { withDb } from "./context";

const addSchema = z.object({
  email: z.string().email(),
  name: z.string().min(1).optional(),
  password: z.string().min(10, "passwords need at least 10 characters").optional(),
  role: z.enum(["admin", "head", "team_lead", "executive", "staff"]),
  school: z.string().optional(),
  team: z.string().optional(),
  person: z.string().email().optional(),
  oidcOnly: z.boolean().optional(),
}).superRefine((o, ctx) => {
  if (!o.password && !o.oidcOnly) ctx.addIssue({ code: "custom", path: ["password"], message: "give --password (or SQD_PASSWORD), or --oidc-only" });
  // Without a person (staff) or a team (team lead) the login would see nothing: say so now, not at sign-in.
  if ((o.role === "staff" || o.role === "team_lead") && !o.school) ctx.addIssue({ code: "custom", path: ["school"], message: `--school is required for ${o.role}` });
  if (o.role === "staff" && !o.person) ctx.addIssue({ code: "custom", path: ["person"], message: "--person <roster e-mail> is required for staff" });
  if (o.role === "team_lead" && !o.team && !o.person) ctx.addIssue({ code: "custom", path: ["team"], message: "--team or --person is required for team_lead" });
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
    .option("--person <email>", "for staff and team_lead: their e-mail in the school's roster (what they may see follows from it)")
    .option("--oidc-only", "no password: the user signs in through the school's directory (OIDC) only")
    .action(async (raw: Record<string, string | undefined>) => {
      const opts = addSchema.parse({ ...raw, password: raw.password ?? process.env.SQD_PASSWORD, oidcOnly: raw.oidcOnly !== undefined });
      await withDb(async ({ db }) => {
        let personId: number | undefined;
        if (opts.person && opts.school) {
          const found = await personIdByEmail(db, opts.school, opts.person);
          if (found === null) throw new Error(`no person with e-mail ${opts.person} in the roster of ${opts.school}`);
          personId = found;
        }
        // An OIDC-only user gets a random password nobody knows: the row needs a hash, the login never uses it.
        const password = opts.password ?? randomBytes(32).toString("base64url");
        const id = await upsertUser(db, {
          email: opts.email,
          name: opts.name ?? opts.email.split("@")[0] ?? opts.email,
          passwordHash: await hashPassword(password),
          role: opts.role,
          schoolSlug: opts.school,
          teamName: opts.team,
          personId,
        });
        await audit(db, { userId: id, action: "user.add", target: opts.email, details: { role: opts.role, school: opts.school ?? null } });
        console.log(`User ${opts.email} (${opts.role}${opts.school ? ` at ${opts.school}` : ""}) is ready.`);
      });
    });
}
