// Run by suites.test.ts in a child jest: one suite and one test that need gzip.
import { expect } from '@jest/globals';
import { describeWithPeers, itWithPeers } from '../src/index.js';

describeWithPeers(['gzip'], 'a suite that drives gzip', () => {
  itWithPeers(['gzip'], 'a test that drives gzip', () => {
    expect(1).toBe(1);
  });
});
