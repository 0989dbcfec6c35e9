#!/usr/bin/env -S npx tsx
import { Command } from "commander";
import { registerDbCommands } from "./db-commands";
import { registerUserCommands } from "./user-commands";
import { registerDemoCommand } from "./demo-command";
import { registerReportCommands } from "./report-commands";
import { registerKpiCommand } from "./kpi-command";
import { registerSourceCommands } from "./source-commands";
import { registerImportCommands } from "./import-commands";
import { registerIdentityCommands } from "./identity-commands";
import { registerLrsCommands } from "./lrs-commands";
import { registerEpisodeCommands } from "./episode-commands";
import { registerConfigCommands } from "./config-commands";
import { registerRiskCommands } from "./risk-commands";
import { registerShiftsCommands } from "./shifts-commands";
import { registerSeedOuladCommand } from "./seed-oulad";
import { registerSlaExtraCommands } from "./sla-extra-command";

// `npm run cli -- <command>`; each command has --help. Later issues add import, report, recompute, risk.
const program = new Command()
  .name("sqd")
  .description("Support-quality dashboard: database, demo data, users and reports from the command line.")
  .showHelpAfterError();

registerDbCommands(program);
registerUserCommands(program);
registerDemoCommand(program);
registerReportCommands(program);
registerKpiCommand(program);
// After registerReportCommands: it adds subcommands to the existing `report`.
registerEpisodeCommands(program);
registerConfigCommands(program);
registerSourceCommands(program);
registerImportCommands(program);
registerIdentityCommands(program);
registerLrsCommands(program);
registerRiskCommands(program);
registerShiftsCommands(program);
registerSeedOuladCommand(program);
registerSlaExtraCommands(program);
program.enablePositionalOptions(); // keep last (commands made after it inherit it): lets `risk unreachable --school` reach the subcommand

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
