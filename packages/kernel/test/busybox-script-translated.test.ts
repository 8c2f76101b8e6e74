/**
 * The busybox comparison suite (support/script-suites.ts) with every block of every process
 * translated to JavaScript on its first run: the block translator on real programs.
 */
import { busyboxScriptSuite } from "./support/script-suites.ts";

busyboxScriptSuite(1);
