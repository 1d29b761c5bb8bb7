// A ceiling for large answers: a bare Fastify route answering a POST with BODY_BYTES of ready XML,
// what sending a document of that size costs with no work behind it.
import Fastify from 'fastify';

const body = `<document type="freeswitch/xml">${'x'.repeat(Math.max(0, Number(process.env.BODY_BYTES ?? 0) - 43))}</document>`;
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) => done(null, text));
app.post('/freeswitch/xml', async (_request, reply) => reply.type('text/xml; charset=utf-8').send(body));
app.get('/ready', async () => 'ready');
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening ${address}`);
