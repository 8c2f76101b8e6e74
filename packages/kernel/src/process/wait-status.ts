/**
 * The `int` status word that wait4 reports (the layout glibc's WIFEXITED, WEXITSTATUS,
 * WIFSIGNALED, WTERMSIG, WCOREDUMP, WIFSTOPPED and WIFCONTINUED macros decode).
 */

export const WaitStatus = {
  exited: (code: number): number => (code & 0xff) << 8,
  /**
   * Killed by `signal`. Asterism writes no core files, so WCOREDUMP is never set, as on Linux
   * with RLIMIT_CORE 0 (shells then print "Segmentation fault" without "(core dumped)").
   */
  signaled: (signal: number): number => signal & 0x7f,
  stopped: (signal: number): number => ((signal & 0xff) << 8) | 0x7f,
  continued: 0xffff,
} as const;

/** wait4 options. */
export const WaitOption = { WNOHANG: 1, WUNTRACED: 2, WCONTINUED: 8, WNOTHREAD: 0x2000_0000, WALL: 0x4000_0000, WCLONE: 0x8000_0000 } as const;
