import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { completeCreds, credsNeedPassword, parseCreds, splitCreds } from './creds-option.js';
import { CredentialsErrorReason, isCredentialsError } from './errors.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('--creds USER[:PASSWORD]', () => {
  it('splits at the first colon: the password keeps the rest, colons included, and may be empty', () => {
    expect(parseCreds('alice:pa:ss:word')).toEqual({ username: 'alice', password: 'pa:ss:word' });
    expect(parseCreds('alice:')).toEqual({ username: 'alice', password: '' });
    expect(splitCreds('alice')).toEqual({ username: 'alice', password: undefined });
    expect([credsNeedPassword('alice'), credsNeedPassword('alice:')]).toEqual([true, false]);
  });

  it('refuses an empty user, without echoing the text', () => {
    for (const text of ['', ':secret-pw']) {
      const err = thrown(() => parseCreds(text));
      expect(isCredentialsError(err, CredentialsErrorReason.InvalidCreds)).toBe(true);
      expect(err.message).not.toContain('secret-pw');
    }
  });

  it('without a password parseCreds refuses and completeCreds asks for it', async () => {
    expect(isCredentialsError(thrown(() => parseCreds('alice')), CredentialsErrorReason.InvalidCreds)).toBe(true);
    const asked: string[] = [];
    const creds = await completeCreds('alice', (user) => {
      asked.push(user);
      return Promise.resolve('typed-pw');
    });
    expect(creds).toEqual({ username: 'alice', password: 'typed-pw' });
    expect(asked).toEqual(['alice']);
    expect(await completeCreds('bob:given', () => Promise.reject(new Error('must not ask')))).toEqual({ username: 'bob', password: 'given' });
    expect(inspect(creds)).not.toContain('typed-pw');
    expect(JSON.stringify(creds)).not.toContain('typed-pw');
  });
});
