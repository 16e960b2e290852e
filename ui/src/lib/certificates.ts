// Certificates as Cognito gives them (base64 DER) and as people hand them on (PEM).

/** A base64 DER certificate armoured as PEM: 64 characters a line. */
export function pemCertificate(base64Der: string): string {
  const body = base64Der.replace(/\s+/g, "");
  const lines = body.match(/.{1,64}/g) ?? [];
  return ["-----BEGIN CERTIFICATE-----", ...lines, "-----END CERTIFICATE-----", ""].join("\n");
}
