/**
 * @asterism/osdk: The OS development kit: new, build, run, test and tcb.
 */
export const PACKAGE_NAME = "@asterism/osdk";
