import { describe, expect, it } from "vitest";
import type { Db } from "../client";
import { sharedReads } from "./shared-read";

// Only its identity matters: the table is keyed by handle.
const handle = () => ({}) as unknown as Db;

describe("sharedReads", () => {
  it("shares a read while it runs, per handle and key, and starts anew once it settled", async () => {
    const share = sharedReads<number, string>("__sqdTestSharedReads1");
    let started = 0;
    const read = (v: string) => async () => {
      started++;
      await new Promise((r) => setTimeout(r, 5));
      return v;
    };
    const a = handle();
    const b = handle();
    const x = share(a, 1, read("x"));
    const y = share(a, 1, read("y"));
    const other = share(a, 2, read("z"));
    const otherHandle = share(b, 1, read("w"));
    expect(y).toBe(x);
    expect(await Promise.all([x, y, other, otherHandle])).toEqual(["x", "x", "z", "w"]);
    expect(started).toBe(3);
    const later = share(a, 1, read("later"));
    expect(later).not.toBe(x);
    expect(await later).toBe("later");
    expect(started).toBe(4);
  });

  it("shares a failure with the callers that came while it ran, and the next call reads again", async () => {
    const share = sharedReads<string, number>("__sqdTestSharedReads2");
    const db = handle();
    const failing = share(db, "k", () => Promise.reject(new Error("boom")));
    const joined = share(db, "k", () => Promise.resolve(1));
    await expect(failing).rejects.toThrow("boom");
    await expect(joined).rejects.toThrow("boom");
    await expect(share(db, "k", () => Promise.resolve(2))).resolves.toBe(2);
  });

  it("keeps one table per name on globalThis, as a module evaluated again finds it", async () => {
    const first = sharedReads<number, number>("__sqdTestSharedReads3");
    const again = sharedReads<number, number>("__sqdTestSharedReads3");
    const db = handle();
    let release!: (v: number) => void;
    const running = first(db, 7, () => new Promise<number>((r) => (release = r)));
    expect(again(db, 7, () => Promise.resolve(0))).toBe(running);
    release(7);
    expect(await running).toBe(7);
  });
});
