export * from "./enums";
export * from "./org";
export * from "./messaging";
export * from "./learning";
export * from "./sla";
export * from "./rollups";
export * from "./contacts";
