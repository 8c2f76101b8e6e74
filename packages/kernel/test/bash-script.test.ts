/**
 * The bash comparison suite (support/script-suites.ts) with the CPU's default translation
 * threshold: one bash-static script, natively and on Asterism.
 */
import { bashScriptSuite } from "./support/script-suites.ts";

bashScriptSuite();
