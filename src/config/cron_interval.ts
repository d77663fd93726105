/**
 * Transitional: cron schedules live in src/cron/schedule.ts. These two names stay here only
 * until cli/control_handler.ts (cronNickname) and cli/adapters.ts (scheduleCron, whose realCron
 * run.ts no longer uses) import src/cron/ themselves; then this file goes.
 */
export { cronNickname, schedule as scheduleCron } from "../cron/schedule.ts";
