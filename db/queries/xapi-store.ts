import type { Db } from "../client";
import { storeEvents, type StoreResult } from "./ingest";
import { insertStatements, redactStatement, storedStatements, XapiConflictError } from "./xapi";
import { mapXapiToLmsEvents, statementsEqual, type ValidStatement } from "../../lib/ingest/xapi";

export interface XapiStoreResult extends StoreResult {
  /** Statements new to the LRS (kept in xapi_statements). */
  statementsStored: number;
  /** Anonymous-Group statements: stored as statements, no LMS event (no one person). */
  skipped: Array<{ id: string; reason: string }>;
}

/**
 * The LRS write (route and `import xapi`): statements → LMS events through the one store path, and the
 * statements themselves into xapi_statements, in one transaction. A known id with different content
 * throws XapiConflictError from inside the transaction, so nothing of the request is kept (409).
 * A known id with the same content changes nothing (200/204 per the spec).
 */
export async function storeXapiStatements(
  db: Db,
  target: { schoolId: number; sourceId: number; sourceExternalId: string },
  statements: readonly ValidStatement[],
  clientKey: string | null,
  /** More work for the same transaction (an import's checkpoint), after the statements are written. */
  andWithin?: (tx: Db, result: StoreResult & { statementsStored: number }) => Promise<void>,
): Promise<XapiStoreResult> {
  const mapped = mapXapiToLmsEvents(statements, { source: { externalId: target.sourceExternalId } });
  let statementsStored = 0;
  const result = await storeEvents(db, target.schoolId, mapped.events, {
    allOrNothing: true,
    within: async (tx, soFar) => {
      const known = await storedStatements(tx, target.schoolId, target.sourceId, statements.map((s) => s.id));
      const conflicts = statements.filter((s) => {
        const old = known.get(s.id);
        return old !== undefined && !statementsEqual(old, redactStatement(s.raw));
      });
      if (conflicts.length > 0) throw new XapiConflictError(conflicts.map((c) => c.id));
      const fresh = statements.filter((s) => !known.has(s.id));
      statementsStored = await insertStatements(
        tx,
        fresh.map((s) => ({ schoolId: target.schoolId, sourceId: target.sourceId, statementId: s.id, statement: redactStatement({ ...s.raw, id: s.id }), clientKey })),
      );
      if (andWithin) await andWithin(tx, { ...soFar, statementsStored });
    },
  });
  return { ...result, statementsStored, skipped: mapped.skipped };
}
