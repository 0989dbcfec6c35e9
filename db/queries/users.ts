import { and, desc, eq, gte, inArray, isNull, like, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { auditLog, schools, teams, userRoles, users } from "../schema";

export type UserRole = "admin" | "head" | "team_lead" | "executive" | "staff";

export interface UserGrant {
  role: UserRole;
  organisationId: number;
  schoolId: number | null;
  teamId: number | null;
  personId: number | null;
}

export async function findUserByEmail(db: Db, email: string) {
  const [u] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return u ?? null;
}

export async function grantsOf(db: Db, userId: number): Promise<UserGrant[]> {
  return db
    .select({ role: userRoles.role, organisationId: userRoles.organisationId, schoolId: userRoles.schoolId, teamId: userRoles.teamId, personId: userRoles.personId })
    .from(userRoles)
    .where(eq(userRoles.userId, userId));
}

/** Create or update a user and give them one role at a school (or organisation-wide with schoolId null). */
export async function upsertUser(
  db: Db,
  u: { email: string; name: string; passwordHash: string; role: UserRole; schoolSlug?: string; organisationId?: number; teamName?: string; personId?: number },
): Promise<number> {
  const email = u.email.toLowerCase();
  const [row] = await db
    .insert(users)
    .values({ email, name: u.name, passwordHash: u.passwordHash })
    .onConflictDoUpdate({ target: users.email, set: { name: u.name, passwordHash: u.passwordHash } })
    .returning({ id: users.id });
  if (!row) throw new Error("user not stored");
  let schoolId: number | null = null;
  let organisationId = u.organisationId ?? null;
  if (u.schoolSlug) {
    const [s] = await db.select({ id: schools.id, org: schools.organisationId }).from(schools).where(eq(schools.slug, u.schoolSlug));
    if (!s) throw new Error(`no school with slug ${u.schoolSlug}`);
    schoolId = s.id;
    organisationId = s.org;
  }
  if (organisationId === null) {
    const [s] = await db.select({ org: schools.organisationId }).from(schools).limit(1);
    if (!s) throw new Error("no organisation yet: create a school first (seed or import)");
    organisationId = s.org;
  }
  let teamId: number | null = null;
  if (u.teamName && schoolId !== null) {
    const [t] = await db.select({ id: teams.id }).from(teams).where(and(eq(teams.schoolId, schoolId), eq(teams.name, u.teamName)));
    teamId = t?.id ?? null;
  }
  const same = and(eq(userRoles.userId, row.id), schoolId === null ? isNull(userRoles.schoolId) : eq(userRoles.schoolId, schoolId));
  await db.delete(userRoles).where(same);
  await db.insert(userRoles).values({ userId: row.id, organisationId, schoolId, role: u.role, teamId, personId: u.personId ?? null });
  return row.id;
}

export async function audit(db: Db, entry: { userId?: number | null; schoolId?: number | null; action: string; target?: string; details?: Record<string, unknown>; ip?: string | null }): Promise<void> {
  await db.insert(auditLog).values({ userId: entry.userId ?? null, schoolId: entry.schoolId ?? null, action: entry.action, target: entry.target ?? null, details: entry.details ?? null, ip: entry.ip ?? null });
}

export interface AuditRow {
  id: number;
  at: string;
  userId: number | null;
  userEmail: string | null;
  schoolId: number | null;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}

export interface AuditFilter {
  /** Schools whose entries may be read; entries without a school (sign-ins) are always included. */
  schoolIds: number[];
  /** Action prefix: "signin", "export", "config", … */
  action?: string;
  /** Substring of the user's e-mail or the target. */
  who?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** Audit entries newest first, with the total before paging. */
export async function listAudit(db: Db, f: AuditFilter): Promise<{ total: number; rows: AuditRow[] }> {
  const conds = [or(isNull(auditLog.schoolId), inArray(auditLog.schoolId, f.schoolIds.length > 0 ? f.schoolIds : [-1]))];
  if (f.action) conds.push(like(auditLog.action, `${f.action.replace(/[%_\\]/g, "\\$&")}%`));
  if (f.who) {
    const pat = `%${f.who.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;
    conds.push(or(like(sql`lower(${users.email})`, pat), like(sql`lower(${auditLog.target})`, pat)));
  }
  if (f.from) conds.push(gte(auditLog.at, f.from));
  if (f.to) conds.push(lt(auditLog.at, f.to));
  const where = and(...conds);
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(auditLog).leftJoin(users, eq(users.id, auditLog.userId)).where(where);
  const list = await db
    .select({ id: auditLog.id, at: auditLog.at, userId: auditLog.userId, userEmail: users.email, schoolId: auditLog.schoolId, action: auditLog.action, target: auditLog.target, details: auditLog.details, ip: auditLog.ip })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.userId))
    .where(where)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(f.limit)
    .offset(f.offset);
  return { total: Number(count?.n ?? 0), rows: list.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
}
