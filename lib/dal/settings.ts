import "server-only";
import { getDb, type Db } from "../../db/client";
import { applyConfig, type ApplyConfigResult } from "../../db/queries/config";
import { settingsReport, type SettingsData } from "../../db/queries/reports/settings";
import { audit } from "../../db/queries/users";
import { ConfigError, type ConfigIssue } from "../config/issues";
import { AccessError, requireViewer, resolveSchool, roleAt, type Viewer } from "./session";

export type { SettingsData, ApplyConfigResult, ConfigIssue };

/** Only these roles may read or change a school's settings. */
const SETTINGS_ROLES = new Set(["admin", "head"]);

async function settingsSchool(viewer: Viewer, slug: string | undefined) {
  const school = resolveSchool(viewer, slug);
  const role = roleAt(viewer, school);
  if (!role || !SETTINGS_ROLES.has(role)) throw new AccessError(403, "settings are for admin and head roles only");
  return school;
}

export async function getSettings(q: { school?: string }): Promise<SettingsData> {
  const viewer = await requireViewer();
  const school = await settingsSchool(viewer, q.school);
  const { db } = await getDb();
  return settingsReport(db, school);
}

export type ApplyOutcome = { ok: true; result: ApplyConfigResult } | { ok: false; issues: ConfigIssue[] };

/**
 * The non-session part: parses a config document (JSON text), applies it, and records an audit entry
 * either way. Calendar `files` are refused: a document pasted in the browser may not read server files.
 */
export async function applyConfigText(db: Db, e: { schoolId: number; userId: number | null; text: string }): Promise<ApplyOutcome> {
  const outcome = await parseAndApply(db, e.schoolId, e.text);
  await audit(db, {
    userId: e.userId,
    schoolId: e.schoolId,
    action: outcome.ok ? "config.apply" : "config.refused",
    target: "settings",
    details: outcome.ok ? { ...outcome.result } : { issues: outcome.issues.slice(0, 50) },
  });
  return outcome;
}

async function parseAndApply(db: Db, schoolId: number, text: string): Promise<ApplyOutcome> {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    return { ok: false, issues: [{ path: "", message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  try {
    const result = await applyConfig(db, schoolId, input, {
      readFile: () => {
        throw new Error("calendar files are not read from the settings page; use `npm run cli -- config apply` or inline holidays");
      },
    });
    return { ok: true, result };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, issues: [...err.issues] };
    throw err;
  }
}

/** For the settings form: re-checks the viewer's role at the school, then applies. */
export async function applySettingsConfig(slug: string | undefined, text: string): Promise<ApplyOutcome> {
  const viewer = await requireViewer();
  const school = await settingsSchool(viewer, slug);
  const { db } = await getDb();
  return applyConfigText(db, { schoolId: school.id, userId: viewer.userId, text });
}
