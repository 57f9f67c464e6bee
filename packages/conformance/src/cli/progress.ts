/**
 * One line of progress on a terminal's stderr, redrawn at most ten times a
 * second and erased when done. Nothing at all when stderr is not a terminal,
 * so pipes and logs never see it.
 */
import type { CommandIO } from './io.js';

export interface ProgressLine {
  /** Redraw with this text (throttled unless `force`). */
  update(text: string, force?: boolean): void;
  /** Erase the line. */
  done(): void;
}

export function progressLine(io: CommandIO): ProgressLine | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  const stream = io.stderr;
  let last = 0;
  let shown = false;
  return {
    update(text, force = false) {
      const now = Date.now();
      if (!force && now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r\u001b[K${text}`);
    },
    done() {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
    },
  };
}

/** `[#######           ]` */
export function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}]`;
}

/** `12.3 MiB` */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
