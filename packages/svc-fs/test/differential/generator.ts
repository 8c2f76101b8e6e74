/**
 * Deterministic random operation sequences for the differential test, over a three-name
 * namespace so that operations keep colliding with each other's results.
 */
import { O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_TRUNC, O_WRONLY } from "../../src/index.ts";
import { IDENTITIES, type Operation, type Step } from "./host-ops.ts";

/** Includes modes that lock the owner out, so unprivileged runs meet EACCES everywhere. */
const CHMOD_MODES = [0o755, 0o644, 0o700, 0o555, 0o311, 0o000, 0o1777, 0o4711, 0o600, 0o200];

const CHOWN_UIDS = [-1, 0, 1000, 1001];
const CHOWN_GIDS = [-1, 0, 100, 1001];

/**
 * Steps of one sequence. With `multiUser`, each step is run by a random identity, except hard
 * links (root only), which keeps the host's fs.protected_hardlinks setting out of the result.
 */
export function makeGenerator(seed: number, multiUser: boolean): () => Step {
  let state = seed;
  const next = (limit: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % limit;
  };
  const names = ["a", "b", "c"];
  const names3 = (): string[] => Array.from({ length: 1 + next(3) }, () => names[next(names.length)] ?? "a");
  // Symlink targets only point downwards (no "." or ".."), so every symlink resolves strictly
  // below its own directory and "name/.." can never climb out of the host's scratch directory.
  const target = (): string => names3().join("/");
  const path = (): string => {
    const parts = names3();
    if (parts.length > 1 && next(6) === 0) parts.splice(1 + next(parts.length - 1), 0, "..");
    if (next(8) === 0) parts.splice(next(parts.length + 1), 0, ".");
    return parts.join("/") + (next(10) === 0 ? "/" : "");
  };
  const openFlags = [O_RDONLY, O_RDONLY | O_DIRECTORY, O_RDONLY | O_NOFOLLOW, O_WRONLY, O_WRONLY | O_TRUNC];
  const writeFlags = [O_WRONLY | O_CREAT, O_WRONLY | O_CREAT | O_EXCL, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND];
  const operation = (): Operation => {
    switch (next(15)) {
      case 0:
        return { op: "mkdir", path: path() };
      case 1:
        return { op: "write", path: path(), flags: writeFlags[next(writeFlags.length)] ?? O_WRONLY, size: next(50) };
      case 2:
        return { op: "open", path: path(), flags: openFlags[next(openFlags.length)] ?? O_RDONLY };
      case 3:
        return { op: "rename", from: path(), to: path() };
      case 4:
        return { op: "unlink", path: path() };
      case 5:
        return { op: "rmdir", path: path() };
      case 6:
        return { op: "link", from: path(), to: path() };
      case 7:
        return { op: "symlink", target: target(), path: path() };
      case 8:
        return { op: "truncate", path: path(), size: next(20) };
      case 9:
        return { op: "chmod", path: path(), mode: CHMOD_MODES[next(CHMOD_MODES.length)] ?? 0o644 };
      case 10:
        return { op: "readlink", path: path() };
      case 11:
        return { op: "list", path: path() };
      case 12:
        return { op: "chown", path: path(), uid: CHOWN_UIDS[next(CHOWN_UIDS.length)] ?? -1, gid: CHOWN_GIDS[next(CHOWN_GIDS.length)] ?? -1 };
      case 13:
        return { op: "utimes", path: path(), seconds: 1_000_000_000 + next(1000) };
      default:
        return { op: "stat", path: path(), follow: next(2) === 0 };
    }
  };
  return () => {
    const step = operation();
    if (!multiUser) return { who: null, operation: step };
    return { who: step.op === "link" ? 0 : next(IDENTITIES.length), operation: step };
  };
}
