import { readFileSync, readdirSync } from "node:fs";

/** Small statistics for the bench; nearest-rank percentiles, as latency reports usually give them. */

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export const median = (xs: readonly number[]) => percentile(xs, 50);

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Peak resident set of this process so far, in MiB (ru_maxrss is in KiB on Linux). */
export function peakRssMiB(): number {
  return round(process.resourceUsage().maxRSS / 1024, 0);
}

/**
 * Huge pages on this machine (/proc/meminfo; null where there is none): how many are configured and how
 * many are taken or reserved, i.e. mapped by a PostgreSQL started with them (its default `huge_pages=try`
 * uses them when `vm.nr_hugepages` leaves enough). Without them every new backend page-faults each
 * shared buffer it touches, which shows in the pages' first calls (docs/performance.md, round 14).
 */
export function hugePages(): { pageKiB: number; total: number; used: number } | null {
  let text: string;
  try {
    text = readFileSync("/proc/meminfo", "utf8");
  } catch {
    return null;
  }
  const field = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text);
    return m ? Number(m[1]) : null;
  };
  const total = field("HugePages_Total");
  const free = field("HugePages_Free");
  const reserved = field("HugePages_Rsvd");
  const pageKiB = field("Hugepagesize");
  if (total === null || free === null || reserved === null || pageKiB === null) return null;
  return { pageKiB, total, used: total - free + reserved };
}

/**
 * CPU seconds used so far by this process and by the PostgreSQL backends serving database `dbName`
 * (read from /proc, so only for a server on this machine, as the bench's own is). On a shared machine
 * wall time says more about the neighbours than about the code; CPU time does not. A backend that exits
 * mid-measurement takes its share with it, so the PostgreSQL figure is a lower bound.
 */
export function cpuSeconds(dbName: string): { node: number; postgres: number } {
  const u = process.cpuUsage();
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.startsWith(`postgres: `) || !cmd.includes(` ${dbName} `)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return { node: (u.user + u.system) / 1e6, postgres: ticks / 100 };
}

export async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

/** Prints rows as an aligned plain-text table (what the terminal and docs/performance.md show). */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) => "| " + r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ") + " |";
  return [line(header), "| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |", ...cells.slice(1).map(line)].join("\n");
}
