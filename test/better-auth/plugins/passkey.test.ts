/**
 * passkey() from @better-auth/passkey through Better Auth on `migrate(db, { plugins: ['passkey'] })`: a full
 * WebAuthn ceremony with a software authenticator written here (a P-256 key from node:crypto, "none" attestation,
 * CBOR encoded by hand): registration options, registration (the row stored in `passkey`), authentication options,
 * and sign-in by passkey (a session, and the signature counter updated).
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { passkey } from "@better-auth/passkey";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFrom, newEmail, password, pluginAuth, pluginDatabase } from "./support.js";

const origin = "http://localhost:3000";
const rpId = "localhost";

/** CBOR (RFC 8949) for what WebAuthn needs: integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === "string") {
    const bytes = Buffer.from(value);
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Map) {
    const parts: Buffer[] = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: unsupported ${typeof value}`);
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** A software authenticator holding one P-256 credential. */
function authenticator() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const credentialId = randomBytes(16);
  let counter = 0;
  const cose = cbor(
    new Map<number, unknown>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x as string, "base64url")],
      [-3, Buffer.from(jwk.y as string, "base64url")],
    ]),
  );
  const counterBytes = () => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(counter);
    return b;
  };
  return {
    id: b64url(credentialId),
    create(challenge: string) {
      const length = Buffer.from([credentialId.length >> 8, credentialId.length & 0xff]);
      // flags: user present (0x01), user verified (0x04), attested credential data (0x40)
      const authData = Buffer.concat([
        sha256(rpId),
        Buffer.from([0x45]),
        counterBytes(),
        Buffer.alloc(16),
        length,
        credentialId,
        cose,
      ]);
      const attestationObject = cbor(
        new Map<string, unknown>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
        ]),
      );
      const clientDataJSON = JSON.stringify({ type: "webauthn.create", challenge, origin, crossOrigin: false });
      return {
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        type: "public-key" as const,
        authenticatorAttachment: "platform" as const,
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(clientDataJSON),
          attestationObject: b64url(attestationObject),
          transports: ["internal"],
        },
      };
    },
    get(challenge: string, userId: string) {
      counter += 1;
      const authData = Buffer.concat([sha256(rpId), Buffer.from([0x05]), counterBytes()]);
      const clientDataJSON = JSON.stringify({ type: "webauthn.get", challenge, origin, crossOrigin: false });
      const signature = sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), privateKey);
      return {
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        type: "public-key" as const,
        authenticatorAttachment: "platform" as const,
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(clientDataJSON),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          userHandle: b64url(userId),
        },
      };
    },
  };
}

const withOrigin = (headers: Headers) => {
  const copy = new Headers(headers);
  copy.set("origin", origin);
  return copy;
};

describe("passkey()", () => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"passkey">>>;
  beforeAll(async () => {
    d = await pluginDatabase("plugin_passkey", ["passkey"]);
  });
  afterAll(() => d?.close());

  it("registers a passkey (the stored row) and signs in with it", async () => {
    const auth = pluginAuth(d.db, d.s.authSchema, [passkey({ rpID: rpId, origin })]);
    const signedUp = await auth.api.signUpEmail({
      body: { email: newEmail(), password, name: "Ada" },
      returnHeaders: true,
    });
    const userId = signedUp.response.user.id;
    let cookie = cookieFrom(signedUp.headers);
    const device = authenticator();

    const registration = await auth.api.generatePasskeyRegistrationOptions({ headers: cookie, returnHeaders: true });
    expect(registration.response.rp.id).toBe(rpId);
    cookie = cookieFrom(registration.headers, cookie);
    await auth.api.verifyPasskeyRegistration({
      headers: withOrigin(cookie),
      body: { response: device.create(registration.response.challenge), name: "laptop" },
    });
    const [row] = await d.db.select().from(d.s.passkeyTable).where(eq(d.s.passkeyTable.userId, userId));
    expect(row).toMatchObject({
      name: "laptop",
      credentialID: device.id,
      counter: 0,
      backedUp: false,
      transports: "internal",
    });
    expect(row?.deviceType).toBe("singleDevice");
    expect(row?.createdAt).toBeInstanceOf(Date);

    const authentication = await auth.api.generatePasskeyAuthenticationOptions({ returnHeaders: true });
    const challengeCookie = cookieFrom(authentication.headers);
    const signedIn = await auth.api.verifyPasskeyAuthentication({
      headers: withOrigin(challengeCookie),
      body: { response: device.get(authentication.response.challenge, userId) },
      returnHeaders: true,
    });
    const session = await auth.api.getSession({ headers: cookieFrom(signedIn.headers) });
    expect(session?.user.id).toBe(userId);
    const [after] = await d.db.select().from(d.s.passkeyTable).where(eq(d.s.passkeyTable.userId, userId));
    expect(after?.counter).toBe(1);
    expect((await auth.api.listPasskeys({ headers: cookie })).map((p) => p.id)).toEqual([row?.id]);
  });
});
