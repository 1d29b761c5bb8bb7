/**
 * IVR sounds that name an uploaded media file by id are played from where the file is stored
 * under MEDIA_DIR, whatever path the console wrote beside the id; tones, streams and ids of no
 * file keep the path as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describeOnEachDatabase, type Harness } from '../helpers/harness.js';
import { createdId } from '../helpers/assertions.js';
import { temporaryMediaDir, uploadWav } from '../helpers/media.js';

const MEDIA_DIR = temporaryMediaDir();

async function ivrConf(server: Harness, menuName: string): Promise<string> {
  const form = new URLSearchParams({ section: 'configuration', tag_name: 'configuration', key_name: 'name', key_value: 'ivr.conf', 'Menu-Name': menuName });
  const reply = await server.request('POST', '/freeswitch/xml', form.toString(), { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(reply.status, 200);
  return String(reply.body);
}

const media = (media_id: number, media_path: string, media_type = 'UPLOAD') => JSON.stringify({ media_id, media_path, media_type });

describeOnEachDatabase('ivr.conf plays media files from MEDIA_DIR', (server) => {
  test('greetings and IVR_PLAY naming a media file by id play it from MEDIA_DIR; tones, streams and unknown ids as written', async () => {
    const file = await uploadWav(server());
    const stored = join(MEDIA_DIR, file.file_name);
    const ivr = createdId(await server().post('/api/ivrs', {
      name: 'media menu',
      greet_long: media(file.id, '/another/host/welcome.wav'),
      greet_short: media(file.id, 'tone_stream://%(200,0,800)', 'RINGTONE'),
      invalid_sound: media(file.id + 1000, '/kept/as/written.wav'),
      exit_sound: media(file.id, ''),
    }));
    createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '1', action: 'IVR_PLAY', args: media(file.id, 'old/name.wav') }));
    createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '2', action: 'IVR_PLAY', args: '/plain/path.wav' }));
    // CherryPBX's action dialog stores the picked media file's id.
    createdId(await server().post(`/api/ivrs/${ivr}/actions`, { digits: '3', action: 'IVR_PLAY', args: String(file.id) }));

    const document = await ivrConf(server(), 'media menu');
    const attribute = (name: string) => new RegExp(`<menu [^>]*${name}="([^"]*)"`).exec(document)?.[1];
    assert.equal(attribute('greet-long'), stored);
    assert.equal(attribute('greet-short'), 'tone_stream://%(200,0,800)');
    assert.equal(attribute('invalid-sound'), '/kept/as/written.wav');
    assert.equal(attribute('exit-sound'), stored);
    assert.match(document, new RegExp(`<entry action="menu-play-sound" digits="1" param="${stored}"/>`));
    assert.match(document, /<entry action="menu-play-sound" digits="2" param="\/plain\/path.wav"\/>/);
    assert.match(document, new RegExp(`<entry action="menu-play-sound" digits="3" param="${stored}"/>`));

    // The media JSON is answered as the console wrote it.
    const [action] = (await server().get(`/api/ivrs/${ivr}/actions`)).body;
    assert.deepEqual(JSON.parse(action.args), { media_id: file.id, media_path: 'old/name.wav', media_type: 'UPLOAD' });
  });
}, { mediaDir: MEDIA_DIR });
