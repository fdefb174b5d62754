import { createHmac } from 'node:crypto';
import { signBody, verifySignature } from '../../src/gitea/signature';

const body = Buffer.from('{\n  "action": "assigned"\n}');
const secret = 'current-secret';
const previous = 'previous-secret';
const hex = createHmac('sha256', secret).update(body).digest('hex');

describe('verifySignature', () => {
  it('accepts the bare hex X-Gitea-Signature computed over the raw bytes', () => {
    expect(signBody(body, secret)).toBe(hex);
    expect(verifySignature(body, { giteaSignature: hex }, [secret])).toEqual({ ok: true, secretIndex: 0 });
  });

  it('falls back to X-Hub-Signature-256 with its sha256= prefix', () => {
    expect(verifySignature(body, { hubSignature256: `sha256=${hex}` }, [secret]).ok).toBe(true);
    expect(verifySignature(body, { giteaSignature: '', hubSignature256: `sha256=${hex}` }, [secret]).ok).toBe(true);
  });

  it('accepts the previous secret during a rotation, and nothing else', () => {
    const old = signBody(body, previous);
    expect(verifySignature(body, { giteaSignature: old }, [secret, previous])).toEqual({ ok: true, secretIndex: 1 });
    expect(verifySignature(body, { giteaSignature: old }, [secret])).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(body, { giteaSignature: signBody(body, 'other') }, [secret, previous]).ok).toBe(false);
  });

  it.each([
    ['one char short', hex.slice(0, -1), 'malformed'],
    ['one char long', `${hex}0`, 'malformed'],
    ['non-hex', `${hex.slice(0, -1)}g`, 'malformed'],
    ['uppercase hex', hex.toUpperCase(), 'malformed'],
    ['prefixed value in the bare header', `sha256=${hex}`, 'malformed'],
    ['surrounding whitespace', ` ${hex}`, 'malformed'],
    ['empty (a hook without a secret)', '', 'empty'],
  ])('rejects a bare signature that is %s', (_case, value, reason) => {
    expect(verifySignature(body, { giteaSignature: value }, [secret])).toEqual({ ok: false, reason });
  });

  it.each([
    ['without the prefix', hex, 'malformed'],
    ['with a prefix only', 'sha256=', 'empty'],
    ['with another algorithm', `sha1=${hex.slice(0, 40)}`, 'malformed'],
  ])('rejects an X-Hub-Signature-256 %s', (_case, value, reason) => {
    expect(verifySignature(body, { hubSignature256: value }, [secret])).toEqual({ ok: false, reason });
  });

  it('rejects a body changed after signing, even if only re-serialised', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(verifySignature(reserialised, { giteaSignature: hex }, [secret])).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects, without throwing, a missing body, missing headers, a repeated header, or no secret', () => {
    expect(verifySignature(undefined, { giteaSignature: hex }, [secret])).toEqual({ ok: false, reason: 'no-body' });
    expect(verifySignature(body, {}, [secret])).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature(body, { giteaSignature: [hex, hex] }, [secret])).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(body, { giteaSignature: hex }, [])).toEqual({ ok: false, reason: 'no-secret' });
    expect(verifySignature(body, { giteaSignature: signBody(body, '') }, [''])).toEqual({
      ok: false,
      reason: 'no-secret',
    });
  });
});
