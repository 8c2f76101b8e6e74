/**
 * st_dev numbers for file systems without a backing device, handed out like Linux's
 * anonymous block devices (major 0, increasing minors), so every mounted instance differs.
 */
import { makedev } from "./constants.ts";

let nextMinor = 1;

export function allocateAnonymousDev(): number {
  const dev = makedev(0, nextMinor);
  nextMinor += 1;
  return dev;
}
