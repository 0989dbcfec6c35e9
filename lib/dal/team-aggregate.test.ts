import { describe, expect, it } from "vitest";
import { aggregateStudentMoves } from "./team";

describe("executive rebalance moves", () => {
  it("fold student moves into one nameless line per receiver and keep channel moves", () => {
    const moves = [
      { item: { kind: "student" as const, id: 11, label: "Иван Петров", episodes: 3 }, toPersonId: 7, toName: "Анна", perHour: 0.1 },
      { item: { kind: "student" as const, id: 12, label: "Мария Сидорова", episodes: 2 }, toPersonId: 7, toName: "Анна", perHour: 0.05 },
      { item: { kind: "student" as const, id: 13, label: "Олег Орлов", episodes: 1 }, toPersonId: 8, toName: "Борис", perHour: 0.02 },
      { item: { kind: "channel" as const, id: 5, label: "Поток 3", episodes: 4 }, toPersonId: 8, toName: "Борис", perHour: 0.2 },
    ];
    const out = aggregateStudentMoves(moves);
    expect(JSON.stringify(out)).not.toMatch(/Иван|Мария|Олег|"id":1[123]/);
    expect(out.find((m) => m.toPersonId === 7)).toMatchObject({ item: { kind: "student", label: "— × 2", episodes: 5 } });
    expect(out.find((m) => m.toPersonId === 8 && m.item.kind === "student")).toMatchObject({ item: { label: "— × 1", episodes: 1 } });
    expect(out.filter((m) => m.item.kind === "channel")).toHaveLength(1);
    expect(new Set(out.map((m) => `${m.item.kind}-${m.item.id}`)).size).toBe(out.length);
  });

  it("fold DM channel moves too: a DM's title is usually the student's name", () => {
    const moves = [
      { item: { kind: "channel" as const, id: 5, label: "Иван Петров", episodes: 2 }, toPersonId: 7, toName: "Анна", perHour: 0.1 },
      { item: { kind: "channel" as const, id: 6, label: "Поток 3", episodes: 4 }, toPersonId: 7, toName: "Анна", perHour: 0.2 },
    ];
    const out = aggregateStudentMoves(moves, new Set([5]));
    expect(JSON.stringify(out)).not.toContain("Иван");
    expect(out.map((m) => m.item.label).sort()).toEqual(["Поток 3", "— × 1"]);
  });
});
