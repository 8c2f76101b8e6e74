/**
 * The CPU side of the x86-64 port: user-mode entry through the board's `cpu.enterUser`,
 * CR3 and TLB control, the system-call register convention and the RFLAGS bits user code
 * may hold.
 */
import type { ArchCpu, ArchUserContext } from "@asterism/ostd";
import type { Cpu } from "@asterism/board-x86";
import { PAGE_FAULT_VECTOR, PageFaultError } from "./board-layout.ts";

const Rflags = {
  Carry: 1 << 0,
  Reserved1: 1 << 1,
  Parity: 1 << 2,
  Adjust: 1 << 4,
  Zero: 1 << 6,
  Sign: 1 << 7,
  Trap: 1 << 8,
  Interrupt: 1 << 9,
  Direction: 1 << 10,
  Overflow: 1 << 11,
  AlignmentCheck: 1 << 18,
  Id: 1 << 21,
} as const;

/** Status and control flags a ring-3 program may change itself (POPF in ring 3 can't touch IOPL, IF, NT, RF, VM, VIF, VIP). */
const USER_FLAGS =
  Rflags.Carry | Rflags.Parity | Rflags.Adjust | Rflags.Zero | Rflags.Sign | Rflags.Trap |
  Rflags.Direction | Rflags.Overflow | Rflags.AlignmentCheck | Rflags.Id;

export function createX86Cpu(cpu: Cpu): ArchCpu {
  return {
    createContext(): ArchUserContext {
      return cpu.createContext();
    },
    enterUser(context) {
      // SAFETY: OSTD calls this only with its own VmSpace active (untyped frames only), and
      // the context came from `createContext` above.
      return cpu.enterUser(context);
    },
    get exceptionVector() {
      return cpu.exceptionVector;
    },
    get errorCode() {
      return cpu.errorCode;
    },
    get faultAddress() {
      return cpu.faultAddress;
    },
    pageFaultVector: PAGE_FAULT_VECTOR,
    pageFaultWriteBit: PageFaultError.Write,
    pageFaultPresentBit: PageFaultError.Present,
    activatePageTable(rootPhys) {
      // SAFETY: OSTD built the table rooted here from typed frames it owns.
      cpu.cr3 = rootPhys;
    },
    flushPage(address) {
      // SAFETY: flushing drops stale translations only.
      cpu.invalidatePage(address);
    },
    flushAll() {
      // SAFETY: flushing drops stale translations only.
      cpu.flushTlb();
    },
    syscallAbi: { number: 0, args: [7, 6, 2, 10, 8, 9], result: 0 },
    sanitizeUserFlags(flags) {
      return (flags & USER_FLAGS) | Rflags.Reserved1 | Rflags.Interrupt;
    },
  };
}
