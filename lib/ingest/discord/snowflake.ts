/** Discord epoch (2015-01-01T00:00:00Z) in ms; a snowflake's top 42 bits are ms since then. */
const DISCORD_EPOCH = 1420070400000n;

/**
 * The creation time encoded in a snowflake. Only a cross-check: DCE's `timestamp` is the one to trust,
 * since ids in real exports can be hand-edited (7 of 35 in the sample are) — FORMATS.md 3d.
 */
export function snowflakeTime(id: string): Date | null {
  if (!/^\d{1,20}$/.test(id)) return null;
  const ms = (BigInt(id) >> 22n) + DISCORD_EPOCH;
  return new Date(Number(ms));
}
