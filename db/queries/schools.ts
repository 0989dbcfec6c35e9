import { asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../client";
import { organisations, schools } from "../schema";

export interface SchoolRow {
  id: number;
  organisationId: number;
  slug: string;
  name: string;
  timezone: string;
  locale: string;
}

const cols = { id: schools.id, organisationId: schools.organisationId, slug: schools.slug, name: schools.name, timezone: schools.timezone, locale: schools.locale };

/** Upsert an organisation and one of its schools by slug (seed, CLI, tests). */
export async function ensureSchool(
  db: Db,
  s: { organisation: { slug: string; name: string }; slug: string; name: string; timezone: string; locale?: string },
): Promise<SchoolRow> {
  const [org] = await db
    .insert(organisations)
    .values(s.organisation)
    .onConflictDoUpdate({ target: organisations.slug, set: { name: s.organisation.name } })
    .returning({ id: organisations.id });
  if (!org) throw new Error("organisation not stored");
  const [row] = await db
    .insert(schools)
    .values({ organisationId: org.id, slug: s.slug, name: s.name, timezone: s.timezone, locale: s.locale ?? "ru" })
    .onConflictDoUpdate({ target: schools.slug, set: { name: s.name, timezone: s.timezone } })
    .returning(cols);
  if (!row) throw new Error("school not stored");
  return row;
}

export async function listSchools(db: Db, ids?: number[]): Promise<SchoolRow[]> {
  const q = db.select(cols).from(schools);
  return ids ? q.where(inArray(schools.id, ids)).orderBy(asc(schools.name)) : q.orderBy(asc(schools.name));
}

export async function getSchoolBySlug(db: Db, slug: string): Promise<SchoolRow | null> {
  const [row] = await db.select(cols).from(schools).where(eq(schools.slug, slug));
  return row ?? null;
}
