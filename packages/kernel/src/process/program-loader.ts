/**
 * Loading a program image into a fresh address space for execve: ELF parsing and the load
 * plan (elf/), the segments as file-backed areas paged in on demand, the stack area with
 * the initial stack image, and the program break. `#!` scripts are resolved here too, by
 * rewriting the argument list around the interpreter, as Linux's binfmt_script does.
 */

import { Errno, SyscallError } from "../errno.ts";
import { ExecFormatError, parseElf } from "../elf/elf-file.ts";
import { buildInitialStack, type Credentials } from "../elf/initial-stack.ts";
import { planLoad, Prot, type LoadPlan } from "../elf/load-plan.ts";
import { AddressSpace } from "../mm/address-space.ts";
import { bytesToByteString, byteStringToBytes } from "../util/byte-string.ts";

/** Top of the user stack (Linux randomizes it; Asterism keeps it fixed and reproducible). */
export const STACK_TOP = 0x7fff_ffff_f000;
export const STACK_SIZE = 8 * 1024 * 1024;
/** Linux allows argv+envp a quarter of the 8 MiB stack limit. */
export const ARG_SIZE_LIMIT = STACK_SIZE / 4;
const MAX_INTERPRETER_DEPTH = 4;
const SHEBANG_LINE_MAX = 256;

export interface ProgramRequest {
  readonly path: string;
  readonly argv: readonly Uint8Array[];
  readonly envp: readonly Uint8Array[];
  readonly credentials: Credentials;
  /** 16 fresh random bytes for AT_RANDOM. */
  readonly random: Uint8Array;
  readonly hwcap: number;
}

export interface LoadedProgram {
  readonly space: AddressSpace;
  readonly entry: number;
  readonly stackPointer: number;
  readonly plan: LoadPlan;
  /** The file that was finally loaded (the interpreter, for scripts). */
  readonly executable: string;
  readonly argv: readonly Uint8Array[];
}

export type ReadExecutable = (path: string) => Promise<Uint8Array>;


/** Splits a `#!` line into interpreter and optional single argument, as Linux does. */
export function parseShebang(bytes: Uint8Array): { interpreter: string; argument: string | undefined } | undefined {
  if (bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  const newline = bytes.indexOf(0x0a);
  const end = newline < 0 ? Math.min(bytes.length, SHEBANG_LINE_MAX) : Math.min(newline, SHEBANG_LINE_MAX);
  const line = bytesToByteString(bytes.subarray(2, end)).trim();
  if (line.length === 0) throw new ExecFormatError("empty #! line");
  const split = line.search(/[ \t]/);
  if (split < 0) return { interpreter: line, argument: undefined };
  const argument = line.slice(split).trim();
  return { interpreter: line.slice(0, split), argument: argument.length === 0 ? undefined : argument };
}

/** Resolves scripts and loads the program; the caller swaps it into the process. */
export async function loadProgram(request: ProgramRequest, readExecutable: ReadExecutable): Promise<LoadedProgram> {
  let path = request.path;
  let argv = request.argv;
  for (let depth = 0; ; depth++) {
    const bytes = await readExecutable(path);
    const shebang = parseShebang(bytes);
    if (shebang === undefined) return await buildImage({ ...request, path, argv }, bytes);
    if (depth >= MAX_INTERPRETER_DEPTH) throw new SyscallError(Errno.ELOOP, "too many levels of #! interpreters");
    const scriptArgs = [byteStringToBytes(shebang.interpreter)];
    if (shebang.argument !== undefined) scriptArgs.push(byteStringToBytes(shebang.argument));
    scriptArgs.push(byteStringToBytes(path));
    argv = [...scriptArgs, ...argv.slice(1)];
    path = shebang.interpreter;
  }
}

async function buildImage(request: ProgramRequest, bytes: Uint8Array): Promise<LoadedProgram> {
  const plan = planLoad(parseElf(bytes));
  const stack = buildInitialStack({
    stackTop: STACK_TOP,
    argv: request.argv,
    envp: request.envp,
    execfn: byteStringToBytes(request.path),
    random: request.random,
    plan,
    credentials: request.credentials,
    hwcap: request.hwcap,
    sizeLimit: ARG_SIZE_LIMIT,
  });
  const space = AddressSpace.create();
  try {
    await mapSegments(space, plan, bytes, request.path);
    space.map({ start: STACK_TOP - STACK_SIZE, end: STACK_TOP, prot: Prot.Read | Prot.Write, backing: undefined, name: "[stack]" });
    space.initBrk(plan.brkStart);
    await space.write(stack.start, stack.bytes);
  } catch (error) {
    space.destroy();
    throw error;
  }
  return { space, entry: plan.entry, stackPointer: stack.stackPointer, plan, executable: request.path, argv: request.argv };
}

/**
 * Each segment becomes an area backed by the file from its first page on. A segment that
 * starts inside a page the previous segment owns (old linker layouts) gets its leading
 * bytes copied into that page explicitly.
 */
async function mapSegments(space: AddressSpace, plan: LoadPlan, bytes: Uint8Array, name: string): Promise<void> {
  for (const mapping of plan.mappings) {
    const lead = mapping.copyTo - mapping.start;
    if (mapping.end > mapping.start) {
      space.map({
        start: mapping.start,
        end: mapping.end,
        prot: mapping.prot,
        backing: { bytes, offset: mapping.fileOffset - lead, length: mapping.copyLength + lead },
        name,
      });
    }
    if (lead < 0) {
      const shared = Math.min(-lead, mapping.copyLength);
      try {
        await space.write(mapping.copyTo, bytes.subarray(mapping.fileOffset, mapping.fileOffset + shared));
      } catch {
        throw new ExecFormatError("segments share a page that is not writable");
      }
    }
  }
}
