import "server-only";
import { getDb, type Db } from "../../db/client";
import { keepDeadLetter } from "../../db/queries/sources";
import { findLrsClient, sha256Hex, XapiConflictError, type LrsClient } from "../../db/queries/xapi";
import { storeXapiStatements } from "../../db/queries/xapi-store";
import { parseXapiStatements, statementsEqual } from "../ingest/xapi";
import { timingSafeEqualString } from "../ingest/common/timing-safe-equal";

/**
 * `/api/xapi/statements`: the LRS Statement Resource for the schools' LMSs (xAPI 1.0.3 and 2.0,
 * Communication part 2.1). POST takes one statement or an array and answers 200 with the array of ids;
 * PUT takes one statement with `?statementId=` and answers 204. A known id with the same content is
 * accepted again without change (200 / 204); with different content → 409 and nothing is kept.
 * Credentials: HTTP Basic per LMS client (db/queries/xapi.ts). GET is not served: the dashboard is an
 * LRS for ingestion only, its reports are the read side (405).
 */
export const MAX_XAPI_BYTES = 5_000_000;
const REALM = 'Basic realm="xAPI", charset="UTF-8"';

type Version = "1.0.3" | "2.0.0";

function versionHeader(v: string | null): Version | null {
  if (!v) return null;
  if (/^1\.0(\.\d+)?$/.test(v.trim())) return "1.0.3";
  if (/^2\.0(\.\d+)?$/.test(v.trim())) return "2.0.0";
  return null;
}

function basicAuth(h: string | null): { key: string; secret: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(h ?? "");
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i > 0 ? { key: decoded.slice(0, i), secret: decoded.slice(i + 1) } : null;
}

export async function handleXapiStatements(req: Request, now: Date = new Date()): Promise<Response> {
  const { db } = await getDb();
  return handleXapiWith(db, req, now);
}

export async function handleXapiWith(db: Db, req: Request, now: Date): Promise<Response> {
  const version = versionHeader(req.headers.get("x-experience-api-version"));
  const reply = (status: number, body?: unknown, extra: Record<string, string> = {}) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "X-Experience-API-Version": version ?? "2.0.0", ...(body === undefined ? {} : { "content-type": "application/json" }), ...extra },
    });
  let rawBody = "";
  const dead = async (client: LrsClient | null, status: number, reason: string, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = /authorization|cookie/i.test(k) ? "[redacted]" : v));
    await keepDeadLetter(db, { schoolId: client?.schoolId ?? null, source: "xapi", reason, payload: rawBody, headers });
    return reply(status, { error: reason }, extra);
  };

  if (req.method !== "POST" && req.method !== "PUT") return reply(405, { error: `${req.method} is not served: this LRS only receives statements` }, { Allow: "POST, PUT" });
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_XAPI_BYTES) return dead(null, 413, `body of ${declared} bytes exceeds ${MAX_XAPI_BYTES}`);
  rawBody = await req.text();
  if (Buffer.byteLength(rawBody) > MAX_XAPI_BYTES) {
    rawBody = rawBody.slice(0, MAX_XAPI_BYTES);
    return dead(null, 413, `body exceeds ${MAX_XAPI_BYTES} bytes`);
  }

  // Authentication first: an unknown caller learns nothing about what else is wrong with its request.
  const creds = basicAuth(req.headers.get("authorization"));
  if (!creds) return dead(null, 401, "HTTP Basic credentials of an LMS client are required", { "WWW-Authenticate": REALM });
  const client = await findLrsClient(db, creds.key);
  // Compared in constant time; an unknown key is compared against a dummy so both paths cost the same.
  const ok = timingSafeEqualString(sha256Hex(creds.secret), client?.secretSha256 ?? sha256Hex(`no client ${creds.key}`));
  if (!client || !ok) return dead(null, 401, "unknown LMS client or wrong secret", { "WWW-Authenticate": REALM });

  if (!version) return dead(client, 400, `X-Experience-API-Version must be 1.0.x or 2.0.x (got ${req.headers.get("x-experience-api-version") ?? "none"})`);
  const url = new URL(req.url);
  if (url.searchParams.has("method")) return dead(client, 400, "the alternate request syntax (?method=) is not supported");
  const ctype = (req.headers.get("content-type") ?? "").toLowerCase();
  if (ctype.startsWith("multipart/")) return dead(client, 400, "statements with attachments (multipart/mixed) are not supported");
  if (!/^application\/json\b/.test(ctype)) return dead(client, 400, `content-type must be application/json (got ${ctype || "none"})`);
  const statementId = url.searchParams.get("statementId") ?? undefined;
  if (req.method === "PUT" && !statementId) return dead(client, 400, "PUT requires the statementId parameter");
  if (req.method === "POST" && statementId !== undefined) return dead(client, 400, "POST takes no statementId parameter (use PUT)");
  const unknownParams = [...url.searchParams.keys()].filter((k) => k !== "statementId");
  if (unknownParams.length > 0) return dead(client, 400, `unknown parameter(s): ${unknownParams.join(", ")}`);

  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch (e) {
    return dead(client, 400, `malformed JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (Array.isArray(body) && body.length === 0) return dead(client, 400, "an empty array holds no statement");
  if (req.method === "PUT" && Array.isArray(body)) return dead(client, 400, "PUT takes one statement object, not an array");
  // An LRS rejects the whole batch when any statement is invalid: nothing is stored.
  const parsed = parseXapiStatements(body, { version, now, ...(statementId !== undefined ? { statementId } : {}) });
  if (parsed.errors.length > 0) {
    const reason = parsed.errors.map((e) => `#${e.index}${e.id ? ` ${e.id}` : ""}: ${e.reason}`).join("; ");
    const conflict = parsed.errors.every((e) => e.reason.includes("(409)"));
    return dead(client, conflict ? 409 : 400, reason);
  }
  try {
    await storeXapiStatements(db, { schoolId: client.schoolId, sourceId: client.sourceId, sourceExternalId: client.sourceExternalId }, parsed.statements, client.key);
  } catch (e) {
    if (e instanceof XapiConflictError) return dead(client, 409, e.message);
    throw e;
  }
  if (req.method === "PUT") return reply(204);
  // The ids of every statement in request order, assigned ones included (a duplicate in the batch once).
  const list = Array.isArray(body) ? body : [body];
  const given = (raw: unknown) => (typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id.toLowerCase() : null);
  const ids = list.map((raw) => given(raw) ?? parsed.statements.find((s) => s.raw === raw || (s.idAssigned && statementsEqual(s.raw, raw)))?.id).filter((x): x is string => !!x);
  return reply(200, ids);
}
