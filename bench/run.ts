// `npm run bench`: every benchmark with its side-by-side ceiling or peer, measured in one run.
import { benchRoutingEngine } from './routing-engine.js';
import { benchHttpVerification } from './http-verification.js';
import { benchStartup } from './startup.js';
import { benchDialplanHttp } from './dialplan-http.js';
import { benchFreeSwitchCalls } from './freeswitch-calls.js';
import { benchSofiaConf } from './sofia-conf.js';
import { benchBlacklistImport, benchListsInDecide } from './blacklists.js';

const sections: [string, () => Promise<string>][] = [
  ['Routing engine: decide() and best() against one SQL LIKE query per call (XUI)', benchRoutingEngine],
  ['Blacklists and number translation in decide() at 1M routes', benchListsInDecide],
  ['Import of 1M blacklist numbers over the API', benchBlacklistImport],
  ['Route verification over HTTP at 100k routes, against a bare Fastify route', benchHttpVerification],
  ['Start-up: spawn to first answered request', () => benchStartup([0, 1_000_000])],
  ['Dialplan fetches (POST /freeswitch/xml) over HTTP at 100k routes, against a bare Fastify route', benchDialplanHttp],
  ['sofia.conf with 1,000 gateways, and dialplan fetches of routes to gateways at 100k routes', benchSofiaConf],
  ['Calls per second through a real FreeSWITCH: Switchboard dialplan against a static XML dialplan', benchFreeSwitchCalls],
];

console.log(`# Switchboard benchmarks (${new Date().toISOString()}, node ${process.version})\n`);
for (const [title, run] of sections) {
  console.log(`## ${title}\n`);
  console.log(`${await run()}\n`);
}
