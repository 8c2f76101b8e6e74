/**
 * Hand-assembled x86-64 user programs for the in-kernel tests, and a helper that loads one
 * into a fresh VmSpace (code page at CODE_BASE, one stack page below STACK_TOP).
 */
import { PageFlags, PAGE_SIZE, Register, UntypedFrame, UserContext, unwrap, VmSpace } from "../../src/index.ts";

export const CODE_BASE = 0x40_0000;
export const STACK_TOP = 0x7fff_f000;

const MESSAGE = new TextEncoder().encode("hello from user mode\n");

/** write(1, msg, len); exit(0). The message follows the code. */
export const HELLO = Uint8Array.of(
  0xbf, 0x01, 0x00, 0x00, 0x00, // mov edi, 1
  0x48, 0x8d, 0x35, 0x18, 0x00, 0x00, 0x00, // lea rsi, [rip + 24] -> message at offset 36
  0xba, MESSAGE.length, 0x00, 0x00, 0x00, // mov edx, len
  0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1 (write)
  0x0f, 0x05, // syscall
  0xbf, 0x00, 0x00, 0x00, 0x00, // mov edi, 0
  0xb8, 0x3c, 0x00, 0x00, 0x00, // mov eax, 60 (exit)
  0x0f, 0x05, // syscall
  ...MESSAGE,
);

/** for (;;) rbx++; — runs until preempted. */
export const SPIN = Uint8Array.of(
  0x48, 0xff, 0xc3, // inc rbx
  0xeb, 0xfb, // jmp -5
);

/** for (;;) syscall(rax = 24, sched_yield) — a null system call loop. */
export const SYSCALL_LOOP = Uint8Array.of(
  0xb8, 0x18, 0x00, 0x00, 0x00, // mov eax, 24
  0x0f, 0x05, // syscall
  0xeb, 0xf7, // jmp -9
);

/** mov rax, [0]: a NULL dereference. */
export const NULL_LOAD = Uint8Array.of(0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00);

/** mov rax, [rdi]; syscall — a load from an address the kernel chooses. */
export const LOAD_RDI = Uint8Array.of(0x48, 0x8b, 0x07, 0x0f, 0x05);

/** mov byte [rip + 2], 0x90; syscall; db 0 — writes into its own (read-only, executable) code page at offset 9. */
export const WRITE_CODE = Uint8Array.of(0xc6, 0x05, 0x02, 0x00, 0x00, 0x00, 0x90, 0x0f, 0x05, 0x00);

/** A space with `code` mapped read+exec and a writable stack page, plus a context ready to run it. */
export function loadProgram(code: Uint8Array): { space: VmSpace; context: UserContext } {
  const space = unwrap(VmSpace.create());
  const text = unwrap(UntypedFrame.alloc());
  text.write(0, code);
  unwrap(unwrap(space.cursor(CODE_BASE, CODE_BASE + PAGE_SIZE)).map(text, PageFlags.Read | PageFlags.Exec));
  text.release();
  const stack = unwrap(UntypedFrame.alloc());
  unwrap(unwrap(space.cursor(STACK_TOP - PAGE_SIZE, STACK_TOP)).map(stack, PageFlags.Read | PageFlags.Write));
  stack.release();
  const context = UserContext.create();
  context.instructionPointer = CODE_BASE;
  context.set(Register.RSP, STACK_TOP - 16);
  return { space, context };
}

/** Instructions only ring 0 may execute, each on its own. */
export const PRIVILEGED: readonly (readonly [string, Uint8Array])[] = [
  ["cli", Uint8Array.of(0xfa)],
  ["hlt", Uint8Array.of(0xf4)],
  ["out dx, al", Uint8Array.of(0xee)],
  ["mov cr3, rax", Uint8Array.of(0x0f, 0x22, 0xd8)],
];

/** pushf; or qword [rsp], 0x3000; popf; pushf; pop rax; syscall — tries to set IOPL 3. */
export const RAISE_IOPL = Uint8Array.of(
  0x9c,
  0x48, 0x81, 0x0c, 0x24, 0x00, 0x30, 0x00, 0x00,
  0x9d,
  0x9c,
  0x58,
  0x0f, 0x05,
);

/** movq rax, xmm0; syscall — reads SSE state the kernel restored. */
export const READ_XMM0 = Uint8Array.of(0x66, 0x48, 0x0f, 0x7e, 0xc0, 0x0f, 0x05);

/** mov rax, fs:[0]; syscall — reads through the FS base the kernel set (TLS). */
export const READ_FS0 = Uint8Array.of(0x64, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x05);
