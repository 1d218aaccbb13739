// Targets from the built-ins, the settings file and the environment; unknown or ill-typed settings are refused.
import { describe, expect, it } from '@jest/globals';
import { resolveTarget } from '../../src/config/target-settings.js';
import { parseSettingsFile } from '../../src/config/settings-file.js';
import type { SettingsFile } from '../../src/config/settings-file.js';

const file = (json: unknown): SettingsFile => parseSettingsFile('settings.json', JSON.stringify(json));

describe('resolveTarget', () => {
  it('built-in targets as they are without a file', () => {
    expect(resolveTarget('kih-test', undefined)).toMatchObject({
      repositoryUniqueId: '1.2.208.176.43210.8.1.29',
      live: true,
    });
    expect(resolveTarget('local', undefined)).toMatchObject({ embedded: true, dgws: true });
  });

  it('the file sets endpoint, ID card, TLS, timeouts and retries for a target', () => {
    const t = resolveTarget(
      'kih-test',
      file({
        targets: {
          'kih-test': {
            endpoint: 'https://127.0.0.1:9443/kih-iti41/iti41',
            idCard: {
              cvr: '87654321',
              careProviderName: 'Vendor',
              itSystemName: 'Tele',
              certificateFile: 'c.pem',
              privateKeyFile: 'k.pem',
            },
            tls: { caFile: 'ca.pem' },
            timeouts: { headersMs: 5000 },
            retry: { maxAttempts: 2 },
          },
        },
      })
    );
    expect(t).toMatchObject({
      endpoint: 'https://127.0.0.1:9443/kih-iti41/iti41',
      idCard: { cvr: '87654321', itSystemName: 'Tele' },
      tls: { caFile: 'ca.pem' },
      timeouts: { headersMs: 5000 },
      retry: { maxAttempts: 2 },
    });
  });

  it('registry and retrieve endpoints: built in for the simulator, unset for KIH, set by the file, refused when not URLs', () => {
    expect(resolveTarget('simulator', undefined)).toMatchObject({
      registryEndpoint: 'http://127.0.0.1:8041/kih-sim/registry/iti18',
      retrieveEndpoint: 'http://127.0.0.1:8041/kih-sim/repository/iti43',
    });
    const kih = resolveTarget('kih-test', undefined);
    expect(kih.registryEndpoint).toBeUndefined();
    expect(kih.retrieveEndpoint).toBeUndefined();
    const set = resolveTarget(
      'kih-test',
      file({
        targets: {
          'kih-test': {
            registryEndpoint: 'https://127.0.0.1:9443/iti18',
            retrieveEndpoint: 'https://127.0.0.1:9443/iti43',
          },
        },
      })
    );
    expect(set).toMatchObject({
      registryEndpoint: 'https://127.0.0.1:9443/iti18',
      retrieveEndpoint: 'https://127.0.0.1:9443/iti43',
    });
    expect(() =>
      resolveTarget('kih-test', file({ targets: { 'kih-test': { registryEndpoint: 'not a url' } } }))
    ).toThrow(/registryEndpoint/);
    expect(() => resolveTarget('kih-test', file({ targets: { 'kih-test': { retrieveEndpoint: 42 } } }))).toThrow(
      /retrieveEndpoint/
    );
  });

  it('an endpoint for local turns off the embedded simulator', () => {
    expect(resolveTarget('local', file({ targets: { local: { endpoint: 'http://127.0.0.1:9000/x' } } })).embedded).toBe(
      false
    );
  });

  it.each([
    [{ targets: { 'kih-test': { endpont: 'x' } } }, /targets\.kih-test\.endpont: unknown setting/],
    [{ targets: { 'kih-test': { endpoint: 'ftp://x' } } }, /not an http or https URL/],
    [{ targets: { 'kih-test': { soapVersion: '2' } } }, /soapVersion: must be "1.1" or "1.2"/],
    [{ targets: { 'kih-test': { idCard: { cvr: '123' } } } }, /idCard.cvr: must be an 8-digit CVR number/],
    [{ targets: { 'kih-test': { retry: { maxAttempts: 0 } } } }, /maxAttempts: must be a positive whole number/],
    [{ targets: { mine: { soapVersion: '1.2' } } }, /Unknown target "mine"/],
  ])('%j is refused', (json, message) => {
    const name = Object.keys((json as { targets: object }).targets)[0] ?? '';
    expect(() => resolveTarget(name, file(json))).toThrow(message);
  });

  it('a target defined only in the file needs an endpoint', () => {
    const t = resolveTarget(
      'mine',
      file({ targets: { mine: { endpoint: 'http://127.0.0.1:9000/iti41', soapVersion: '1.2' } } })
    );
    expect(t).toMatchObject({ name: 'mine', soapVersion: '1.2', dgws: false, live: false });
  });

  it('environment variables give the ID card files for live targets, never for local', () => {
    const env = {
      KIH_ID_CARD_CERT_FILE: '/secrets/c.pem',
      KIH_ID_CARD_KEY_FILE: '/secrets/k.pem',
      KIH_CVR: '11223344',
    };
    const f = file({
      targets: {
        'kih-test': {
          idCard: {
            cvr: '87654321',
            careProviderName: 'V',
            itSystemName: 'T',
            certificateFile: 'c',
            privateKeyFile: 'k',
          },
        },
      },
    });
    expect(resolveTarget('kih-test', f, env).idCard).toMatchObject({
      cvr: '11223344',
      certificateFile: '/secrets/c.pem',
    });
    expect(resolveTarget('local', undefined, env).idCard?.cvr).toBe('12345678');
    // Names the environment does not give must come from the file: no invented care provider.
    expect(() => resolveTarget('kih-test', undefined, env)).toThrow(/careProviderName: must be a non-empty string/);
  });
});
