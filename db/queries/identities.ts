import { sql } from "drizzle-orm";
import { rows, type Db } from "../client";

export interface IdentityRow {
  source: string;
  sourceExternalId: string;
  externalId: string;
  displayName: string | null;
  username: string | null;
  personId: number;
  messages: number;
  lmsEvents: number;
  firstSeenAt: string;
}

/**
 * Source identities of a school. `unmapped`: authors no roster line or e-mail match has linked to a
 * known person (METRICS.md: they count as students until a roster names them), bots excluded — the
 * list an operator works through to complete the roster. Busiest first.
 */
export async function listIdentities(db: Db, schoolId: number, opts: { unmapped?: boolean; sourceKind?: string; limit?: number } = {}): Promise<IdentityRow[]> {
  const found = await rows<{
    kind: string; source_ext: string; external_id: string; display_name: string | null; username: string | null; person_id: number; messages: number; lms: number; first_seen_at: Date | string;
  }>(
    db,
    sql`select s.kind::text as kind, s.external_id as source_ext, i.external_id, i.display_name, i.username, i.person_id,
          (select count(*)::int from messages m where m.school_id = i.school_id and m.author_identity_id = i.id) as messages,
          (select count(*)::int from lms_events e where e.school_id = i.school_id and e.source_id = i.source_id and e.person_id = i.person_id) as lms,
          i.first_seen_at
        from source_identities i join sources s on s.id = i.source_id
        where i.school_id = ${schoolId}
          ${opts.unmapped ? sql`and not i.mapped and not i.is_bot and not exists (select 1 from person_roles r where r.school_id = i.school_id and r.person_id = i.person_id)` : sql``}
          ${opts.sourceKind ? sql`and s.kind::text = ${opts.sourceKind}` : sql``}
        order by messages desc, lms desc, i.id
        limit ${opts.limit ?? 100000}`,
  );
  return found.map((r) => ({
    source: r.kind,
    sourceExternalId: r.source_ext,
    externalId: r.external_id,
    displayName: r.display_name,
    username: r.username,
    personId: Number(r.person_id),
    messages: Number(r.messages),
    lmsEvents: Number(r.lms),
    firstSeenAt: new Date(r.first_seen_at).toISOString(),
  }));
}
