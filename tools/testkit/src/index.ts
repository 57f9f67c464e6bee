// @ocikit/testkit: helpers for the test suites of every workspace. Private; never imported at run time.
export { describePeer, findExecutable, findPeer, havePeers, isCI, missingPeers, peerPath, type PeerName } from './peers.js';
export { describeWithPeers, itWithPeers } from './suites.js';
export { scratch, scratchBase, scratchDir } from './scratch.js';
export { suiteScratch, testScratch } from './suite-scratch.js';
export { rejection } from './rejection.js';
export { makeGnupgHome, type GnupgHome, type GnupgHomeOptions } from './gnupg-home.js';
export * from './registry/index.js';
