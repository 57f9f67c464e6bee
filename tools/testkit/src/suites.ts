/**
 * `describe` and `it` for tests that drive real peers. With every peer present
 * they are jest's own. Otherwise, under CI the block becomes one failing test
 * that names what is missing, and elsewhere it is skipped with one line on
 * stderr naming the peer and how to install it.
 */
import { describe, it } from '@jest/globals';
import { isCI, missingPeers, type PeerName } from './peers.js';

type Body = () => void;
type TestFn = Parameters<typeof it>[1];

function reportSkip(title: string, missing: string[]): void {
  // Straight to stderr: one plain line, not jest's console frame with a stack.
  process.stderr.write(`ocikit tests: skipped "${title}": missing ${missing.join(', ')}\n`);
}

function missingMessage(missing: string[]): string {
  return `missing test peer${missing.length > 1 ? 's' : ''} under CI: ${missing.join(', ')}`;
}

/** `describe` that needs `peers`. */
export function describeWithPeers(peers: readonly PeerName[], title: string, body: Body): void {
  const missing = missingPeers(peers);
  if (missing.length === 0) {
    describe(title, body);
  } else if (isCI()) {
    describe(title, () => {
      it('has the peers it drives', () => {
        throw new Error(missingMessage(missing));
      });
    });
  } else {
    reportSkip(title, missing);
    describe.skip(title, body);
  }
}

/** `it` that needs `peers`. */
export function itWithPeers(peers: readonly PeerName[], title: string, fn: TestFn, timeout?: number): void {
  const missing = missingPeers(peers);
  if (missing.length === 0) {
    it(title, fn, timeout);
  } else if (isCI()) {
    it(title, () => {
      throw new Error(missingMessage(missing));
    });
  } else {
    reportSkip(title, missing);
    it.skip(title, fn, timeout);
  }
}
