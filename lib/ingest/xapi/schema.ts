import { z } from "zod";

/**
 * xAPI statement validation, 1.0.3 and 2.0 (IEEE 9274.1.1). The LRS rules that matter for an ingest
 * endpoint (xAPI-Data 2.2, LRS requirements): reject unknown properties, wrong types, strings where
 * numbers or booleans are required, malformed IRIs / UUIDs / mailto, Agents with zero or several
 * inverse functional identifiers. Null values are rejected before this schema runs (see parse.ts),
 * because the rule has an exception for extensions that zod cannot express per path.
 */
export type XapiVersion = "1.0" | "2.0";

/** An absolute IRI: a scheme, a colon, and no whitespace (best-effort, as the spec allows). */
export const iri = z.string().regex(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/, "expected an absolute IRI");
export const uuid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/, "expected a UUID (RFC 4122 variant)");
const langTag = z.string().regex(/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/, "expected an RFC 5646 language tag");
const languageMap = z.record(langTag, z.string());
export const extensions = z.record(iri, z.unknown());
/** ISO 8601 duration, as Result.duration requires (kept as a string: the spec compares it as one). */
const duration = z.string().regex(/^P(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?W)?(\d+(?:\.\d+)?D)?(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$/, "expected an ISO 8601 duration");

const ifiShape = {
  mbox: z.string().regex(/^mailto:[^@\s]+@[^@\s]+$/, "expected mailto:address").optional(),
  mbox_sha1sum: z.string().regex(/^[0-9a-fA-F]{40}$/, "expected 40 hex characters").optional(),
  openid: iri.optional(),
  account: z.strictObject({ homePage: iri, name: z.string().min(1) }).optional(),
};
type Ifi = { mbox?: string; mbox_sha1sum?: string; openid?: string; account?: { homePage: string; name: string } };
export const ifiCount = (a: Ifi): number => [a.mbox, a.mbox_sha1sum, a.openid, a.account].filter((x) => x !== undefined).length;

/** Fills the objectType the spec lets a sender omit, so that the discriminated unions below can choose. */
function defaultType<T extends z.ZodType>(type: string, schema: T) {
  return z.preprocess((v) => (typeof v === "object" && v !== null && !Array.isArray(v) && !("objectType" in v) ? { ...v, objectType: type } : v), schema);
}

const agentObject = z
  .strictObject({ objectType: z.literal("Agent"), name: z.string().optional(), ...ifiShape })
  .refine((a) => ifiCount(a) === 1, "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account");
export const agentSchema = defaultType("Agent", agentObject);
export type XapiAgent = z.infer<typeof agentObject>;

const groupObject = z
  .strictObject({ objectType: z.literal("Group"), name: z.string().optional(), member: z.array(agentSchema).optional(), ...ifiShape })
  .refine((g) => ifiCount(g) <= 1, "a Group has at most one inverse functional identifier")
  .refine((g) => ifiCount(g) === 1 || (g.member?.length ?? 0) > 0, "an anonymous Group needs members");
export const groupSchema = groupObject;
export type XapiGroup = z.infer<typeof groupObject>;

/** Agent or Group, told apart by objectType as the spec does (an Agent's objectType is optional). */
export const actorSchema = defaultType("Agent", z.discriminatedUnion("objectType", [agentObject, groupObject]));
export type XapiActor = XapiAgent | XapiGroup;

const interactionComponent = z.strictObject({ id: z.string().min(1), description: languageMap.optional() });
const definitionSchema = z.strictObject({
  name: languageMap.optional(),
  description: languageMap.optional(),
  type: iri.optional(),
  moreInfo: iri.optional(),
  extensions: extensions.optional(),
  interactionType: z.enum(["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert", "numeric", "other"]).optional(),
  correctResponsesPattern: z.array(z.string()).optional(),
  choices: z.array(interactionComponent).optional(),
  scale: z.array(interactionComponent).optional(),
  source: z.array(interactionComponent).optional(),
  target: z.array(interactionComponent).optional(),
  steps: z.array(interactionComponent).optional(),
});

const activityObject = z.strictObject({ objectType: z.literal("Activity"), id: iri, definition: definitionSchema.optional() });
export const activitySchema = defaultType("Activity", activityObject);
export type XapiActivity = z.infer<typeof activityObject>;
export const statementRefSchema = z.strictObject({ objectType: z.literal("StatementRef"), id: uuid });
export type XapiStatementRef = z.infer<typeof statementRefSchema>;

const scoreSchema = z
  .strictObject({ scaled: z.number().min(-1).max(1).optional(), raw: z.number().optional(), min: z.number().optional(), max: z.number().optional() })
  .refine((s) => s.min === undefined || s.max === undefined || s.min < s.max, "score.min must be below score.max")
  .refine((s) => s.raw === undefined || ((s.min === undefined || s.raw >= s.min) && (s.max === undefined || s.raw <= s.max)), "score.raw must lie within min..max");

export const resultSchema = z.strictObject({
  score: scoreSchema.optional(),
  success: z.boolean().optional(),
  completion: z.boolean().optional(),
  response: z.string().optional(),
  duration: duration.optional(),
  extensions: extensions.optional(),
});

function contextSchema(v: XapiVersion) {
  // 1.0.x allowed a single Activity where an array is expected (the LRS returns it as an array);
  // 2.0 requires arrays.
  const list = v === "1.0" ? z.union([z.array(activitySchema), activitySchema]) : z.array(activitySchema);
  const base = {
    registration: uuid.optional(),
    instructor: actorSchema.optional(),
    team: groupSchema.optional(),
    contextActivities: z.strictObject({ parent: list.optional(), grouping: list.optional(), category: list.optional(), other: list.optional() }).optional(),
    revision: z.string().optional(),
    platform: z.string().optional(),
    language: langTag.optional(),
    statement: statementRefSchema.optional(),
    extensions: extensions.optional(),
  };
  if (v === "1.0") return z.strictObject(base);
  const relevant = z.array(activitySchema).optional();
  return z.strictObject({
    ...base,
    contextAgents: z.array(z.strictObject({ objectType: z.literal("contextAgent"), agent: agentSchema, relevantTypes: relevant })).optional(),
    contextGroups: z.array(z.strictObject({ objectType: z.literal("contextGroup"), group: groupSchema, relevantTypes: relevant })).optional(),
  });
}

const verbSchema = z.strictObject({ id: iri, display: languageMap.optional() });
const attachmentsSchema = z.array(
  z.strictObject({
    usageType: iri,
    display: languageMap,
    description: languageMap.optional(),
    contentType: z.string().min(1),
    length: z.number().int().nonnegative(),
    sha2: z.string().min(1),
    fileUrl: iri.optional(),
  }),
);

const plainObjects = [activityObject, agentObject, groupObject, statementRefSchema] as const;

/** A SubStatement's object: anything but another SubStatement. */
const subObjectSchema = defaultType("Activity", z.discriminatedUnion("objectType", [...plainObjects]));

/** A Statement's object: Activity (objectType optional), Agent, Group, StatementRef or, one level deep, SubStatement. */
function objectSchema(v: XapiVersion) {
  const sub = z.strictObject({
    objectType: z.literal("SubStatement"),
    actor: actorSchema,
    verb: verbSchema,
    object: subObjectSchema,
    result: resultSchema.optional(),
    context: contextSchema(v).optional(),
    timestamp: z.string().optional(),
    attachments: attachmentsSchema.optional(),
  });
  return defaultType("Activity", z.discriminatedUnion("objectType", [...plainObjects, sub]));
}

export function statementSchema(v: XapiVersion) {
  return z.strictObject({
    id: uuid.optional(),
    actor: actorSchema,
    verb: verbSchema,
    object: objectSchema(v),
    result: resultSchema.optional(),
    context: contextSchema(v).optional(),
    timestamp: z.string().optional(),
    stored: z.string().optional(),
    authority: actorSchema.optional(),
    version: z.string().optional(),
    attachments: attachmentsSchema.optional(),
  });
}
