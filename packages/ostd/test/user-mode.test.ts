import { describe, expect, it } from "vitest";
import {
  injectScheduler, IrqLine, PageFlags, PAGE_SIZE, Register, ReturnReason, Task, TrapKind, UntypedFrame,
  UserContext, UserMode, unwrap, VmSpace, FifoScheduler, SchedEvent, type Scheduler,
} from "../src/index.ts";
import { fakeMachine, inKernel } from "./support/kernel.ts";

describe("UserContext", () => {
  it("converts 64-bit registers exactly for addresses and errnos", () =>
    inKernel(() => {
      const context = UserContext.create();
      context.set(Register.RAX, -14);
      expect(context.get(Register.RAX)).toBe(-14);
      expect(context.getBig(Register.RAX)).toBe(0xffff_ffff_ffff_fff2n);
      context.set(Register.RDI, 0x7fff_ffff_f000);
      expect(context.get(Register.RDI)).toBe(0x7fff_ffff_f000);
      context.setBig(Register.R15, 0x8000_0000_0000_0001n);
      expect(context.getBig(Register.R15)).toBe(0x8000_0000_0000_0001n);
      expect(() => { context.set(Register.RBX, 2 ** 60); }).toThrow(/safe integer/);
      context.set(Register.RAX, 39);
      context.set(Register.R10, 4);
      expect(context.syscallNumber).toBe(39);
      expect(context.syscallArg(3)).toBe(4);
      const copy = context.clone();
      expect(copy.get(Register.RDI)).toBe(0x7fff_ffff_f000);
    }));

  it("cannot be given privileged flags (IOPL, interrupts off)", () =>
    inKernel(() => {
      const context = UserContext.create();
      context.flags = 0x3000 | 0x4000 | 0x1; // IOPL 3, NT, CF; IF clear
      expect(context.flags & 0x3000).toBe(0);
      expect(context.flags & 0x4000).toBe(0);
      expect(context.flags & 0x200).toBe(0x200);
      expect(context.flags & 1).toBe(1);
      expect(() => { context.instructionPointer = -1; }).toThrow(/not a user address/);
    }));
});

describe("UserMode.execute", () => {
  it("returns on a syscall, handles interrupts and demand-pages faults on the way", () =>
    inKernel(async () => {
      const machine = fakeMachine();
      const space = unwrap(VmSpace.create());
      const line = unwrap(IrqLine.alloc());
      let interrupts = 0;
      line.onActive(() => { interrupts++; });
      const script: TrapKind[] = [TrapKind.Interrupt, TrapKind.Exception, TrapKind.Syscall];
      machine.onEnterUser = () => {
        const trap = script.shift() ?? TrapKind.Syscall;
        if (trap === TrapKind.Interrupt) machine.pendingVectors.push(line.vector);
        if (trap === TrapKind.Exception) machine.exception = { vector: 14, errorCode: 2 | 4, faultAddress: 0x1234 };
        return trap;
      };
      const faults: { address: number; write: boolean; present: boolean }[] = [];
      space.onPageFault((fault) => {
        faults.push(fault);
        const frame = unwrap(UntypedFrame.alloc());
        unwrap(unwrap(space.cursor(0x1000, 0x2000)).map(frame, PageFlags.Read | PageFlags.Write));
        frame.release();
        return true;
      });
      const user = new UserMode(space, UserContext.create());
      expect(await user.execute()).toBe(ReturnReason.Syscall);
      expect(interrupts).toBe(1);
      expect(faults).toEqual([{ address: 0x1234, write: true, present: false }]);
      expect(space.isActive).toBe(true);
      line.release();
      space.destroy();
    }));

  it("reports exceptions the kernel must see, and kernel events", () =>
    inKernel(async () => {
      const machine = fakeMachine();
      const space = unwrap(VmSpace.create());
      machine.onEnterUser = () => {
        machine.exception = { vector: 13, errorCode: 0, faultAddress: 0 };
        return TrapKind.Exception;
      };
      const user = new UserMode(space, UserContext.create());
      expect(await user.execute()).toBe(ReturnReason.Exception);
      expect(user.exception.vector).toBe(13);
      machine.exception = { vector: 14, errorCode: 4, faultAddress: 0xdead000 };
      machine.onEnterUser = () => TrapKind.Exception;
      expect(await user.execute()).toBe(ReturnReason.Exception);
      expect(user.exception.faultAddress).toBe(0xdead000);
      expect(await user.execute(() => true)).toBe(ReturnReason.KernelEvent);
      space.destroy();
    }));

  it("preempts a user task when the scheduler's slice is up and switches between two address spaces", () =>
    inKernel(async () => {
      const machine = fakeMachine();
      const ticksPerSlice = 2;
      const fifo = new FifoScheduler();
      let used = 0;
      const preemptive: Scheduler = {
        enqueue: (task) => { fifo.enqueue(task); },
        pickNext: () => fifo.pickNext(),
        update: (_task, event) => event === SchedEvent.Tick && ++used % ticksPerSlice === 0,
      };
      injectScheduler(preemptive);
      const trace: number[] = [];
      machine.onEnterUser = (context) => {
        trace.push(context.gprLo[Register.RBX] ?? 0);
        if (trace.length >= 12) return TrapKind.Syscall;
        machine.pendingVectors.push(0x20);
        return TrapKind.Interrupt;
      };
      const run = (id: number) => async () => {
        const space = unwrap(VmSpace.create());
        const frame = unwrap(UntypedFrame.alloc());
        unwrap(unwrap(space.cursor(0, PAGE_SIZE)).map(frame, PageFlags.Read));
        const context = UserContext.create();
        context.set(Register.RBX, id);
        await new UserMode(space, context).execute();
        frame.release();
        space.destroy();
      };
      const a = Task.spawn(run(1));
      const b = Task.spawn(run(2));
      await a.join();
      await b.join();
      injectScheduler(new FifoScheduler());
      expect(trace.slice(0, 8)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
      expect(new Set(machine.cr3Writes.slice(-4)).size).toBeGreaterThan(1);
    }));
});
