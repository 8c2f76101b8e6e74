/**
 * The busybox comparison suite (support/script-suites.ts) with the CPU's default
 * translation threshold: over 80 commands of one busybox script, natively and on Asterism.
 */
import { busyboxScriptSuite } from "./support/script-suites.ts";

busyboxScriptSuite();
