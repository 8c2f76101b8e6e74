/*
 * Native side of the instruction-level proof: reads test cases (register file, RFLAGS, XMM
 * registers, 256 bytes of memory and one instruction) from stdin, executes each instruction
 * on the host CPU at fixed addresses (code at 0x20000000, data at 0x10000000, the same as in
 * the emulated run), and writes the resulting state to stdout in the same layout.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct test_case {
  _Alignas(16) uint64_t gpr[16];
  uint64_t rflags;
  uint8_t xmm[16][16];
  uint8_t mem[256];
  uint8_t code[16];
  uint32_t mxcsr;
  uint32_t signal; /* 0, or the signal the host raised (SIGFPE for #DE, SIGILL for #UD, ...) */
  uint8_t fpu[512]; /* FXSAVE image: the x87 state goes in and comes out here */
};

_Static_assert(sizeof(struct test_case) == 1184, "layout shared with the TypeScript side");

#define CODE_ADDRESS ((void *)0x20000000)
#define DATA_ADDRESS ((void *)0x10000000)

void run_case(struct test_case *state, void *code);
__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  push %rdi\n"
    "  mov %rsi, code_target(%rip)\n"
    "  fxrstor 672(%rdi)\n"
    "  ldmxcsr 664(%rdi)\n"
    "  movdqu 136(%rdi), %xmm0\n movdqu 152(%rdi), %xmm1\n movdqu 168(%rdi), %xmm2\n movdqu 184(%rdi), %xmm3\n"
    "  movdqu 200(%rdi), %xmm4\n movdqu 216(%rdi), %xmm5\n movdqu 232(%rdi), %xmm6\n movdqu 248(%rdi), %xmm7\n"
    "  movdqu 264(%rdi), %xmm8\n movdqu 280(%rdi), %xmm9\n movdqu 296(%rdi), %xmm10\n movdqu 312(%rdi), %xmm11\n"
    "  movdqu 328(%rdi), %xmm12\n movdqu 344(%rdi), %xmm13\n movdqu 360(%rdi), %xmm14\n movdqu 376(%rdi), %xmm15\n"
    "  mov 0(%rdi), %rax\n mov 8(%rdi), %rcx\n mov 16(%rdi), %rdx\n mov 24(%rdi), %rbx\n"
    "  mov 40(%rdi), %rbp\n mov 48(%rdi), %rsi\n mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n"
    "  mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n"
    "  mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
    "  push 128(%rdi)\n popf\n"
    "  mov 56(%rdi), %rdi\n"
    "  call *code_target(%rip)\n"
    "  push %rdi\n"
    "  mov 8(%rsp), %rdi\n"
    "  mov %rax, 0(%rdi)\n mov %rcx, 8(%rdi)\n mov %rdx, 16(%rdi)\n mov %rbx, 24(%rdi)\n"
    "  mov %rbp, 40(%rdi)\n mov %rsi, 48(%rdi)\n mov %r8, 64(%rdi)\n mov %r9, 72(%rdi)\n"
    "  mov %r10, 80(%rdi)\n mov %r11, 88(%rdi)\n mov %r12, 96(%rdi)\n mov %r13, 104(%rdi)\n"
    "  mov %r14, 112(%rdi)\n mov %r15, 120(%rdi)\n"
    "  pushf\n pop 128(%rdi)\n"
    "  pop 56(%rdi)\n"
    "  fxsave 672(%rdi)\n"
    "  stmxcsr 664(%rdi)\n"
    "  movdqu %xmm0, 136(%rdi)\n movdqu %xmm1, 152(%rdi)\n movdqu %xmm2, 168(%rdi)\n movdqu %xmm3, 184(%rdi)\n"
    "  movdqu %xmm4, 200(%rdi)\n movdqu %xmm5, 216(%rdi)\n movdqu %xmm6, 232(%rdi)\n movdqu %xmm7, 248(%rdi)\n"
    "  movdqu %xmm8, 264(%rdi)\n movdqu %xmm9, 280(%rdi)\n movdqu %xmm10, 296(%rdi)\n movdqu %xmm11, 312(%rdi)\n"
    "  movdqu %xmm12, 328(%rdi)\n movdqu %xmm13, 344(%rdi)\n movdqu %xmm14, 360(%rdi)\n movdqu %xmm15, 376(%rdi)\n"
    "  pop %rdi\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n"
    ".data\n"
    "code_target: .quad 0\n"
    ".text\n");

static sigjmp_buf recover;

static void on_fault(int signal) { siglongjmp(recover, signal); }

int main(void) {
  struct sigaction action = {0};
  action.sa_handler = on_fault;
  action.sa_flags = SA_NODEFER;
  sigaction(SIGSEGV, &action, NULL);
  sigaction(SIGBUS, &action, NULL);
  sigaction(SIGFPE, &action, NULL);
  sigaction(SIGILL, &action, NULL);
  sigaction(SIGTRAP, &action, NULL);
  uint8_t *code = mmap(CODE_ADDRESS, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  uint8_t *data = mmap(DATA_ADDRESS, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (code != CODE_ADDRESS || data != DATA_ADDRESS) return 2;
  struct test_case state;
  while (fread(&state, sizeof state, 1, stdin) == 1) {
    memcpy(code, state.code, 16);
    code[16] = 0xc3; /* the instruction is padded with NOPs by the generator; then RET */
    memcpy(data, state.mem, 256);
    static struct test_case saved;
    saved = state;
    int signal = sigsetjmp(recover, 1);
    if (signal == 0) {
      run_case(&state, code);
      state.signal = 0;
    } else {
      state = saved;
      state.signal = (uint32_t)signal;
    }
    memcpy(state.mem, data, 256);
    fwrite(&state, sizeof state, 1, stdout);
  }
  return 0;
}
