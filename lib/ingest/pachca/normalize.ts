import type { SourceRef } from "../types";

/** One Pachca source per school by default: user ids are per workspace, and a school has one workspace. */
export function pachcaSource(override?: Partial<SourceRef>): SourceRef {
  return { kind: "pachca", externalId: override?.externalId ?? "pachca", name: override?.name ?? "Pachca" };
}
