import { DateTime, IANAZone } from "luxon";
import { dateFromEpochSecondsString } from "../common/epoch-time";

/**
 * Telegram Desktop writes `date` as the exporter's local wall clock with no offset. New exports also write
 * `date_unixtime`, which is the truth; old ones do not, and then only the operator knows the zone.
 */
export class TelegramExportTimezoneError extends Error {
  constructor(chat: string) {
    super(
      `Telegram export "${chat}" uses the old layout (no date_unixtime): its dates are the exporting computer's local ` +
        `time with no offset, so the time zone cannot be guessed. --tz is required: pass the IANA zone of that computer, ` +
        `e.g. --tz Asia/Jakarta.`,
    );
    this.name = "TelegramExportTimezoneError";
  }
}

export function assertValidZone(tz: string): void {
  if (!IANAZone.isValidZone(tz)) throw new Error(`--tz "${tz}" is not an IANA time zone (e.g. Europe/Moscow, Asia/Jakarta)`);
}

/**
 * The UTC instant of a message time: the unix field when present (it wins over the local string),
 * else the local string read in `tz`. Wall times in a DST gap or overlap are resolved by luxon's rules
 * (gap: shifted forward; overlap: the earlier offset); an old export cannot tell them apart anyway.
 */
export function exportInstant(unix: string | undefined, local: string | undefined, tz: string | undefined): Date | null {
  if (unix !== undefined) return dateFromEpochSecondsString(unix);
  if (local === undefined || tz === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(local)) return null;
  const dt = DateTime.fromISO(local, { zone: tz });
  return dt.isValid ? dt.toJSDate() : null;
}
