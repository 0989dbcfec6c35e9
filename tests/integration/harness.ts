import { randomBytes } from "node:crypto";
import { openDb, type DbHandle } from "@/db/client";
import { deriveIdleAll } from "@/lib/dal/derive";
import { listSchools, type SchoolRow } from "@/db/queries/schools";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { seedDemo } from "@/db/seed/demo";

/**
 * Every integration suite runs once per engine: embedded PGlite (in memory) and a real PostgreSQL
 * (TEST_DATABASE_URL, started by scripts/with-postgres.sh when the test command runs). Each suite gets
 * a fresh database, created and dropped here; that is destructive, so it refuses any non-local server.
 */
export interface Engine {
  name: "pglite" | "postgres";
  /** databaseUrl: the fresh database's address, on a real PostgreSQL (for a second pool, as a worker thread opens). */
  open(): Promise<DbHandle & { drop(): Promise<void>; databaseUrl?: string }>;
}

export function assertLocal(url: string): void {
  const u = new URL(url);
  const host = u.hostname || u.searchParams.get("host") || "";
  const local = host === "" || host === "localhost" || host === "127.0.0.1" || host === "::1" || host === "[::1]" || host.startsWith("/");
  if (!local) throw new Error(`Refusing to run destructive tests against a non-local database (${host}).`);
}

export function engines(): Engine[] {
  const list: Engine[] = [
    {
      name: "pglite",
      async open() {
        const h = await openDb({ dataDir: "memory://" });
        return {
          ...h,
          async drop() {
            // A webhook test leaves a background derivation behind: let it finish before the database goes.
            await deriveIdleAll();
            await h.close();
          },
        };
      },
    },
  ];
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    assertLocal(admin);
    list.push({
      name: "postgres",
      async open() {
        const { Client } = await import("pg");
        const name = `sqd_test_${randomBytes(5).toString("hex")}`;
        const c = new Client({ connectionString: admin });
        await c.connect();
        await c.query(`create database ${name}`);
        await c.end();
        const url = new URL(admin);
        url.pathname = `/${name}`;
        const h = await openDb({ databaseUrl: url.toString() });
        return {
          ...h,
          databaseUrl: url.toString(),
          async drop() {
            await deriveIdleAll();
            await h.close();
            const c2 = new Client({ connectionString: admin });
            await c2.connect();
            await c2.query(`drop database if exists ${name} with (force)`);
            await c2.end();
          },
        };
      },
    });
  } else if (process.env.CI || process.env.REQUIRE_POSTGRES) {
    throw new Error("TEST_DATABASE_URL is not set: run the integration suite through `npm test` (scripts/with-postgres.sh starts PostgreSQL).");
  }
  return list;
}

/**
 * A fresh database with the small demo seeded (seed 11 at `anchor`) and the first school's episodes
 * derived as of `now`: the setup of the suites that read the demo through one school.
 */
export async function openDemoSchool(engine: Engine, anchor: Date, now: Date): Promise<{ h: DbHandle & { drop(): Promise<void> }; school: SchoolRow }> {
  const h = await engine.open();
  await seedDemo(h.db, { scale: "small", seed: 11, anchor });
  const [school] = await listSchools(h.db);
  if (!school) throw new Error("the demo seeded no school");
  await recomputeEpisodes(h.db, school.id, { scopes: "all", now });
  return { h, school };
}
