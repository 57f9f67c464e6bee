/**
 * Building findings: one collector per validation (@ocikit/validation's, the
 * one every ocikit validator uses), spec links in one place.
 */
export { Findings } from '@ocikit/validation';

/** Base of every spec link: the tagged release this package implements. */
export const SPEC_BASE = 'https://github.com/opencontainers/runtime-spec/blob/v1.3.0/';

/** Versioned link to a section of a runtime-spec document. */
export function specRef(doc: string, anchor?: string): string {
  return `${SPEC_BASE}${doc}${anchor ? `#${anchor}` : ''}`;
}
