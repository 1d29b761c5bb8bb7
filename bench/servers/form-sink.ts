// A second ceiling for POST /freeswitch/xml: a bare Fastify route taking the same form body as
// text (not parsed) and answering the "not found" document: what the request's size costs alone.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/freeswitch/xml', async (_request, reply) =>
  reply.type('text/xml; charset=utf-8').send('<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>'));
app.get('/ready', async () => 'ready');
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening ${address}`);
