import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { runImport, type ImportRequest } from "@/lib/cli/import/run";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

/** The same export as a folder, as a zip (with the archive's own top folder), and as several files: one result. */
function zipFolder(dir: string, into: string, prefix: string): void {
  const entries: Record<string, Uint8Array> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    entries[`${prefix}${path.relative(dir, full).split(path.sep).join("/")}`] = new Uint8Array(fs.readFileSync(full));
  }
  entries["__MACOSX/._users.json"] = new Uint8Array([0, 1, 2]);
  fs.writeFileSync(into, zipSync(entries));
}

const pachcaDir = path.resolve(import.meta.dirname, "../../lib/ingest/pachca/__fixtures__/export");

for (const engine of engines()) {
  describe(`archives and multi-file imports on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let tmp = "";
    beforeAll(async () => {
      h = await engine.open();
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sqd-zip-"));
    });
    afterAll(async () => {
      await h?.drop();
      fs.rmSync(tmp, { recursive: true, force: true });
    });
    const messagesOf = async (slug: string) => (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from messages m join schools s on s.id = m.school_id where s.slug = ${slug}`))[0]?.n;

    const pairs: Array<[string, () => ImportRequest, () => ImportRequest]> = [
      ["Slack export", () => ({ format: "slack-export", paths: [sharedSamplePath("slack/export")] }), () => {
        zipFolder(sharedSamplePath("slack/export"), path.join(tmp, "slack.zip"), "export/");
        return { format: "slack-export", paths: [path.join(tmp, "slack.zip")] };
      }],
      ["Pachca archive", () => ({ format: "pachca-export", paths: [pachcaDir] }), () => {
        zipFolder(pachcaDir, path.join(tmp, "pachca.zip"), "");
        return { format: "pachca-export", paths: [path.join(tmp, "pachca.zip")] };
      }],
      ["Discord files", () => ({ format: "discord-export", paths: [sharedSamplePath("discord")] }), () => ({
        format: "discord-export",
        paths: fs.readdirSync(sharedSamplePath("discord")).map((f) => sharedSamplePath("discord", f)),
      })],
    ];
    it.each(pairs.map(([name, folder, other], i) => ({ name, folder, other, i })))("$name: the zip / file list imports like the folder", async ({ folder, other, i }) => {
      await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: `f${i}`, name: "F", timezone: "UTC" });
      await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: `z${i}`, name: "Z", timezone: "UTC" });
      const a = await runImport(h.db, { ...folder(), school: `f${i}` });
      const b = await runImport(h.db, { ...other(), school: `z${i}` });
      expect({ read: b.read, stored: b.stored, rejected: b.rejected }).toEqual({ read: a.read, stored: a.stored, rejected: a.rejected });
      expect(await messagesOf(`z${i}`)).toBe(await messagesOf(`f${i}`));
      expect(a.stored).toBeGreaterThan(0);
    });
  });
}
