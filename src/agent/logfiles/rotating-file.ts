/**
 * An append-only log file with the official agent's rotation (seelog "rollingfile", archivetype none), used for
 * ECS_LOGFILE and the credentials audit log:
 *
 *   hourly: when a line is written in a new hour, the live file is renamed to <file>.YYYY-MM-DD-HH (the hour it
 *           covered, UTC) and a new one is started (ECS_LOG_ROLLOVER_TYPE=hourly, the default);
 *   size:   when a line would take the file past maxFileBytes, it is renamed to <file>.N (N one above the highest
 *           existing) and a new one is started.
 *
 * Either way at most maxRollCount rotated files stay; the oldest go first. Files are created 0600 in a directory
 * created 0700: both logs name task ARNs and callers, which are nobody else's business on the host.
 *
 * Writes are synchronous (like pino.destination(2) for stderr): a line is on disk, in order, when write returns,
 * and nothing is lost at exit. A failing write (disk full) drops that line and is reported once per failure run
 * through onError; logging must never take the agent down.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync, fchmodSync } from 'node:fs';
import path from 'node:path';
import type { LogRotation } from '../config/endpoints.js';
import { realClock, type Clock } from '../../shared/clock.js';

export interface RotatingFileOptions {
  file: string;
  rotation: LogRotation;
  clock?: Clock;
  onError?: (err: unknown) => void;
}

/** "2006-01-02-15" in UTC, seelog's datepattern. */
export function hourStamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}`;
}

export class RotatingFile {
  private fd: number | undefined;
  private size = 0;
  private hour = '';
  private failing = false;
  private closed = false;
  private readonly now: () => Date;

  constructor(private readonly opts: RotatingFileOptions) {
    const clock = opts.clock ?? realClock;
    this.now = () => new Date(clock.now());
  }

  /** Opens (creating it 0600, and its directory 0700) now rather than at the first line, so a bad path shows at start. */
  open(): void {
    if (this.fd !== undefined || this.closed) return;
    mkdirSync(path.dirname(this.opts.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.opts.file, 'a', 0o600);
    fchmodSync(fd, 0o600);
    const st = fstatSync(fd);
    this.fd = fd;
    this.size = st.size;
    // An existing file continues its hour when it was last written in this one; otherwise it rotates first.
    this.hour = st.size > 0 ? hourStamp(st.mtime) : hourStamp(this.now());
  }

  write(chunk: string): boolean {
    if (this.closed) return false;
    try {
      this.open();
      const bytes = Buffer.byteLength(chunk);
      this.rotateIfDue(bytes);
      this.size += writeSync(this.fd!, chunk);
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.opts.onError?.(err);
      this.failing = true;
    }
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private rotateIfDue(incoming: number): void {
    const { rotation, file } = this.opts;
    const hour = hourStamp(this.now());
    let target: string | undefined;
    if (rotation.type === 'hourly') {
      if (hour !== this.hour && this.size > 0) target = `${file}.${this.hour}`;
    } else if (this.size > 0 && this.size + incoming > rotation.maxFileBytes) {
      target = `${file}.${this.highestIndex() + 1}`;
    }
    this.hour = hour;
    if (target === undefined) return;
    closeSync(this.fd!);
    this.fd = undefined;
    renameSync(file, target);
    this.prune();
    this.open();
    this.hour = hour;
  }

  /** Rotated siblings, oldest first: hour stamps sort as text, size indexes as numbers. */
  rotated(): string[] {
    const base = path.basename(this.opts.file);
    const dir = path.dirname(this.opts.file);
    const suffixes = readdirSync(dir)
      .filter((f) => f.startsWith(`${base}.`))
      .map((f) => f.slice(base.length + 1))
      .filter((s) => (this.opts.rotation.type === 'size' ? /^\d+$/.test(s) : /^\d{4}-\d\d-\d\d-\d\d$/.test(s)));
    const sorted = this.opts.rotation.type === 'size' ? suffixes.sort((a, b) => Number(a) - Number(b)) : suffixes.sort();
    return sorted.map((s) => path.join(dir, `${base}.${s}`));
  }

  private highestIndex(): number {
    const last = this.rotated().at(-1);
    return last === undefined ? 0 : Number(last.slice(last.lastIndexOf('.') + 1));
  }

  private prune(): void {
    const all = this.rotated();
    for (const f of all.slice(0, Math.max(0, all.length - this.opts.rotation.maxRollCount))) rmSync(f, { force: true });
  }
}

