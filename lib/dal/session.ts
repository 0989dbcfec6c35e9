import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions, loadGrants, type UserGrant } from "../auth/options";
import { getDb } from "../../db/client";
import { listSchools, type SchoolRow } from "../../db/queries/schools";

export interface Viewer {
  userId: number;
  email: string;
  name: string;
  grants: UserGrant[];
  /** Schools this viewer may open, in display order. */
  schools: SchoolRow[];
}

/** The signed-in viewer with their grants, or null. Cached per request. */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const session = await getServerSession(authOptions());
  const uid = session?.user?.id;
  if (!uid) return null;
  const grants = await loadGrants(uid);
  if (grants.length === 0) return null;
  const { db } = await getDb();
  const all = await listSchools(db);
  // An organisation-wide grant (school_id null) opens every school of that organisation.
  const schools = all.filter((s) => grants.some((g) => g.schoolId === s.id || (g.schoolId === null && g.organisationId === s.organisationId)));
  return { userId: uid, email: session.user.email, name: session.user.name, grants, schools };
});

/** For pages: the viewer, or a redirect to the sign-in page. */
export async function requireViewer(): Promise<Viewer> {
  const v = await getViewer();
  if (!v) redirect("/login");
  return v;
}

/**
 * A refusal. Route handlers turn it into JSON (guardApi); on pages the digest makes Next render its
 * 401/403/404 boundary with that status (the same digest `forbidden()`/`notFound()` throw; needs
 * experimental.authInterrupts), instead of a 200 error box that would hide the refusal from tests.
 */
export class AccessError extends Error {
  readonly digest: string;
  constructor(public status: 401 | 403 | 404, message: string) {
    super(message);
    this.digest = `NEXT_HTTP_ERROR_FALLBACK;${status}`;
  }
}

/** Pick the school named in the URL if the viewer may see it, else their first school. */
export function resolveSchool(v: Viewer, slug: string | undefined): SchoolRow {
  if (slug) {
    const s = v.schools.find((x) => x.slug === slug);
    if (!s) throw new AccessError(404, `no school ${slug} for this account`);
    return s;
  }
  const first = v.schools[0];
  if (!first) throw new AccessError(403, "this account has no school");
  return first;
}

/** The viewer's role at a school (a school grant wins over an organisation-wide one). */
export function roleAt(v: Viewer, school: SchoolRow): UserGrant["role"] | null {
  const direct = v.grants.find((g) => g.schoolId === school.id);
  if (direct) return direct.role;
  return v.grants.find((g) => g.schoolId === null && g.organisationId === school.organisationId)?.role ?? null;
}
