import { generateKeyPairSync } from 'node:crypto';
import { createPayloadEncrypter, encryptionKeyProblems } from '../../src/delivery/payload-encryption';
import { decryptJwe, TEST_ENCRYPTION_KID, testEncryptionKeys } from '../support/encryption-keys';

const XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<antrag id="ABCD-EFGH-J"><name>Jürgen Größe</name><ort>Weißensee</ort>' +
  '<firma>Müller &amp; Söhne</firma></antrag>';
const XML_TYPE = 'application/xml';

/** The parts of a compact JWE, each base64url-decoded, without trusting jose to split them. */
function jweParts(jwe: string): { header: Record<string, unknown>; encryptedKey: Buffer; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const parts = jwe.split('.');
  expect(parts).toHaveLength(5);
  const [header, encryptedKey, iv, ciphertext, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
  return {
    header: JSON.parse(header!.toString('utf8')),
    encryptedKey: encryptedKey!,
    iv: iv!,
    ciphertext: ciphertext!,
    tag: tag!,
  };
}

function publicJwkOf(keyObject: ReturnType<typeof generateKeyPairSync>['publicKey']): Record<string, unknown> {
  return { ...keyObject.export({ format: 'jwk' }) };
}

function without(jwk: Record<string, unknown>, member: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => name !== member));
}

describe('createPayloadEncrypter', () => {
  it('encrypts so that the authority decrypts exactly the same bytes', async () => {
    const { publicJwk, privateKey } = testEncryptionKeys();
    const encrypter = await createPayloadEncrypter(publicJwk);

    const jwe = await encrypter.encrypt(XML, XML_TYPE);
    const { plaintext } = await decryptJwe(jwe, privateKey);

    expect(plaintext.equals(Buffer.from(XML, 'utf8'))).toBe(true);
    expect(plaintext.toString('utf8')).toBe(XML);
  });

  it('passes bytes through unchanged, including ones that are not valid UTF-8', async () => {
    const { publicJwk, privateKey } = testEncryptionKeys();
    const encrypter = await createPayloadEncrypter(publicJwk);
    const bytes = Uint8Array.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x41]);

    const { plaintext } = await decryptJwe(await encrypter.encrypt(bytes, 'application/octet-stream'), privateKey);

    expect([...plaintext]).toEqual([...bytes]);
  });

  it('writes alg, enc, kid and cty into the protected header, and nothing else', async () => {
    const { publicJwk, privateKey } = testEncryptionKeys();
    const encrypter = await createPayloadEncrypter(publicJwk);
    expect(encrypter.kid).toBe(TEST_ENCRYPTION_KID);

    const jwe = await encrypter.encrypt(XML, XML_TYPE);
    const expected = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: TEST_ENCRYPTION_KID, cty: XML_TYPE };

    expect(jweParts(jwe).header).toEqual(expected);
    expect((await decryptJwe(jwe, privateKey)).header).toEqual(expected);
  });

  it('wraps the key for a 4096-bit modulus and uses a 96-bit IV and 128-bit tag (A256GCM)', async () => {
    const encrypter = await createPayloadEncrypter(testEncryptionKeys().publicJwk);
    const parts = jweParts(await encrypter.encrypt(XML, XML_TYPE));

    expect(parts.encryptedKey).toHaveLength(512);
    expect(parts.iv).toHaveLength(12);
    expect(parts.tag).toHaveLength(16);
    expect(parts.ciphertext).toHaveLength(Buffer.byteLength(XML, 'utf8'));
    expect(parts.ciphertext.toString('latin1')).not.toContain('Weißensee');
  });

  it('gives a different JWE each time for the same text (fresh content key and IV)', async () => {
    const encrypter = await createPayloadEncrypter(testEncryptionKeys().publicJwk);

    const first = await encrypter.encrypt(XML, XML_TYPE);
    const second = await encrypter.encrypt(XML, XML_TYPE);

    expect(first).not.toBe(second);
    const [a, b] = [jweParts(first), jweParts(second)];
    expect(a.encryptedKey.equals(b.encryptedKey)).toBe(false);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('cannot be decrypted with another 4096-bit private key', async () => {
    const encrypter = await createPayloadEncrypter(testEncryptionKeys().publicJwk);
    const jwe = await encrypter.encrypt(XML, XML_TYPE);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey;

    await expect(decryptJwe(jwe, stranger)).rejects.toThrow();
  });

  it('encrypts with a key limited to key_ops ["wrapKey"], as RSA-OAEP only wraps the content key', async () => {
    const { publicJwk, privateKey } = testEncryptionKeys();
    const encrypter = await createPayloadEncrypter({ ...publicJwk, key_ops: ['wrapKey'] });

    const { plaintext } = await decryptJwe(await encrypter.encrypt(XML, XML_TYPE), privateKey);

    expect(plaintext.toString('utf8')).toBe(XML);
  });

  it('throws an Error naming the problems for an unfit key', async () => {
    const { publicJwk } = testEncryptionKeys();

    await expect(createPayloadEncrypter({ ...publicJwk, use: 'sig' })).rejects.toThrow(/unusable encryption key: use must be "enc"/);
    await expect(createPayloadEncrypter({ ...publicJwk, kid: undefined, alg: 'RSA1_5' })).rejects.toThrow(
      /kid must be a non-empty string.*; alg must be "RSA-OAEP-256"/,
    );
  });

  it('refuses a private key instead of importing it', async () => {
    const privateJwk = { ...testEncryptionKeys().privateKey.export({ format: 'jwk' }), kid: 'leaked' };

    await expect(createPayloadEncrypter(privateJwk)).rejects.toThrow(/private-key members \(d, p, q, dp, dq, qi\)/);
  });

  it('refuses an empty content type', async () => {
    const encrypter = await createPayloadEncrypter(testEncryptionKeys().publicJwk);

    await expect(encrypter.encrypt(XML, ' ')).rejects.toThrow(/content type/);
  });
});

describe('encryptionKeyProblems', () => {
  const valid = (): Record<string, unknown> => ({ ...testEncryptionKeys().publicJwk });

  it('finds nothing wrong with a 4096-bit RSA public key for RSA-OAEP-256', () => {
    expect(encryptionKeyProblems(valid())).toEqual([]);
  });

  it('accepts a key without the optional alg and key_ops members, but not without use', () => {
    const { kty, n, e, kid } = valid();
    expect(encryptionKeyProblems({ kty, n, e, kid, use: 'enc' })).toEqual([]);
    expect(encryptionKeyProblems({ kty, n, e, kid })).toEqual(['use must be "enc" for an encryption key, but it is missing']);
    expect(encryptionKeyProblems({ ...valid(), key_ops: ['encrypt'] })).toEqual([]);
  });

  it('refuses a 2048-bit RSA key, naming its size', () => {
    const small = { ...publicJwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey), kid: 'small', use: 'enc' };
    expect(encryptionKeyProblems(small)).toEqual(['the RSA modulus has 2048 bits; FIT-Connect requires exactly 4096']);
  });

  it('counts modulus bits, not encoded octets', () => {
    const n = Buffer.from(valid().n as string, 'base64url');
    // A leading zero octet makes the encoding longer but the number no bigger.
    const padded = Buffer.concat([Buffer.from([0]), n]).toString('base64url');
    expect(encryptionKeyProblems({ ...valid(), n: padded })).toEqual([]);
    // Clearing the top octet (and setting the next one's top bit, which is random in a real key)
    // leaves exactly a 4088-bit number in 512 octets.
    const shortened = Buffer.from(n);
    shortened[0] = 0;
    shortened[1] = 0xff;
    expect(encryptionKeyProblems({ ...valid(), n: shortened.toString('base64url') })).toEqual([
      'the RSA modulus has 4088 bits; FIT-Connect requires exactly 4096',
    ]);
  });

  it('refuses an EC key', () => {
    const ec = { ...publicJwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), kid: 'ec' };
    const problems = encryptionKeyProblems(ec);
    expect(problems).toContain('kty must be "RSA", got "EC"');
    expect(problems).toContain('n (the RSA modulus) is missing');
  });

  it('refuses a signing key and the wrong algorithm', () => {
    expect(encryptionKeyProblems({ ...valid(), use: 'sig' })).toEqual(['use must be "enc" for an encryption key, got "sig"']);
    expect(encryptionKeyProblems({ ...valid(), alg: 'RSA-OAEP' })).toEqual(['alg must be "RSA-OAEP-256", got "RSA-OAEP"']);
  });

  it('refuses key_ops that do not allow encryption', () => {
    expect(encryptionKeyProblems({ ...valid(), key_ops: ['verify'] })).toEqual([
      'key_ops must include "encrypt" or "wrapKey", got [verify]',
    ]);
    expect(encryptionKeyProblems({ ...valid(), key_ops: 'encrypt' })).toEqual(['key_ops must be an array of strings']);
  });

  it('refuses a missing or empty kid', () => {
    const reason = 'kid must be a non-empty string: the authority needs it to pick its private key';
    expect(encryptionKeyProblems(without(valid(), 'kid'))).toEqual([reason]);
    expect(encryptionKeyProblems({ ...valid(), kid: '  ' })).toEqual([reason]);
    expect(encryptionKeyProblems({ ...valid(), kid: 42 })).toEqual([reason]);
  });

  it('refuses a JWK carrying the private exponent d, and says it is a leak', () => {
    const problems = encryptionKeyProblems({ ...valid(), d: 'AQAB' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^the key contains private-key members \(d\): a private key in a tenant file is leaked/);
  });

  it('lists every private member of a full private JWK, even when the rest looks fine', () => {
    const privateJwk = { ...testEncryptionKeys().privateKey.export({ format: 'jwk' }), kid: 'x', use: 'enc', oth: [] };
    const problems = encryptionKeyProblems(privateJwk);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('(d, p, q, dp, dq, qi, oth)');
  });

  it('refuses n and e that are missing or not base64url', () => {
    expect(encryptionKeyProblems(without(valid(), 'e'))).toEqual(['e (the RSA public exponent) is missing']);
    expect(encryptionKeyProblems({ ...valid(), n: 'not+base64/url=' })).toEqual(['n (the RSA modulus) must be a base64url string']);
    expect(encryptionKeyProblems({ ...valid(), n: 12345 })).toEqual(['n (the RSA modulus) must be a base64url string']);
    expect(encryptionKeyProblems({ ...valid(), e: 'AQABA' })).toEqual(['e (the RSA public exponent) must be a base64url string']);
  });

  it.each([
    [null, 'null'],
    ['{"kty":"RSA"}', 'a string'],
    [42, 'a number'],
    [undefined, 'undefined'],
    [[], 'an array'],
  ])('refuses the non-object %p', (value, kind) => {
    expect(encryptionKeyProblems(value)).toEqual([`the encryption key must be a JWK object, not ${kind}`]);
  });

  it('does not echo a non-object key, which may be a pasted private key', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIJQgIBADANBgkqhkiG9w0BAQEFAASCCSwwggkoAgEAAoICAQ\n-----END PRIVATE KEY-----';
    expect(encryptionKeyProblems(pem).join(' ')).not.toContain('MIIJ');
  });

  it('shortens long values it quotes', () => {
    const [problem] = encryptionKeyProblems({ ...valid(), use: 'x'.repeat(500) });
    expect(problem).toBe(`use must be "enc" for an encryption key, got "${'x'.repeat(40)}…"`);
  });
});
