// The monitoring section of the settings file: defaults, and every malformed threshold refused with CONFIG_ERR_INVALID and its path.
import { describe, expect, it } from '@jest/globals';
import { settingsFrom } from '../../src/config/load-config.js';
import { DEFAULT_MONITORING, parseMonitoringSettings } from '../../src/config/monitoring-settings.js';
import { parseSettingsFile } from '../../src/config/settings-file.js';

describe('parseMonitoringSettings', () => {
  it('fills in the defaults, and reads the settings file section', () => {
    expect(settingsFrom(undefined, undefined).monitoring).toEqual(DEFAULT_MONITORING);
    const file = parseSettingsFile(
      'kih.json',
      JSON.stringify({ monitoring: { thresholds: { refusedShareDay: 0.1, verificationFailureShareDay: null } } })
    );
    expect(settingsFrom(file, 'kih.json').monitoring).toEqual({
      thresholds: { refusedShareDay: 0.1, verificationFailureShareDay: null },
      minDocumentsDay: 20,
      checkMinutes: 15,
    });
  });

  it.each([
    ['not an object', 5, 'kih.json: monitoring', /must be an object/],
    ['an unknown key', { treshold: {} }, 'kih.json: monitoring.treshold', /unknown key/],
    [
      'an unknown threshold',
      { thresholds: { refusedShare: 0.1 } },
      'kih.json: monitoring.thresholds.refusedShare',
      /unknown threshold/,
    ],
    [
      'a share above 1',
      { thresholds: { refusedShareDay: 5 } },
      'kih.json: monitoring.thresholds.refusedShareDay',
      /between 0 and 1/,
    ],
    [
      'a share as text',
      { thresholds: { verificationFailureShareDay: '2%' } },
      'kih.json: monitoring.thresholds.verificationFailureShareDay',
      /between 0 and 1/,
    ],
    ['a negative minimum', { minDocumentsDay: -1 }, 'kih.json: monitoring.minDocumentsDay', /whole number/],
    ['a fractional interval', { checkMinutes: 1.5 }, 'kih.json: monitoring.checkMinutes', /whole number/],
  ])('refuses %s', (_name, value, path, message) => {
    expect(() => parseMonitoringSettings('kih.json', value)).toThrow(message);
    expect(() => parseMonitoringSettings('kih.json', value)).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERR_INVALID', path })
    );
  });

  it('refuses a bad section when the settings are loaded, not when a page is shown', () => {
    const file = parseSettingsFile(
      'kih.json',
      JSON.stringify({ monitoring: { thresholds: { refusedShareDay: -0.1 } } })
    );
    expect(() => settingsFrom(file, 'kih.json')).toThrow(expect.objectContaining({ code: 'CONFIG_ERR_INVALID' }));
  });
});
