/**
 * A headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: file
 * descriptors 3 and 4, messages separated by NUL), with no npm dependency: one browser process, one
 * page, commands sent as JSON and answered by id. Enough for the rendered-chart test: open a
 * file:// page, evaluate JavaScript in it, take screenshots of parts of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';

/** The flags of .ci and the session notes: headless, no sandbox, no network of its own. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--force-device-scale-factor=1',
];

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  method: string;
}

export class ChromiumPage {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private stderr = '';
  private sessionId = '';

  private constructor(
    private readonly proc: ChildProcess,
    private readonly profile: string,
  ) {
    const input = proc.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.receive(chunk));
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    proc.on('exit', (code) => {
      for (const p of this.pending.values())
        p.reject(new Error(`chromium exited (${code}) during ${p.method}: ${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Starts Chromium and opens one blank page of `width` x `height` CSS pixels. */
  static async open(width: number, height: number): Promise<ChromiumPage> {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install the Debian package chromium (CI does, in .ci/run)`);
    const profile = mkdtempSync(join(tmpdir(), 'rollout-gate-chromium-'));
    const proc = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    const page = new ChromiumPage(proc, profile);
    const { targetId } = await page.send('Target.createTarget', { url: 'about:blank' }, false);
    const { sessionId } = await page.send('Target.attachToTarget', { targetId, flatten: true }, false);
    page.sessionId = sessionId as string;
    await page.send('Page.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      this.buffer = this.buffer.slice(end + 1);
      const p = message.id !== undefined ? this.pending.get(message.id) : undefined;
      if (!p || message.id === undefined) continue;
      this.pending.delete(message.id);
      if (message.error) p.reject(new Error(`${p.method}: ${message.error.message}`));
      else p.resolve(message.result ?? {});
    }
  }

  /** Sends one DevTools command (to the page's session unless `toPage` is false) and awaits its answer. */
  send(method: string, params: Record<string, unknown> = {}, toPage = true): Promise<Record<string, any>> {
    const id = this.nextId++;
    const message = { id, method, params, ...(toPage ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      (this.proc.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Evaluates `expression` in the page (awaiting a promise), returning its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (answer.exceptionDetails) throw new Error(`page error: ${JSON.stringify(answer.exceptionDetails)}`);
    return answer.result?.value as T;
  }

  /** Navigates, then waits until `ready` (an expression) is true in the page, polling. */
  async load(url: string, ready: string, maxPolls = 600): Promise<void> {
    await this.send('Page.navigate', { url });
    for (let i = 0; i < maxPolls; i++) {
      if (await this.evaluate<boolean>(`Boolean(${ready})`).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the page never became ready (${ready})`);
  }

  /** A PNG of the page region (CSS pixels). */
  async screenshot(clip: { x: number; y: number; width: number; height: number }): Promise<Buffer> {
    const { data } = await this.send('Page.captureScreenshot', {
      format: 'png',
      clip: { ...clip, scale: 1 },
      captureBeyondViewport: true,
    });
    return Buffer.from(data as string, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    await this.send('Browser.close', {}, false).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    for (const stream of this.proc.stdio) stream?.destroy();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
