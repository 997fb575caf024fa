// Deploy keys: the SSH key pair a trigger clones with (Quay's util/security/ssh.generate_ssh_keypair makes
// RSA with an OpenSSH public key and a "TraditionalOpenSSL" PKCS#1 PEM private key; we use 3072 bits).
// node:crypto has no OpenSSH public-key encoder, so the RFC 4253 §6.6 "ssh-rsa" blob is written here.
import crypto from "node:crypto";
import { promisify } from "node:util";

export interface DeployKey {
  /** "ssh-rsa AAAA... comment", one line, for authorized_keys or a service's deploy-key form. */
  publicKey: string;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), which `ssh -i` and `GIT_SSH_COMMAND` accept. */
  privateKey: string;
}

export const DEPLOY_KEY_BITS = 3072;

/** RFC 4251 string: uint32 length, then the bytes. */
function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** RFC 4251 mpint from unsigned big-endian bytes: no leading zeros, plus one when the top bit is set. */
function mpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  let b = unsigned.subarray(i);
  if (b.length > 0 && (b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

/** The OpenSSH one-line form of an RSA public key. */
export function opensshPublicKey(key: crypto.KeyObject, comment = ""): string {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) throw new Error("not an RSA public key");
  const blob = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    mpint(Buffer.from(jwk.e, "base64url")),
    mpint(Buffer.from(jwk.n, "base64url")),
  ]);
  // A newline in the comment would split the authorized_keys entry.
  const safe = comment.replace(/[\r\n\t]+/g, " ").trim();
  return `ssh-rsa ${blob.toString("base64")}${safe ? ` ${safe}` : ""}`;
}

const OPTIONS = {
  modulusLength: DEPLOY_KEY_BITS,
  publicExponent: 0x10001,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
} as const;

const toDeployKey = (privateKey: string, comment: string): DeployKey => ({
  publicKey: opensshPublicKey(crypto.createPublicKey(privateKey), comment),
  privateKey,
});

/** A new key pair (blocks for a moment: 3072-bit RSA generation takes tens to hundreds of ms). */
export function generateDeployKey(comment: string): DeployKey {
  const { privateKey } = crypto.generateKeyPairSync("rsa", {
    ...OPTIONS,
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return toDeployKey(privateKey, comment);
}

const generateKeyPair = promisify(crypto.generateKeyPair);

/** generateDeployKey without blocking the event loop (the work runs on libuv's thread pool). */
export async function generateDeployKeyAsync(comment: string): Promise<DeployKey> {
  const { privateKey } = await generateKeyPair("rsa", {
    ...OPTIONS,
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return toDeployKey(privateKey, comment);
}
