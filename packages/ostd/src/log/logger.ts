/**
 * Kernel logging with an injectable backend (as Asterinas's `inject_logger`). The default
 * backend prints `[level] message` lines on the console. Policy violations that OSTD
 * catches (a buggy allocator or scheduler) are logged here and counted, so tests and the
 * kernel can see that a defence fired.
 */
import { println } from "./console.ts";

export const LogLevel = { Error: 1, Warn: 2, Info: 3, Debug: 4 } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

const LEVEL_NAMES: Readonly<Record<LogLevel, string>> = { 1: "error", 2: "warn", 3: "info", 4: "debug" };

export interface Logger {
  log(level: LogLevel, message: string): void;
}

let maxLevel: LogLevel = LogLevel.Info;

const consoleLogger: Logger = {
  log(level: LogLevel, message: string): void {
    println(`[${LEVEL_NAMES[level]}] ${message}`);
  },
};

let logger: Logger = consoleLogger;
let violations = 0;

export function injectLogger(backend: Logger): void {
  logger = backend;
}

export function setLogLevel(level: LogLevel): void {
  maxLevel = level;
}

export function log(level: LogLevel, message: string): void {
  if (level <= maxLevel) logger.log(level, message);
}

/** Records that OSTD refused an injected policy's answer. */
export function logViolation(message: string): void {
  violations++;
  log(LogLevel.Error, `policy violation refused: ${message}`);
}

/** How many policy violations OSTD has caught since boot. */
export function policyViolationCount(): number {
  return violations;
}
