import { ManagedIdentityCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { errorMessage } from '@app/common';

/** A Key Vault secret identifier, split: the vault, the secret's name and, optionally, one version. */
export interface SecretReference {
  vaultUrl: string;
  name: string;
  version?: string;
}

// https://<vault host>/secrets/<name>[/<version>]: names are 1-127 letters, digits and dashes. Any host, so
// that sovereign clouds (vault.azure.cn, vault.usgovcloudapi.net) work; https only.
const SECRET_URI = /^https:\/\/([^/\s?#@]+)\/secrets\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]+))?\/?$/;

/** Parses a Key Vault secret identifier; null when the text is not one. */
export function parseSecretUri(uri: string): SecretReference | null {
  const m = SECRET_URI.exec(uri);
  if (!m) return null;
  return { vaultUrl: `https://${m[1]!}`, name: m[2]!, ...(m[3] ? { version: m[3] } : {}) };
}

/**
 * Reads a Key Vault secret with a managed identity. On Azure ML compute that is the compute's identity:
 * the user-assigned one whose client id is given, else the compute's default identity (Azure ML sets
 * MSI_ENDPOINT, MSI_SECRET and DEFAULT_IDENTITY_CLIENT_ID in the job, which the credential reads). A
 * managed identity, not DefaultAzureCredential: the job only ever runs on the compute, and a chain that
 * falls through to other credentials would hide a missing identity behind a later, vaguer error.
 */
export async function readKeyVaultSecret(
  uri: string,
  clientId: string,
  credential: TokenCredential = new ManagedIdentityCredential(clientId ? { clientId } : {}),
): Promise<string> {
  const ref = parseSecretUri(uri);
  if (!ref) throw new Error(`${uri} is not a Key Vault secret identifier (https://<vault>/secrets/<name>)`);
  const identity = clientId ? `managed identity ${clientId}` : "the compute's managed identity";
  let value: string | undefined;
  try {
    const secret = await new SecretClient(ref.vaultUrl, credential).getSecret(ref.name, {
      version: ref.version,
    });
    value = secret.value;
  } catch (err) {
    throw new Error(`reading Key Vault secret ${uri} as ${identity} failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (!value) throw new Error(`Key Vault secret ${uri} is empty`);
  return value;
}
