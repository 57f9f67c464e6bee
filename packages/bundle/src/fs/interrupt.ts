/**
 * Cleanup when the process is interrupted. Writers register what an
 * interruption must not leave behind (temp files, staging trees, locks);
 * on SIGINT or SIGTERM every registered cleanup runs, newest first, and
 * the process then dies of the signal (a shell reports 130 or 143).
 *
 * The handlers are installed only while something is registered, so a
 * program that embeds the library keeps its own signal handling the rest
 * of the time. When that program listens for the signal itself, the
 * cleanups still run but the exit is left to it.
 */
import { constants } from 'node:os';

type Cleanup = () => void;

const registered = new Map<number, Cleanup>();
let nextId = 0;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function runAll(): void {
  const cleanups = [...registered.values()].reverse();
  registered.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // One failed cleanup must not keep the others from running.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  if (process.listenerCount(signal) > 0) return;
  // Die of the signal itself, as if no handler had run: the parent sees the
  // signal (a shell reports 130 or 143), and no JavaScript runs on, so worker
  // threads are not torn down mid-load as process.exit() would.
  process.kill(process.pid, signal);
  process.exit(128 + constants.signals[signal]);
}

function onExit(): void {
  runAll();
}

function install(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

/**
 * Run `cleanup` (synchronously: the process is about to end) if the
 * process is interrupted or exits before the returned function is called.
 * Call the returned function once the cleanup is no longer needed.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (registered.size === 0) install();
  const id = nextId++;
  registered.set(id, cleanup);
  return () => {
    if (!registered.delete(id)) return;
    if (registered.size === 0) uninstall();
  };
}
