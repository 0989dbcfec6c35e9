/** Staffing engine: demand forecast, Erlang C, backlog model, shifts, coverage, what-if, CSV/iCal. docs/staffing.md. */
export * from "./backlog";
export * from "./calibration";
export * from "./csv";
export * from "./erlang";
export * from "./forecast";
export * from "./ical";
export * from "./plan";
export * from "./shifts";
export * from "./week";
