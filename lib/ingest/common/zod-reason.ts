import type { z } from "zod";

/** A zod failure as one short line for a `rejected`/`invalid` reason: "chat.id: expected number; date: …". */
export function zodReason(error: z.ZodError, prefix?: string, max = 3): string {
  const parts = error.issues.slice(0, max).map((i) => {
    const at = [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== "").join(".");
    return `${at || "value"}: ${i.message}`;
  });
  if (error.issues.length > max) parts.push(`(+${error.issues.length - max} more)`);
  return parts.join("; ");
}
