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
