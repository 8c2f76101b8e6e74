// ESLint 10 reads only flat config; the project's lint policy is the plain data object in
// .eslintrc.cjs, translated here by FlatCompat so that there is exactly one policy file.
import { FlatCompat } from "@eslint/eslintrc";
import js from "@eslint/js";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const compat = new FlatCompat({
  baseDirectory: import.meta.dirname,
  recommendedConfig: js.configs.recommended,
  allConfig: js.configs.all,
});

export default compat.config(require("./.eslintrc.cjs"));
