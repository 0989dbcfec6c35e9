import { z } from "zod";

/**
 * The only reader of process.env (ARCHITECTURE.md). Validated once, at first use, so a wrong setting
 * fails at boot with a message that names it instead of somewhere deep in a request.
 */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Real PostgreSQL. Without it the app runs on embedded PGlite in DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  /** Signs sessions. Required in production; the demo command generates one into DATA_DIR. */
  AUTH_SECRET: z.string().min(16).optional(),
  AUTH_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().positive().default(3000),
  /**
   * Sessions end after this many minutes without a request (idle) and, whatever the activity, this many
   * hours after sign-in (absolute); then the sign-in page shows again (docs/security.md).
   */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  /**
   * OIDC sign-in for schools with a directory. A provider is offered only when all its required variables
   * are set. The directory's e-mail must match a user made with `cli user add`: no account is created.
   */
  AUTH_KEYCLOAK_ID: z.string().min(1).optional(),
  AUTH_KEYCLOAK_SECRET: z.string().min(1).optional(),
  /** The realm URL, e.g. https://sso.example.org/realms/school. */
  AUTH_KEYCLOAK_ISSUER: z.string().url().optional(),
  AUTH_AZURE_AD_ID: z.string().min(1).optional(),
  AUTH_AZURE_AD_SECRET: z.string().min(1).optional(),
  /** The directory (tenant) id; without it only "common" would be used, which any Microsoft account passes. */
  AUTH_AZURE_AD_TENANT_ID: z.string().min(1).optional(),
  AUTH_GOOGLE_ID: z.string().min(1).optional(),
  AUTH_GOOGLE_SECRET: z.string().min(1).optional(),
  /** The Workspace domain (example.org); accounts from other domains are refused. */
  AUTH_GOOGLE_HOSTED_DOMAIN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * Webhook secrets for deployments that keep them out of the database. A source's own secret (set with
   * `cli source add` or the settings page) wins; these apply to sources of that kind that have none.
   */
  INGEST_SECRET_TELEGRAM: z.string().min(16).optional(),
  INGEST_SECRET_SLACK: z.string().min(16).optional(),
  INGEST_SECRET_MATTERMOST: z.string().min(16).optional(),
  INGEST_SECRET_PACHCA: z.string().min(16).optional(),
  INGEST_SECRET_DISCORD: z.string().min(16).optional(),
});

/** The environment's fallback secret for a webhook source kind, if any. */
export function envIngestSecret(kind: string): string | undefined {
  const e = env();
  const byKind: Record<string, string | undefined> = {
    telegram: e.INGEST_SECRET_TELEGRAM,
    slack: e.INGEST_SECRET_SLACK,
    mattermost: e.INGEST_SECRET_MATTERMOST,
    pachca: e.INGEST_SECRET_PACHCA,
    discord: e.INGEST_SECRET_DISCORD,
  };
  return byKind[kind];
}

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const source: Record<string, string | undefined> = { ...process.env };
  // Empty strings from shells and CI mean "unset", not "invalid".
  for (const [k, v] of Object.entries(source)) if (v === "") delete source[k];
  // next-auth v4 reads NEXTAUTH_*; accept either spelling.
  source.AUTH_SECRET ??= source.NEXTAUTH_SECRET;
  source.AUTH_URL ??= source.NEXTAUTH_URL;
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** For tests that change the environment. */
export function resetEnvCache(): void {
  cached = undefined;
}
