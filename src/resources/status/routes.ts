import { existsSync } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import { freemem, hostname, networkInterfaces, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { wireTime } from '../../http/kit/time.js';
import type { SwitchStatusSource } from './switch-status.js';

export interface StatusOptions {
  switches: SwitchStatusSource;
  /** Directories whose file systems the disk figures cover, most important first (recordings, media). */
  dataDirs: readonly string[];
}

const NO_SWITCH = 'no switch connected';

const HostInfo = Type.Object({
  hostname: Type.String(),
  ip: Type.String({ description: "the first non-internal IPv4 address, or the first IPv6 one, or \"\"" }),
  ext_ip: Type.String({ description: 'the public address, "" as the host cannot know it on its own' }),
  ips: Type.Array(Type.String()),
});

const DiskUsage = Type.Object({
  path: Type.String({ description: 'the directory measured (the file system holding it)' }),
  total: Type.Integer({ description: 'bytes' }),
  used: Type.Integer({ description: 'bytes' }),
  available: Type.Integer({ description: 'bytes available to unprivileged users' }),
  percent: Type.Number({ description: 'used / (used + available), as df counts it' }),
  usage: Type.String({ description: 'percent as text, e.g. "37.5%"' }),
});

const MemoryUsage = Type.Object({
  total: Type.Integer({ description: 'bytes' }),
  available: Type.Integer({ description: 'bytes (MemAvailable on Linux)' }),
  physical_memory_usage: Type.Integer({ description: 'bytes in use: total - available' }),
  percent: Type.Number(),
});

/** FreeSWITCH's own `status` figures are passed through as it gives them. */
const SwitchStats = Type.Object({
  connected: Type.Boolean(),
  message: Type.Optional(Type.String()),
  switch: Type.Optional(Type.String({ description: '`host:port` of the switch these figures are from' })),
  date: Type.String({ description: "Switchboard's clock" }),
  systemStatus: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  uptime: Type.Optional(Type.Unknown()),
  sessions: Type.Optional(Type.Unknown()),
  idleCPU: Type.Optional(Type.Unknown()),
  stackSizeKB: Type.Optional(Type.Unknown()),
});

const SipStatus = Type.Object({
  connected: Type.Boolean(),
  message: Type.Optional(Type.String()),
  register_count: Type.Optional(Type.Integer({ description: 'SIP registrations over every switch that answered' })),
  switches: Type.Array(Type.Object({ switch: Type.String(), connected: Type.Boolean(), register_count: Type.Optional(Type.Integer()) })),
});

const SofiaStatus = Type.Object({
  connected: Type.Boolean(),
  message: Type.Optional(Type.String()),
  profiles: Type.Record(Type.String(), Type.Object({
    info: Type.Object({ url: Type.String() }),
    status: Type.Object({ state: Type.String() }),
    switch: Type.String({ description: '`host:port` of the switch that reported it' }),
  })),
});

function addresses(): string[] {
  const external = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((address) => !address.internal);
  return [...external.filter((address) => address.family === 'IPv4'), ...external.filter((address) => address.family === 'IPv6')]
    .map((address) => address.address);
}

/** The directory itself, or its nearest ancestor that exists (a recordings directory not made yet). */
function existingAncestor(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

async function diskUsage(dirs: readonly string[]) {
  const seen = new Set<number>();
  const usage = [];
  for (const path of [...dirs, '/'].map(existingAncestor)) {
    const { dev } = await stat(path);
    if (seen.has(dev)) continue;
    seen.add(dev);
    const fs = await statfs(path);
    const total = fs.blocks * fs.bsize;
    const used = (fs.blocks - fs.bfree) * fs.bsize;
    const available = fs.bavail * fs.bsize;
    const percent = used + available === 0 ? 0 : Math.round((used / (used + available)) * 1000) / 10;
    usage.push({ path, total, used, available, percent, usage: `${percent}%` });
  }
  return usage;
}

/**
 * The dashboard's figures: the host's from the operating system, the switches' from the switches
 * themselves. With no switch answering, the switch endpoints say so (`connected: false`) and give
 * no figure: a 200, since CherryPBX shows invented numbers when a dashboard call fails.
 */
export async function statusRoutes(parent: FastifyInstance, options: StatusOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['status'];
  const { switches } = options;

  app.get('/api/status/host_info', {
    schema: { tags, summary: "The host's name and addresses", response: { 200: HostInfo } },
  }, async () => {
    const ips = addresses();
    return { hostname: hostname(), ip: ips[0] ?? '', ext_ip: '', ips };
  });

  app.get('/api/status/disk', {
    schema: { tags, summary: 'Usage of the file systems holding the recordings, the media and /', response: { 200: Type.Array(DiskUsage) } },
  }, async () => diskUsage(options.dataDirs));

  app.get('/api/status/memory', {
    schema: { tags, summary: "The host's memory", response: { 200: MemoryUsage } },
  }, async () => {
    const total = totalmem();
    const available = freemem();
    const used = total - available;
    return { total, available, physical_memory_usage: used, percent: Math.round((used / total) * 1000) / 10 };
  });

  // CherryPBX's dashboard draws a day of disk and memory history under its gauges. Switchboard
  // samples nothing between requests, so there is no history to give: an empty series, not a 404
  // (the page logs an error for it) and not invented points.
  app.get('/api/rrdgraphs/:graph', {
    schema: {
      tags,
      summary: 'History of a dashboard figure (disk, memory): always empty, as no samples are kept',
      params: Type.Object({ graph: Type.Union([Type.Literal('disk'), Type.Literal('memory'), Type.Literal('cpu')]) }),
      querystring: Type.Object({ days: Type.Optional(Type.String()) }),
      response: { 200: Type.Array(Type.Array(Type.Number())) },
    },
  }, async () => []);

  app.get('/api/freeswitch/stats', {
    schema: { tags, summary: "FreeSWITCH's status (uptime, sessions, idle CPU, version) of the first switch that answers", response: { 200: SwitchStats } },
  }, async () => {
    const date = wireTime(new Date().toISOString());
    const [first] = await switches.statuses();
    if (!first) return { connected: false, message: NO_SWITCH, date };
    return { ...first.value, connected: true, switch: first.switchName, date };
  });

  // CherryPBX's SIP page shows each profile's URL and state from `profiles.<name>.info.url` and
  // `.status.state`; a profile no switch runs is left out (the page then shows it blank).
  app.get('/api/sip_profiles/sip_status', {
    schema: {
      tags: ['sip_profiles'],
      summary: 'The SIP profiles the switches run, with their URL and state (the first switch naming a profile wins)',
      response: { 200: SofiaStatus },
    },
  }, async () => {
    const answers = await switches.sofiaProfiles();
    const byName = new Map<string, { info: { url: string }; status: { state: string }; switch: string }>();
    for (const { switchName, value } of answers) {
      for (const { name, url, state } of value) if (!byName.has(name)) byName.set(name, { info: { url }, status: { state }, switch: switchName });
    }
    const profiles = Object.fromEntries(byName);
    return answers.length === 0 ? { connected: false, message: NO_SWITCH, profiles } : { connected: true, profiles };
  });

  app.get('/api/sip_status', {
    schema: { tags, summary: 'SIP registrations held by the switches', response: { 200: SipStatus } },
  }, async () => {
    const counts = new Map((await switches.registrationCounts()).map((answer) => [answer.switchName, answer.value]));
    const each = switches.names().map((name) => (counts.has(name)
      ? { switch: name, connected: true, register_count: counts.get(name)! }
      : { switch: name, connected: false }));
    if (counts.size === 0) return { connected: false, message: NO_SWITCH, switches: each };
    return { connected: true, register_count: [...counts.values()].reduce((sum, count) => sum + count, 0), switches: each };
  });
}
