/**
 * The confinement module is `@ocikit/runtime-spec/confine` (one home for
 * every path into a rootfs, read or written; STYLE.md habits 11 and 16).
 * This file only makes its refusals BundleErrors, so that they keep what
 * bundle callers rely on: `inLayer` places them in a layer and entry,
 * validate-layout turns them into `LAYER_<code>` findings, and the codes
 * (the same strings) and image-spec references stay as they were.
 */
import { ConfinedRoot as Confined, ConfineRule, type ConfineErrorCode } from '@ocikit/runtime-spec/confine';
import { BundleError, BundleSpecRef } from '../errors.js';

export { MAX_SYMLINKS, removeTree } from '@ocikit/runtime-spec/confine';

/** The image-spec sentence each tree rule comes from (layer.md). */
const RULE_REF: Record<ConfineRule, string> = {
  [ConfineRule.ReplaceRoot]: BundleSpecRef.Changesets,
  [ConfineRule.Hardlink]: BundleSpecRef.Hardlinks,
};

/** A directory tree in which every path is resolved without leaving it; refusals are BundleErrors. */
export class ConfinedRoot extends Confined {
  protected override refuse(code: ConfineErrorCode, message: string, rule?: ConfineRule): Error {
    return new BundleError(code, message, rule === undefined ? {} : { ref: RULE_REF[rule] });
  }
}
