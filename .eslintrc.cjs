/* Placeholder policy, replaced below. */
module.exports = { root: true, parser: "@typescript-eslint/parser", ignorePatterns: ["**/dist/**"] };
