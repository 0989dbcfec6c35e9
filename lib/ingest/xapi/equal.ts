import { isRecord } from "../common/import-result";
import { preciseInstantKey } from "../common/iso-instant";

/**
 * Are two statements with the same id the same statement (xAPI-Data 2.3.1, comparison rules)? An LRS
 * answers 409 Conflict to a re-sent id only when they differ. Differences the spec's immutability
 * exceptions allow are ignored:
 *
 * - properties the LRS assigns: `id` (equal by construction), `authority`, `stored`, `version`, and
 *   `timestamp` when only one side has it (the LRS fills it in);
 * - `timestamp` serialisation: the same instant in another offset or precision is equal (full
 *   sub-millisecond precision is compared, not JS Date's);
 * - Activity Definitions (`definition`) and the Verb's `display`: not part of the statement;
 * - `attachments`; the order of a Group's `member` list; case in UUIDs and in the e-mail domain;
 * - defaults a serialiser may add or drop: `objectType` "Activity" / "Agent", and a 1.0 single
 *   context Activity versus a one-element array.
 *
 * Everything else is compared exactly; `result.duration` stays a string, as the spec requires.
 */
export function statementsEqual(a: unknown, b: unknown): boolean {
  if (!isRecord(a) || !isRecord(b)) return false;
  const ta = typeof a.timestamp === "string" ? a.timestamp : undefined;
  const tb = typeof b.timestamp === "string" ? b.timestamp : undefined;
  if (ta !== undefined && tb !== undefined && preciseInstantKey(ta) !== preciseInstantKey(tb)) return false;
  return deepEqual(canonical(a, "statement"), canonical(b, "statement"));
}

type Role = "statement" | "actor" | "object" | "verb" | "context" | "contextActivities" | "activity" | "group" | "other";

function canonical(v: unknown, role: Role): unknown {
  if (Array.isArray(v)) return v.map((x) => canonical(x, role));
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (role === "statement" && ["id", "authority", "stored", "version", "timestamp", "attachments"].includes(k)) continue;
    if (role === "verb" && k === "display") continue;
    if ((role === "object" || role === "activity") && k === "definition") continue;
    if (role === "object" && k === "attachments") continue;
    out[k] = canonical(x, childRole(role, k));
  }
  if ((role === "actor" || role === "group") && typeof out.mbox === "string") out.mbox = lowerDomain(out.mbox);
  if (role === "actor" || role === "group") {
    out.objectType ??= "Agent";
    if (Array.isArray(out.member)) out.member = [...(out.member as unknown[])].map((m) => canonical(m, "actor")).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
  }
  if (role === "object" || role === "activity") out.objectType ??= "Activity";
  if (role === "object" && out.objectType === "StatementRef" && typeof out.id === "string") out.id = out.id.toLowerCase();
  if (role === "object" && (out.objectType === "Agent" || out.objectType === "Group") && typeof out.mbox === "string") out.mbox = lowerDomain(out.mbox);
  if (role === "context" && typeof out.registration === "string") out.registration = out.registration.toLowerCase();
  if (role === "contextActivities") for (const [k, x] of Object.entries(out)) out[k] = Array.isArray(x) ? x : [x];
  return out;
}

function childRole(parent: Role, key: string): Role {
  if (parent === "statement" || parent === "object") {
    if (key === "actor") return "actor";
    if (key === "verb") return "verb";
    if (key === "object") return "object";
    if (key === "context") return "context";
    if (key === "member") return "actor";
  }
  if (parent === "actor" || parent === "group") return key === "member" ? "actor" : "other";
  if (parent === "context") {
    if (key === "contextActivities") return "contextActivities";
    if (key === "instructor") return "actor";
    if (key === "team") return "group";
    if (key === "statement") return "object";
  }
  if (parent === "contextActivities") return "activity";
  if (parent === "activity") return "activity";
  return "other";
}

function lowerDomain(mbox: string): string {
  const at = mbox.lastIndexOf("@");
  return at === -1 ? mbox : mbox.slice(0, at) + mbox.slice(at).toLowerCase();
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
