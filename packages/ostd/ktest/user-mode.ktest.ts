/** In-kernel tests of user mode on the real board: syscalls, faults, and what user code cannot reach. */
import {
  assert, assertEqual, FPU_STATE_SIZE, ktest, PageFlags, PAGE_SIZE, Register, ReturnReason, UntypedFrame, UserMode, unwrap,
} from "../src/index.ts";
import {
  CODE_BASE, HELLO, LOAD_RDI, loadProgram, NULL_LOAD, PRIVILEGED, RAISE_IOPL, READ_FS0, READ_XMM0, STACK_TOP, WRITE_CODE,
} from "./support/user-programs.ts";

ktest("user program makes write and exit system calls", async () => {
  const { space, context } = loadProgram(HELLO);
  const user = new UserMode(space, context);
  const output: string[] = [];
  for (;;) {
    assertEqual(await user.execute(), ReturnReason.Syscall, "return reason");
    const number = context.syscallNumber;
    if (number === 60) break;
    assertEqual(number, 1, "syscall number");
    const bytes = unwrap(await space.readBytes(context.syscallArg(1), context.syscallArg(2)));
    output.push(new TextDecoder().decode(bytes));
    context.setSyscallReturn(bytes.length);
  }
  assertEqual(output.join(""), "hello from user mode\n", "output");
  assertEqual(context.syscallArg(0), 0, "exit code");
  space.destroy();
});

ktest("a NULL dereference is a page fault the kernel sees", async () => {
  const { space, context } = loadProgram(NULL_LOAD);
  const user = new UserMode(space, context);
  assertEqual(await user.execute(), ReturnReason.Exception, "return reason");
  assertEqual(user.exception.vector, 14, "vector");
  assertEqual(user.exception.faultAddress, 0, "fault address");
  assertEqual(context.instructionPointer, CODE_BASE, "rip stays at the faulting instruction");
  space.destroy();
});

ktest("user code cannot write its read-only code page, until the fault handler allows it", async () => {
  const { space, context } = loadProgram(WRITE_CODE);
  let faults = 0;
  space.onPageFault((fault) => {
    faults++;
    assert(fault.write && fault.present, "a write to a present page");
    unwrap(unwrap(space.cursor(CODE_BASE, CODE_BASE + PAGE_SIZE)).protect(PAGE_SIZE, (flags) => flags | PageFlags.Write));
    return true;
  });
  const user = new UserMode(space, context);
  assertEqual(await user.execute(), ReturnReason.Syscall, "ran past the store");
  assertEqual(faults, 1, "faults");
  const code = unwrap(space.reader(CODE_BASE + 9, 1).readBytes(1));
  assertEqual(code[0], 0x90, "byte written by user code");
  space.destroy();
});

ktest("user code reaches only the pages mapped for it", async () => {
  const { space, context } = loadProgram(LOAD_RDI);
  const frame = unwrap(UntypedFrame.alloc());
  frame.write(0, Uint8Array.of(0x2a));
  unwrap(unwrap(space.cursor(0x1000, 0x2000)).map(frame, PageFlags.Read));
  const user = new UserMode(space, context);
  const attempt = async (address: bigint): Promise<number> => {
    context.instructionPointer = CODE_BASE;
    context.setBig(Register.RDI, address);
    const reason = await user.execute();
    return reason === ReturnReason.Syscall ? -1 : user.exception.vector;
  };
  assertEqual(await attempt(0x1000n), -1, "mapped page");
  assertEqual(context.get(Register.RAX), 0x2a, "loaded value");
  assertEqual(await attempt(0x2000n), 14, "unmapped page");
  assertEqual(await attempt(BigInt(STACK_TOP)), 14, "just above the stack");
  assertEqual(await attempt(0xffff_8000_0000_0000n), 14, "kernel half");
  assertEqual(await attempt(0x8000_0000_0000n), 13, "non-canonical address");
  frame.release();
  space.destroy();
});

ktest("user code cannot change kernel CPU state (CLI, HLT, OUT, MOV CR3 fault with #GP)", async () => {
  for (const [name, code] of PRIVILEGED) {
    const { space, context } = loadProgram(code);
    const user = new UserMode(space, context);
    assertEqual(await user.execute(), ReturnReason.Exception, name);
    assertEqual(user.exception.vector, 13, `${name} vector`);
    space.destroy();
  }
});

ktest("user code cannot raise its I/O privilege level with POPF", async () => {
  const { space, context } = loadProgram(RAISE_IOPL);
  const user = new UserMode(space, context);
  assertEqual(await user.execute(), ReturnReason.Syscall, "return reason");
  assertEqual(context.get(Register.RAX) & 0x3000, 0, "IOPL seen by user code");
  assertEqual(context.flags & 0x3000, 0, "IOPL in the saved context");
  context.flags = 0x3202;
  assertEqual(context.flags & 0x3000, 0, "IOPL set by the kernel");
  space.destroy();
});

ktest("the context carries SSE state and the FS base into user mode", async () => {
  const sse = loadProgram(READ_XMM0);
  const fpu = new Uint8Array(FPU_STATE_SIZE);
  sse.context.saveFpu(fpu);
  assertEqual(fpu[24] ?? 0, 0x80, "MXCSR low byte of the entry state (0x1F80)");
  fpu.set([0x78, 0x56, 0x34, 0x12, 0xef, 0xbe, 0xad, 0x0e], 160);
  sse.context.restoreFpu(fpu);
  assertEqual(await new UserMode(sse.space, sse.context).execute(), ReturnReason.Syscall, "sse program");
  assertEqual(sse.context.getBig(Register.RAX), 0x0ead_beef_1234_5678n, "xmm0 seen by user code");
  sse.space.destroy();

  const tls = loadProgram(READ_FS0);
  const page = unwrap(UntypedFrame.alloc());
  page.write(0, Uint8Array.of(0x21, 0x43, 0x65, 0x07));
  unwrap(unwrap(tls.space.cursor(0x60_0000, 0x60_1000)).map(page, PageFlags.Read | PageFlags.Write));
  page.release();
  tls.context.fsBase = 0x60_0000;
  assertEqual(await new UserMode(tls.space, tls.context).execute(), ReturnReason.Syscall, "tls program");
  assertEqual(tls.context.get(Register.RAX), 0x0765_4321, "fs:[0]");
  tls.space.destroy();
});
