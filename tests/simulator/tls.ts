import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import forge from 'node-forge';

export interface TlsMaterial {
  dir: string;
  caFile: string;
  caPem: string;
  keyPem: string;
  certPem: string;
}

interface KeyPair {
  nodeKey: crypto.KeyObject;
  publicKey: forge.pki.rsa.PublicKey;
  privatePem: string;
}

function rsaKeyPair(): Promise<KeyPair> {
  // Node's native key generation runs in the thread pool; forge's pure-JS one takes seconds.
  return new Promise((resolve, reject) => {
    crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
      if (err) return reject(err);
      resolve({
        nodeKey: privateKey,
        publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey,
        privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      });
    });
  });
}

// Key generation dominates start-up, so a process reuses its two key pairs; every simulator still gets its own CA and certificate.
let keys: Promise<[KeyPair, KeyPair]> | undefined;

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Signs forge's TBS digest natively: PKCS#1 v1.5 over the DigestInfo, as forge would, in a fraction of the time. */
function sign(cert: forge.pki.Certificate, key: KeyPair): void {
  const nativeSigner = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const input = Buffer.concat([SHA256_DIGEST_INFO, digest]);
      return crypto.privateEncrypt({ key: key.nodeKey, padding: crypto.constants.RSA_PKCS1_PADDING }, input).toString('binary');
    },
  };
  cert.sign(nativeSigner as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

function serial(): string {
  // positive serial: clear the top bit
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

/** A throwaway CA and a server certificate for 127.0.0.1 and localhost, the CA written to a temp dir. */
export async function createTlsMaterial(): Promise<TlsMaterial> {
  keys ??= Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const [ca, leaf] = await keys;
  const now = new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 7 * 24 * 60 * 60 * 1000);

  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = notBefore;
  caCert.validity.notAfter = notAfter;
  const caSubject = [{ name: 'commonName', value: 'Power Platform Simulator Test CA' }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  sign(caCert, ca);

  const cert = forge.pki.createCertificate();
  cert.publicKey = leaf.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  sign(cert, ca);

  const caPem = forge.pki.certificateToPem(caCert);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-sim-'));
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, caPem);
  return { dir, caFile, caPem, keyPem: leaf.privatePem, certPem: forge.pki.certificateToPem(cert) };
}
