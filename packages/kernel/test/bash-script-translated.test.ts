/**
 * The bash comparison suite (support/script-suites.ts) with every block translated to
 * JavaScript on its first run: the block translator on real programs.
 */
import { bashScriptSuite } from "./support/script-suites.ts";

bashScriptSuite(1);
