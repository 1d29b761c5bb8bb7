import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgres, withClient } from '../helpers/databases.js';
import { twoServersOnPostgres, type Harness } from '../helpers/harness.js';
import { freshContext, unique } from '../helpers/routing.js';

/**
 * Real concurrency, which only PostgreSQL shows: two servers on one database, as two processes,
 * racing a parent's delete against children being added under it. Whatever wins, the database
 * never holds a child without its parent, and no request answers 5xx.
 */
if (postgres.unavailable) console.log(`# skipped: ${postgres.unavailable}`);

const ROUNDS = 12;

const rows = (server: Harness, sql: string, values: unknown[] = []): Promise<any[]> =>
  withClient(server.database.url, async (client) => (await client.query(sql, values)).rows);

function assertNo5xx(statuses: number[], what: string): void {
  assert.deepEqual(statuses.filter((status) => status >= 500), [], `${what}: ${statuses.join(',')}`);
}

describe('writes racing deletes [postgres]', { skip: postgres.unavailable ?? false }, () => {
  const { a, b } = twoServersOnPostgres();

  test('a context deleted while routes are created in it: never a route in a context that is gone', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const context = await freshContext(a());
      const contextId = (await a().get(`/api/contexts?key=${context}`)).body.data[0].id;
      const creates = Array.from({ length: 4 }, (_, i) =>
        b().post('/api/routes', { name: unique(`race-${round}-${i}`), context, prefix: String(i), max_length: 11, dest_type: 'FS_DEST_USER', body: '1000' }));
      const [deleted, ...created] = await Promise.all([a().delete(`/api/contexts/${contextId}`), ...creates]);
      assertNo5xx([deleted!.status, ...created.map((reply) => reply.status)], 'statuses');
      const orphans = await rows(a(), 'select r.id from routes r left join contexts c on c.key = r.context where c.id is null');
      assert.deepEqual(orphans, [], `round ${round}: routes left in a deleted context`);
      if (deleted!.status === 200) for (const reply of created) assert.equal(reply.status, 400, JSON.stringify(reply.body));
      if (deleted!.status === 409) assert.match(deleted!.body.message, /^id: context .+ is used by route/);
    }
  });

  test('route params and time segments added while their route is deleted: never left behind', async () => {
    const context = await freshContext(a());
    for (let round = 0; round < ROUNDS; round++) {
      const route = await a().post('/api/routes', { name: unique('doomed'), context, prefix: String(round), max_length: 11, dest_type: 'FS_DEST_USER', body: '1' });
      const id = route.body.data.id;
      const [deleted, param, segment] = await Promise.all([
        a().delete(`/api/routes/${id}`),
        b().post(`/api/routes/${id}/params`, { k: 'set', v: 'a=b' }),
        b().post('/api/time_recurrence', [{ route_id: id, time_recurrence: '20200101T000000|PT1H|daily||1', dest_type: 'FS_DEST_USER', body: '2' }]),
      ]);
      assertNo5xx([deleted!.status, param!.status, segment!.status], `round ${round}`);
      assert.equal(deleted!.status, 200);
      assert.ok([200, 404].includes(param!.status), JSON.stringify(param!.body));
      assert.ok([200, 400].includes(segment!.status), JSON.stringify(segment!.body));
    }
    assert.deepEqual(await rows(a(), "select p.id from params p left join routes r on r.id = p.ref_id where p.realm = 'ROUTE' and r.id is null"), []);
    assert.deepEqual(await rows(a(), 'select t.id from time_recurrences t left join routes r on r.id = t.route_id where r.id is null'), []);
  });

  test('template recurrences added while their template is deleted: a 4xx, never a 500', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const template = await a().post('/api/time_recurrence/templates', [{ name: unique('template') }]);
      const id = template.body.data[0].id;
      const [deleted, added] = await Promise.all([
        a().request('DELETE', '/api/time_recurrence/templates', [id]),
        b().post('/api/time_recurrence/templates/time_recurrences', [{ template_id: id, time_recurrence: '20200101T000000|PT1H|daily||1' }]),
      ]);
      assertNo5xx([deleted!.status, added!.status], `round ${round}`);
      assert.equal(deleted!.status, 200);
    }
    assert.deepEqual(await rows(a(), 'select i.id from template_recurrences i left join time_templates t on t.id = i.template_id where t.id is null'), []);
  });

  test('a media file deleted while IVR_PLAY entries naming it are added: never an entry playing a file that is gone', async () => {
    const ivr = (await a().post('/api/ivrs', { name: unique('player') })).body.data;
    for (let round = 0; round < ROUNDS; round++) {
      // Setup only: a row is all the race needs (the file on disk goes after commit, if at all).
      const [file] = await rows(a(), `insert into media_files (type, name, description, file_name, original_file_name, ext, mime, file_size, channel_uuid, created_at, updated_at)
        values ('UPLOAD', $1, '', $2, 'x.wav', 'wav', 'audio/wav', 44, '', now()::text, now()::text) returning id`, [unique('prompt'), `race-${round}-${Date.now()}.wav`]);
      const adds = Array.from({ length: 3 }, (_, i) => b().post(`/api/ivrs/${ivr}/actions`, { digits: `${round}${i}`, action: 'IVR_PLAY', args: String(file.id) }));
      const [deleted, ...added] = await Promise.all([a().delete(`/api/media_files/${file.id}`), ...adds]);
      assertNo5xx([deleted!.status, ...added.map((reply) => reply.status)], `round ${round}`);
      if (deleted!.status === 200) for (const reply of added) assert.equal(reply.status, 400, JSON.stringify(reply.body));
      else assert.match(deleted!.body.message, /^id: media file .+ is played by action \d+ of IVR/);
    }
    assert.deepEqual(await rows(a(), "select a.id from ivr_actions a left join media_files m on m.id = a.args::int where a.action = 'IVR_PLAY' and m.id is null"), []);
  });

  test('30 contexts created at once without a key, through two processes: 30 distinct generated keys', async () => {
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      (i % 2 ? a() : b()).post('/api/contexts', { name: unique('parallel') })));
    assert.deepEqual(replies.map((reply) => reply.status), Array(30).fill(200), JSON.stringify(replies.find((reply) => reply.status !== 200)?.body));
    const ids = replies.map((reply) => reply.body.data);
    const keys = await rows(a(), 'select key from contexts where id = any($1)', [ids]);
    assert.equal(new Set(keys.map((row) => row.key)).size, 30);
  });
});
