/**
 * The kernel console: text output through the arch port's early console (the serial
 * port), replaceable by a service (a tty driver, a framebuffer) through `injectConsole`.
 */
import { arch, hasBooted } from "../boot/machine-state.ts";
import { encodeUtf8 } from "../util/utf8.ts";

/** Where console text goes. */
export interface ConsoleSink {
  write(text: string): void;
}

const earlyConsole: ConsoleSink = {
  write(text: string): void {
    if (hasBooted()) arch().consoleWrite(encodeUtf8(text));
  },
};

let sink: ConsoleSink = earlyConsole;

export function injectConsole(console: ConsoleSink): void {
  sink = console;
}

/** Writes text to the console as is. */
export function print(text: string): void {
  sink.write(text);
}

/** Writes one line to the console. */
export function println(text: string): void {
  sink.write(`${text}\n`);
}
