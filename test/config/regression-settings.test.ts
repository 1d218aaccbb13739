// The regression section of the settings file: corpora relative to the file, a checked cron, every malformed value refused with CONFIG_ERR_INVALID.
import { describe, expect, it } from '@jest/globals';
import { parseRegressionSettings } from '../../src/config/regression-settings.js';
import { parseSettingsFile } from '../../src/config/settings-file.js';

describe('parseRegressionSettings', () => {
  it('resolves corpus directories against the settings file and fills in the defaults', () => {
    const file = parseSettingsFile(
      'kih.json',
      JSON.stringify({
        regression: { schedule: '0  2 * * *', corpora: [{ dir: 'corpora/medcom', submit: 'simulator' }] },
      })
    );
    expect(parseRegressionSettings('kih.json', file.regression, '/etc/kih')).toEqual({
      schedule: '0 2 * * *',
      vendor: 'medcom-regression',
      corpora: [{ name: 'medcom', dir: '/etc/kih/corpora/medcom', submit: 'simulator' }],
      pollMs: 1000,
    });
  });

  it.each([
    ['not an object', [], /must be an object/],
    ['an unknown key', { corpora: [{ dir: 'a' }], when: 1 }, /regression\.when: unknown key/],
    ['no corpora', { schedule: '0 2 * * *', corpora: [] }, /at least one corpus/],
    ['a corpus without dir', { corpora: [{ name: 'a' }] }, /corpora\[0\]\.dir/],
    ['two corpora of one name', { corpora: [{ dir: 'x/a' }, { dir: 'y/a' }] }, /second corpus named "a"/],
    ['a bad name', { corpora: [{ dir: 'a', name: 'a b' }] }, /corpus name/],
    ['a bad cron', { schedule: '0 2 * *', corpora: [{ dir: 'a' }] }, /not a cron expression/],
    ['a bad vendor', { vendor: 'MedCom', corpora: [{ dir: 'a' }] }, /vendor/],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseRegressionSettings('kih.json', value, '/')).toThrow(message);
    expect(() => parseRegressionSettings('kih.json', value, '/')).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERR_INVALID' })
    );
  });
});
