import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadConfig } from '../src/config.js';

describe('configuration of the switches', () => {
  it('FREESWITCH_ESL: unset is the local switch; empty or none is no switch at all', () => {
    assert.deepEqual(loadConfig({}).switches, [{ name: '127.0.0.1:8021', host: '127.0.0.1', port: 8021, password: 'ClueCon' }]);
    for (const none of ['', '  ', 'none', 'NONE ']) assert.deepEqual(loadConfig({ FREESWITCH_ESL: none }).switches, [], JSON.stringify(none));
    assert.deepEqual(loadConfig({ FREESWITCH_ESL: 'fs1:8022:secret' }).switches.map((address) => address.name), ['fs1:8022']);
    assert.throws(() => loadConfig({ FREESWITCH_ESL: 'fs1:x:secret' }), /^Error: FREESWITCH_ESL: entry 1/);
  });

  it('RECORDINGS_DIR: ./data/recordings by default, made absolute, and only of characters a command line keeps', () => {
    assert.equal(loadConfig({}).recordingsDir, resolve('data', 'recordings'));
    assert.equal(loadConfig({ RECORDINGS_DIR: '/srv/recordings/' }).recordingsDir, '/srv/recordings');
    assert.equal(loadConfig({ RECORDINGS_DIR: 'rec' }).recordingsDir, resolve('rec'));
    for (const dir of ['/srv/my recordings', "/srv/rec'", '/srv/rec,x', '/srv/${x}', '/']) {
      assert.throws(() => loadConfig({ RECORDINGS_DIR: dir }), /^Error: RECORDINGS_DIR must be/, dir);
    }
  });

  it('MEDIA_DIR: ./data/media by default, made absolute, and only of characters a command line keeps (switches play files from it)', () => {
    assert.equal(loadConfig({}).mediaDir, resolve('data', 'media'));
    assert.equal(loadConfig({ MEDIA_DIR: '/srv/media/' }).mediaDir, '/srv/media');
    for (const dir of ['/srv/my media', '/srv/m;x', '/']) {
      assert.throws(() => loadConfig({ MEDIA_DIR: dir }), /^Error: MEDIA_DIR must be/, dir);
    }
  });

  it('SIP_DOMAIN: 127.0.0.1 (the shipped vars.xml domain) by default, else a host name or IPv4 address', () => {
    assert.equal(loadConfig({}).sipDomain, '127.0.0.1');
    assert.equal(loadConfig({ SIP_DOMAIN: 'pbx.example.com' }).sipDomain, 'pbx.example.com');
    for (const domain of ['pbx example.com', '-pbx', 'pbx.example.com:5060', '${domain}']) {
      assert.throws(() => loadConfig({ SIP_DOMAIN: domain }), /^Error: SIP_DOMAIN must be/, domain);
    }
  });
});
