// @ocikit/digest: content addressing. The public API lands with the digest issue.
export {};
