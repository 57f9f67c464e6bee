import { describe, expect, it } from '@jest/globals';
import { SignatureErrorCode } from '../errors.js';
import { gpgSign, gpgVerify } from './gpg.js';

// Refusals that happen before gpg runs: no peer needed.
describe('gpg arguments', () => {
  const sig = new Uint8Array([1, 2, 3]);
  it('never trusts a whole keyring: a GnuPG home needs fingerprints', async () => {
    await expect(gpgVerify(sig, { gnupgHome: '/nonexistent' })).rejects.toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    await expect(gpgVerify(sig, {})).rejects.toMatchObject({ code: SignatureErrorCode.InvalidArgument });
  });
  it('takes a fingerprint, not an option, for --sign-by', async () => {
    await expect(gpgSign(sig, { signBy: '--armor' })).rejects.toMatchObject({ code: SignatureErrorCode.InvalidArgument });
  });
  it('names a gpg that cannot run', async () => {
    await expect(gpgSign(sig, { signBy: 'ABCDEF0123456789', gpg: '/nonexistent/gpg' })).rejects.toMatchObject({ code: SignatureErrorCode.Gpg });
  });
});
