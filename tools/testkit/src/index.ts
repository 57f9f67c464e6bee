// @ocikit/testkit: helpers for the test suites of every workspace. Private; never imported at run time.
export { describePeer, findExecutable, findPeer, havePeers, isCI, missingPeers, peerPath, type PeerName } from './peers.js';
export { describeWithPeers, itWithPeers } from './suites.js';
export { scratch, scratchBase, scratchDir, suiteScratch, testScratch } from './scratch.js';
