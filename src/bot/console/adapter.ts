/** Console chat: one command per line on stdin, replies on stdout, acting as the owner. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { toPlainText, type OutMessage } from '../../core/outmessage.ts';
import type { MessageHandle } from '../../handlers/command.ts';
import { typedInput, type Input, type Pipeline, type ReplySink } from '../../handlers/pipeline.ts';
import type { DeliveryOutcome } from '../../core/delivery.ts';
import type { AdapterHealth, ChatAdapter } from '../adapter.ts';

/** The console's fixed identity and chat, granted owner by the composition root. */
export const CONSOLE_IDENTITY = 'console:owner';
/** The console's one chat (`console:main`), where demo alerts and replies are printed. */
export const CONSOLE_CHAT_ID = 'main';

/** Where the console reads lines and prints replies, and what it does when input ends. */
export interface ConsoleOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Called once stdin ends and every line has been answered. */
  readonly onEnd?: () => void;
  readonly languageCode?: string;
}

/**
 * Buttons print as numbered choices (`[1] Yes, do it`); typing the number presses it.
 * Lines are handled strictly in order, so piped input gives deterministic output.
 */
export class ConsoleAdapter implements ChatAdapter {
  readonly platform = 'console' as const;
  private readonly buttons = new Map<number, string>();
  private nextButton = 1;
  private imageDir: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private running = false;
  private rl: ReturnType<typeof createInterface> | undefined;

  constructor(
    private readonly opts: ConsoleOptions,
    private readonly pipeline: Pipeline,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.rl = createInterface({ input: this.opts.input, terminal: false });
    this.rl.on('line', (line) => {
      this.queue = this.queue.then(() => this.onLine(line));
    });
    this.rl.on('close', () => {
      void this.queue.then(() => {
        this.running = false;
        this.opts.onEnd?.();
      });
    });
  }

  async stop(): Promise<void> {
    this.rl?.close();
    await this.queue;
    this.running = false;
    // QR pictures hold the WiFi password: they live only as long as the console session.
    if (this.imageDir) rmSync(this.imageDir, { recursive: true, force: true });
    this.imageDir = undefined;
  }

  health(): AdapterHealth {
    return { connected: this.running, warnings: [] };
  }

  async deliver(_chatId: string, message: OutMessage, editRef?: string): Promise<DeliveryOutcome> {
    this.print(message, editRef ? '🔔 (update)' : '🔔');
    return { ok: true, ref: editRef ?? `console:${Date.now()}` };
  }

  /** Waits until every line read so far has been answered. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async onLine(raw: string): Promise<void> {
    const line = raw.trim();
    if (!line) return;
    let input: Input;
    const button = /^\d+$/.test(line) ? this.buttons.get(Number(line)) : undefined;
    if (button) input = { kind: 'action', token: button };
    else input = typedInput(line);
    this.opts.output.write(`> ${line}\n`);
    const sink: ReplySink = {
      send: async (message): Promise<MessageHandle> => {
        this.print(message);
        return { edit: async (m) => this.print(m, '(update)') };
      },
      updateOrigin: async (message) => this.print(message, '(update)'),
    };
    await this.pipeline.handle(
      {
        chat: { platform: 'console', id: CONSOLE_CHAT_ID, kind: 'private' },
        user: {
          identity: CONSOLE_IDENTITY,
          displayName: 'Console',
          ...(this.opts.languageCode ? { languageCode: this.opts.languageCode } : {}),
        },
        input,
      },
      sink,
    );
  }

  private print(message: OutMessage, prefix?: string): void {
    const lines = [toPlainText(message)];
    if (message.image) lines.push(`[image: ${this.saveImage(message.image.filename, message.image.pngBase64)}]`);
    const row = (message.actions ?? []).flat().map((a) => {
      const n = this.nextButton++;
      this.buttons.set(n, a.token);
      return `[${n}] ${a.label}`;
    });
    if (row.length) lines.push(row.join('  '));
    this.opts.output.write(`${prefix ? `${prefix} ` : ''}${stripControl(lines.join('\n'))}\n\n`);
  }

  private saveImage(name: string, base64: string): string {
    this.imageDir ??= mkdtempSync(join(tmpdir(), 'homelab-bot-'));
    const path = join(this.imageDir, name.replace(/[^\w.-]/g, '_'));
    writeFileSync(path, Buffer.from(base64, 'base64'), { mode: 0o600 });
    return path;
  }
}

/**
 * Removes terminal control sequences and other control characters (a torrent name carrying
 * ESC[2J or an OSC title change must not reach the operator's terminal); newlines and tabs stay.
 */
export function stripControl(text: string): string {
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '') // CSI
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '') // OSC
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
