/**
 * Where the gate reports as it goes. The CLI writes to stderr/stdout, the action to the
 * runner's log with groups; tests collect the lines. Never given secrets.
 */
export interface GateLog {
  info(line: string): void;
  warn(line: string, where?: { file?: string; line?: number }): void;
  error(line: string, where?: { file?: string; line?: number }): void;
  /** Runs `fn` inside a named, collapsible section (a log group in Actions). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** A GateLog that keeps every line, for tests and for JSON mode's stderr. */
export class MemoryLog implements GateLog {
  readonly lines: string[] = [];

  info(line: string): void {
    this.lines.push(line);
  }
  warn(line: string): void {
    this.lines.push(`warning: ${line}`);
  }
  error(line: string): void {
    this.lines.push(`error: ${line}`);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`== ${name}`);
    return fn();
  }
}

/**
 * A section opened only when something belongs in it: `open()` starts `log.group(name)` at its first
 * call (every line logged after it lands in the section, as with group); `close()` ends it, if opened.
 * The rollback's header is printed only once an undo is really sent, never over "left as it is".
 */
export function sectionOnDemand(log: GateLog, name: string): { open(): void; close(): Promise<void> } {
  let end: (() => void) | undefined;
  let done: Promise<void> | undefined;
  return {
    open() {
      if (done) return;
      const inside = new Promise<void>((resolve) => (end = resolve));
      done = log.group(name, () => inside);
    },
    async close() {
      end?.();
      await done;
    },
  };
}
