/**
 * What one derivation run costs after a single webhook, on an already imported bench database (the
 * freshness path: lib/dal/derive.ts runs `recomputeEpisodes({ scopes: "dirty" })` after each burst).
 *
 *   BENCH_DATABASE_URL=postgres://…/sqd_full npx tsx bench/derive-probe.ts --runs 10
 *
 * Two cases, each `--runs` times, each run storing one new message through the store path (storeEvents)
 * and deriving the dirty scopes: a new student's first message in a new DM (what the bench's freshness
 * probe posts), and a message in the school's busiest group chat (a year of history: derived whole before
 * scope checkpoints, from its checkpoint after). Prints each run's total and phases (RecomputeResult.phaseMs).
 */
import { Command } from "commander";
import { sql } from "drizzle-orm";
import { openDb, rows } from "../db/client";
import { recomputeEpisodes } from "../db/queries/episodes";
import { storeEvents } from "../db/queries/ingest";
import { listSchools } from "../db/queries/schools";
import type { SourceKind } from "../lib/ingest/types";
import { median, round } from "./stats";

const opts = new Command().option("--runs <n>", "runs per case", "10").option("--checkpoint <on|off>", "scope checkpoints", "on").parse().opts<{ runs: string; checkpoint: string }>();

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error("set BENCH_DATABASE_URL to the imported bench database");
  const { db, close } = await openDb({ databaseUrl: url });
  try {
    const [school] = await listSchools(db);
    if (!school) throw new Error("no school");
    // The busiest main timeline of a group chat, by the scope index (a count per channel of the school).
    const [busy] = await rows<{ channel: string; kind: string; source_kind: SourceKind; source_ext: string; ch_ext: string; author: string; last_ms: number; n: number }>(
      db,
      sql`with c as (select m.channel_id, count(*)::int as n, max(m.sent_at) as last from messages m join channels ch on ch.id = m.channel_id
                     where m.school_id = ${school.id} and ch.kind <> 'dm' and m.thread_id is null group by 1 order by 2 desc limit 1)
          select c.channel_id::text as channel, ch.kind::text as kind, s.kind::text as source_kind, s.external_id as source_ext, ch.external_id as ch_ext,
                 (select i.external_id from messages m join source_identities i on i.id = m.author_identity_id
                  where m.school_id = ${school.id} and m.channel_id = c.channel_id and not m.is_bot
                    and not exists (select 1 from person_roles r where r.person_id = m.author_person_id and r.role <> 'student') limit 1) as author,
                 floor(extract(epoch from c.last) * 1000)::float8 as last_ms, c.n
          from c join channels ch on ch.id = c.channel_id join sources s on s.id = ch.source_id`,
    );
    if (!busy) throw new Error("no group chat");
    console.log(`school ${school.slug}; busiest group chat ${busy.ch_ext} (${busy.n} messages on its timeline)`);
    const source = { kind: busy.source_kind, externalId: busy.source_ext };
    const runs = Number(opts.runs);
    let clock = Number(busy.last_ms) + 60_000;
    const checkpoint = opts.checkpoint === "off" ? (false as const) : undefined;
    // Whatever a previous import left dirty first, so each run below derives its own message only.
    await recomputeEpisodes(db, school.id, { scopes: "dirty", now: new Date(clock), checkpoint });
    for (const place of ["new DM", "busy group chat"] as const) {
      const totals: number[] = [];
      for (let i = 0; i < runs; i++) {
        clock += 5 * 60_000;
        const tag = `probe-${Date.now()}-${i}`;
        const channel = place === "new DM" ? { externalId: `dm-${tag}`, kind: "dm" as const } : { externalId: busy.ch_ext, kind: busy.kind as "group" };
        const author = place === "new DM" ? { externalId: `student-${tag}`, name: "Probe" } : { externalId: busy.author };
        const stored = await storeEvents(db, school.id, [
          { type: "message", action: "create", source, channel, externalId: tag, author, sentAt: new Date(clock), text: "Подскажите, как сдать задание?" },
        ]);
        if (stored.stored !== 1) throw new Error(`probe message not stored: ${JSON.stringify(stored)}`);
        const r = await recomputeEpisodes(db, school.id, { scopes: "dirty", now: new Date(clock + 1_000), checkpoint });
        totals.push(r.ms);
        console.log(`${place} run ${i + 1}: ${r.ms} ms, ${r.scopes} scope(s), resumed ${r.resumed}, ${r.episodes} episode(s) written, phases ${JSON.stringify(r.phaseMs)}`);
      }
      console.log(`${place}: median ${round(median(totals))} ms over ${runs} runs (first ${totals[0]} ms)`);
    }
  } finally {
    await close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
