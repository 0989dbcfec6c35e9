import { openDb, rows } from "@/db/client";
import { sql } from "drizzle-orm";
const h = await openDb({ dataDir: process.argv[2]! });
for (const q of process.argv.slice(3)) console.log(JSON.stringify(await rows(h.db, sql.raw(q)), null, 0));
await h.close();
