import { describe, expect, it } from '@jest/globals';
import { parseImageReference } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;
const none = () => false;

describe('parseImageReference', () => {
  it('splits transports, names and digests the way skopeo names layouts', () => {
    expect(parseImageReference('oci:L:v1', none)).toEqual({ transport: 'oci', layout: 'L', target: 'v1' });
    expect(parseImageReference('oci-archive:img.tar:a/b:1', none)).toEqual({ transport: 'oci-archive', layout: 'img.tar', target: 'a/b:1' });
    expect(parseImageReference('L', none)).toEqual({ transport: undefined, layout: 'L', target: undefined });
    expect(parseImageReference('oci:L', none)).toEqual({ transport: 'oci', layout: 'L', target: undefined });
    expect(parseImageReference(`L@${D}`, none)).toEqual({ transport: undefined, layout: 'L', target: { digest: D } });
    expect(parseImageReference(`oci:dir/L@${D}`, none)).toEqual({ transport: 'oci', layout: 'dir/L', target: { digest: D } });
  });

  it('lets a path that exists whole win, and reads "@" after the first ":" as part of the name', () => {
    expect(parseImageReference('oci:x', (p) => p === 'oci:x')).toEqual({ transport: undefined, layout: 'oci:x', target: undefined });
    expect(parseImageReference('a@b:c', none)).toEqual({ transport: undefined, layout: 'a@b', target: 'c' });
    expect(parseImageReference(`L:r@${D}`, none)).toEqual({ transport: undefined, layout: 'L', target: `r@${D}` });
  });

  it('refuses a digest that is not one rather than reading it as a path', () => {
    expect(() => parseImageReference('L@sha256:abc', none)).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID_LENGTH' }));
  });
});
