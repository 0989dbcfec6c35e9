import { bigint, timestamp } from "drizzle-orm/pg-core";

export const id = () => bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity();
export const schoolId = () => bigint("school_id", { mode: "number" }).notNull();
export const ref = (name: string) => bigint(name, { mode: "number" });
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
