/**
 * @asterism/eslint-plugin: The `tcb` and `service` ESLint rule sets that keep unsafe code inside OSTD.
 */
export const PACKAGE_NAME = "@asterism/eslint-plugin";
