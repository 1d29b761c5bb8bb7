/**
 * Calls per second a real FreeSWITCH completes when Switchboard routes them (a dialplan fetch per
 * call over mod_xml_curl) next to the same FreeSWITCH configuration with the equivalent static
 * XML dialplan, sipp driving both in one run, rounds alternating. Each call: INVITE, 200, ACK,
 * the switch answers and parks, BYE. Skipped, saying why, without FreeSWITCH or sipp.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FreeSwitch, freeSipPort, freeUdpPorts, freeswitchUnavailable, startSipp } from '../test/helpers/freeswitch.js';
import { formatTable } from './table.js';
import { login, median, startServer, type RunningServer } from './processes.js';

const CALLS = 2_000;
const IN_FLIGHT = 50;
const ROUNDS = 3;
const PASSWORD = 'bench-password';
const XML_USER = 'freeswitch';
const XML_PASSWORD = 'bench-xml-password';

/** What both dialplans do with every call. */
const APPLICATIONS = ['answer', 'park'];
const STATIC_DIALPLAN = [
  '      <extension name="bench">',
  '        <condition field="destination_number" expression="^\\d+$">',
  ...APPLICATIONS.map((application) => `          <action application="${application}"/>`),
  '        </condition>',
  '      </extension>',
].join('\n');

interface Run {
  callsPerSecond: number;
  failed: number;
  /** CPU time per completed call, in milliseconds. */
  freeswitchCpuMs: number;
  switchboardCpuMs: number;
}

/** CPU time a process has used so far, in milliseconds (Linux /proc; utime + stime). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ", utime and stime are the 12th and 13th fields, in clock ticks (100 per second).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** `CALLS` calls into the switch's public profile, `IN_FLIGHT` at a time, as fast as they complete. */
async function drive(freeswitch: FreeSwitch, switchboardPid: number | undefined): Promise<Run> {
  const cpuBefore = { freeswitch: cpuMs(freeswitch.pid), switchboard: cpuMs(switchboardPid) };
  const started = performance.now();
  const sipp = await startSipp({
    scenario: 'uac-caller-hangs-up.xml',
    remote: `127.0.0.1:${freeswitch.ports.publicSip}`,
    localPort: await freeSipPort(),
    service: '5551000',
    keys: { caller: '2000', rtp_port: String(await freeUdpPorts(2)) },
    calls: CALLS, rate: 10_000, limit: IN_FLIGHT, timeoutSeconds: 300,
    extra: ['-d', '0'],
    traceMessages: false,
  });
  const run = await sipp.done;
  const seconds = (performance.now() - started) / 1000;
  const counter = (name: string) => Number(new RegExp(`${name}\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)`).exec(run.output)?.[1] ?? NaN);
  const succeeded = counter('Successful call');
  if (Number.isNaN(succeeded)) throw new Error(`sipp printed no statistics (exit ${run.code}):\n${run.output.slice(-2000)}`);
  return {
    callsPerSecond: succeeded / seconds,
    failed: counter('Failed call'),
    freeswitchCpuMs: (cpuMs(freeswitch.pid) - cpuBefore.freeswitch) / succeeded,
    switchboardCpuMs: (cpuMs(switchboardPid) - cpuBefore.switchboard) / succeeded,
  };
}

export async function benchFreeSwitchCalls(): Promise<string> {
  const missing = freeswitchUnavailable();
  if (missing) return `skipped: ${missing}`;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-calls-'));
  const running: { stop(): Promise<void> }[] = [];
  try {
    const switchboard: RunningServer = await startServer(['dist/src/main.js'], {
      DATABASE_URL: join(dir, 'switchboard.db'), ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', FREESWITCH_ESL: 'none',
      FREESWITCH_XML_USER: XML_USER, FREESWITCH_XML_PASSWORD: XML_PASSWORD,
    }, '/api/ping');
    running.push(switchboard);
    const token = await login(switchboard.baseUrl, PASSWORD);
    const created = await fetch(`${switchboard.baseUrl}/api/routes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xtra-auth-id': token },
      body: JSON.stringify({ name: 'bench', context: 'context-2', prefix: '', max_length: 20, dest_type: 'FS_DEST_SYSTEM', body: APPLICATIONS.join('\n') }),
    });
    if (created.status !== 200) throw new Error(`creating the route answered ${created.status}: ${await created.text()}`);

    const common = { xmlUrl: `${switchboard.baseUrl}/freeswitch/xml`, xmlUser: XML_USER, xmlPassword: XML_PASSWORD, rtpPorts: 4 * IN_FLIGHT + 200 };
    const routed = await FreeSwitch.start(common);
    running.push(routed);
    const fixed = await FreeSwitch.start({ ...common, staticDialplan: STATIC_DIALPLAN });
    running.push(fixed);

    // Both log as a production switch would; the test configuration logs every debug line.
    for (const freeswitch of [routed, fixed]) await freeswitch.api('fsctl', 'loglevel', 'warning');
    const switchboardPid = switchboard.process.pid;
    await drive(routed, switchboardPid);
    await drive(fixed, switchboardPid);
    const runs = { routed: [] as Run[], fixed: [] as Run[] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.routed.push(await drive(routed, switchboardPid));
      runs.fixed.push(await drive(fixed, switchboardPid));
    }
    const staticCps = median(runs.fixed.map((run) => run.callsPerSecond));
    const row = (label: string, measured: Run[]) => {
      const cps = median(measured.map((run) => run.callsPerSecond));
      return [label, cps.toFixed(0), measured.reduce((sum, run) => sum + run.failed, 0), `${((cps / staticCps) * 100).toFixed(1)}%`,
        median(measured.map((run) => run.freeswitchCpuMs)).toFixed(2), median(measured.map((run) => run.switchboardCpuMs)).toFixed(2)];
    };
    return formatTable(
      ['dialplan', `calls/s (median of ${ROUNDS})`, 'failed calls', '% of static', 'FreeSWITCH CPU ms/call', 'Switchboard CPU ms/call'],
      [row('static XML in freeswitch.xml', runs.fixed), row('Switchboard over mod_xml_curl', runs.routed)],
    ) + `\n\n${CALLS} calls per run, ${IN_FLIGHT} in flight, each answered and parked by the switch, then hung up by sipp; FreeSWITCH logging at warning; FreeSWITCH, Switchboard and sipp on one machine. Target: within 10% of static.`;
  } finally {
    for (const server of running.reverse()) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
