import type { Command } from "commander";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { listSchools } from "../../db/queries/schools";
import { teamWithLeadAndMember } from "../../db/queries/people";
import { upsertUser, type UserRole } from "../../db/queries/users";
import { seedDemo } from "../../db/seed/demo";
import { recomputeEpisodes } from "../../db/queries/episodes";
import { hashPassword } from "../auth/password";
import { env } from "../env";
import { describeDb, withDb } from "./context";
import { parseAnchor } from "./anchor";
import { serverArgs } from "../server/launch";
import { OULAD_OUTCOMES_URL, OULAD_SCHOOL, seedOulad } from "./seed-oulad";

interface DemoLogin {
  role: UserRole;
  email: string;
  password: string;
}

/** Demo passwords are random per data folder and kept beside the data (never in git), so the demo is not a known-password target. */
function loadOrCreateLogins(dataDir: string): DemoLogin[] {
  const file = path.join(dataDir, "demo-logins.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as DemoLogin[];
  const pw = () => randomBytes(9).toString("base64url");
  const logins: DemoLogin[] = [
    { role: "admin", email: "admin@demo.school", password: pw() },
    { role: "head", email: "head@demo.school", password: pw() },
    { role: "team_lead", email: "lead@demo.school", password: pw() },
    { role: "executive", email: "exec@demo.school", password: pw() },
    { role: "staff", email: "staff@demo.school", password: pw() },
  ];
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(logins, null, 2), { mode: 0o600 });
  return logins;
}

function loadOrCreateSecret(dataDir: string): string {
  const fromEnv = env().AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export async function prepareDemo(opts: { scale: "small" | "large"; anchor: Date }): Promise<DemoLogin[]> {
  const dataDir = env().DATA_DIR;
  const logins = loadOrCreateLogins(dataDir);
  await withDb(async ({ db }) => {
    if ((await listSchools(db)).every((x) => x.slug === OULAD_SCHOOL.slug)) {
      console.log(`Seeding the demo holding (${opts.scale}) into ${describeDb()}…`);
      const t0 = performance.now();
      let lastPct = -1;
      await seedDemo(db, {
        scale: opts.scale,
        anchor: opts.anchor,
        onProgress: (done, total) => {
          const pct = Math.floor((done / total) * 10) * 10;
          if (pct !== lastPct) {
            lastPct = pct;
            process.stdout.write(`  ${pct}%`);
          }
        },
      });
      console.log(`\nSeeded in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
      // Derive episodes once now, so the pages open on computed SLAs rather than on an empty queue.
      for (const s of await listSchools(db)) {
        const r = await recomputeEpisodes(db, s.id, { scopes: "all", now: new Date() });
        console.log(`Episodes for ${s.slug}: ${r.episodes} in ${(r.ms / 1000).toFixed(1)} s.`);
      }
    }
    // The demo school, not the OULAD one `demo --oulad` adds beside it.
    const school = (await listSchools(db)).find((x) => x.slug !== OULAD_SCHOOL.slug);
    if (!school) throw new Error("no school after seeding");
    const team = await teamWithLeadAndMember(db, school.id);
    for (const l of logins) {
      await upsertUser(db, {
        email: l.email,
        name: l.role,
        passwordHash: await hashPassword(l.password),
        role: l.role,
        schoolSlug: l.role === "executive" ? undefined : school.slug,
        organisationId: school.organisationId,
        teamName: l.role === "team_lead" ? team?.team : undefined,
        personId: l.role === "team_lead" ? team?.leadPersonId : l.role === "staff" ? team?.memberPersonId : undefined,
      });
    }
  });
  return logins;
}

/**
 * OULAD in its own school of the demo organisation: the executive (organisation-wide) sees it at once;
 * admin and head get a grant there too, so every demo login that may open /outcomes can open it.
 */
async function prepareOulad(logins: DemoLogin[]): Promise<void> {
  await withDb(async ({ db }) => {
    const t0 = performance.now();
    const r = await seedOulad(db);
    console.log(r.summary ? `OULAD imported into ${r.school.slug}: ${r.summary.stored} records in ${((performance.now() - t0) / 1000).toFixed(1)} s.` : `OULAD already in ${r.school.slug}.`);
    for (const l of logins.filter((x) => x.role === "admin" || x.role === "head")) {
      await upsertUser(db, { email: l.email, name: l.role, passwordHash: await hashPassword(l.password), role: l.role, schoolSlug: r.school.slug });
    }
    console.log(`Outcomes on OULAD: ${OULAD_OUTCOMES_URL}`);
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server did not answer ${url}/api/health within ${timeoutMs / 1000} s`);
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("Seed the demo holding if the database is empty, build the app if needed, start it and print how to log in.")
    .option("--scale <scale>", "small or large", "large")
    .option("--anchor <date>", "last simulated day, YYYY-MM-DD or 'today'", "today")
    .option("--rebuild", "run `next build` even if a build exists")
    .option("--no-start", "prepare the data and logins only")
    .option("--oulad", "also import the real OULAD dataset (CC BY 4.0) into its own school `ou` for the outcome pages")
    .action(async (opts: { scale: string; anchor: string; rebuild?: boolean; start: boolean; oulad?: boolean }) => {
      const t0 = performance.now();
      if (opts.scale !== "small" && opts.scale !== "large") throw new Error(`--scale must be small or large, not ${opts.scale}`);
      const logins = await prepareDemo({ scale: opts.scale, anchor: parseAnchor(opts.anchor) });
      if (opts.oulad) await prepareOulad(logins);
      if (!opts.start) return;
      const e = env();
      const bin = path.resolve("node_modules/.bin/next");
      if (opts.rebuild || !existsSync(".next/BUILD_ID")) {
        console.log("Building the app (next build)…");
        await run(bin, ["build"]);
      }
      const url = e.AUTH_URL ?? `http://localhost:${e.PORT}`;
      // The production server (`npm start`, server/main.ts): webhooks on node:http, the rest on Next.
      const child = spawn(process.execPath, serverArgs(["-p", String(e.PORT)]), {
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, NEXTAUTH_SECRET: loadOrCreateSecret(e.DATA_DIR), NEXTAUTH_URL: url, DATA_DIR: e.DATA_DIR },
      });
      const stop = () => child.kill("SIGTERM");
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      await waitForHealth(url, 120_000);
      console.log(`\nThe dashboard is up at ${url} (ready ${((performance.now() - t0) / 1000).toFixed(0)} s after the command started).`);
      console.log("Log in with one of these demo accounts:");
      for (const l of logins) console.log(`  ${l.role.padEnd(10)} ${l.email.padEnd(20)} ${l.password}`);
      console.log("Stop with Ctrl+C.");
      await new Promise<void>((resolve) => child.on("exit", () => resolve()));
    });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: "inherit" });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`))));
  });
}
