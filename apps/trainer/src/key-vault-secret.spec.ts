import { parseSecretUri } from './key-vault-secret';

describe('Key Vault secret identifiers', () => {
  it.each([
    [
      'https://kv-ue-prod.vault.azure.net/secrets/ue-trainer-db-password',
      { vaultUrl: 'https://kv-ue-prod.vault.azure.net', name: 'ue-trainer-db-password' },
    ],
    [
      'https://kv-ue-prod.vault.azure.net/secrets/ue-trainer-db-password/',
      { vaultUrl: 'https://kv-ue-prod.vault.azure.net', name: 'ue-trainer-db-password' },
    ],
    [
      'https://kv-ue-prod.vault.azure.net/secrets/ue-trainer-db-password/4387e9f3d6e14c459867679a90fd0f79',
      {
        vaultUrl: 'https://kv-ue-prod.vault.azure.net',
        name: 'ue-trainer-db-password',
        version: '4387e9f3d6e14c459867679a90fd0f79',
      },
    ],
    ['https://kv-ue.vault.azure.cn/secrets/pw', { vaultUrl: 'https://kv-ue.vault.azure.cn', name: 'pw' }],
  ])('parses %s', (uri, expected) => {
    expect(parseSecretUri(uri)).toEqual(expected);
  });

  it.each([
    'http://kv-ue-prod.vault.azure.net/secrets/ue-trainer-db-password',
    'https://kv-ue-prod.vault.azure.net/keys/ue-trainer-db-password',
    'https://kv-ue-prod.vault.azure.net/secrets/ue_trainer_db_password',
    'https://kv-ue-prod.vault.azure.net/secrets/pw/v1/extra',
    'https://user:pw@kv-ue-prod.vault.azure.net/secrets/pw',
    'kv-ue-prod.vault.azure.net/secrets/pw',
    '',
  ])('refuses %j', (uri) => {
    expect(parseSecretUri(uri)).toBeNull();
  });
});
