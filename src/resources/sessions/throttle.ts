import type { Db } from '../../db/connect.js';
import type { LoginThrottleLimits } from '../../config.js';

/**
 * Failed logins, counted in the database so that every process sharing it sees the same counts.
 *
 * Three counters per window (decided so that nobody can lock the admin out):
 * - per client address, over every login: one address guessing many logins;
 * - per login and address: one address guessing one login's password;
 * - per login over every address, which only ever blocks addresses that already failed on that
 *   login in the window: a login under a distributed attack stays open to an address with a clean
 *   record, such as its owner's, while each attacking address gets one guess per window.
 * Only failures count; a success clears its login-and-address counter.
 *
 * Written here rather than with @fastify/rate-limit: that plugin counts every request (not
 * failures), and its stores live in one process or in Redis, which this deployment does not have.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly limits: LoginThrottleLimits,
  ) {}

  /** Seconds until this address may try this login again, or 0 when it may now. */
  async retryAfter(login: string, address: string, now = Date.now()): Promise<number> {
    const since = new Date(now - this.limits.windowSeconds * 1000).toISOString();
    const counters = await this.db.kysely
      .selectFrom('login_failures')
      .select(['key', 'failures', 'window_started_at'])
      .where('key', 'in', [addressKey(address), pairKey(login, address), loginKey(login)])
      .where('window_started_at', '>', since)
      .execute();
    const count = (key: string) => counters.find((counter) => counter.key === key);
    const byAddress = count(addressKey(address));
    const byPair = count(pairKey(login, address));
    const byLogin = count(loginKey(login));
    const blocking = [
      byAddress && byAddress.failures >= this.limits.perAddress ? byAddress : undefined,
      byPair && byPair.failures >= this.limits.perLoginAndAddress ? byPair : undefined,
      byLogin && byPair && byLogin.failures >= this.underAttack() ? byLogin : undefined,
    ].filter((counter) => counter !== undefined);
    if (blocking.length === 0) return 0;
    const windowEnds = Math.max(...blocking.map((counter) => Date.parse(counter.window_started_at))) + this.limits.windowSeconds * 1000;
    return Math.max(1, Math.ceil((windowEnds - now) / 1000));
  }

  async failed(login: string, address: string, now = Date.now()): Promise<void> {
    const at = new Date(now).toISOString();
    const since = new Date(now - this.limits.windowSeconds * 1000).toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('login_failures').where('window_started_at', '<=', since).execute();
      for (const key of [addressKey(address), pairKey(login, address), loginKey(login)]) {
        // A counter whose window has passed starts a new window at 1.
        await trx
          .insertInto('login_failures')
          .values({ key, failures: 1, window_started_at: at })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({
              failures: eb.case().when('login_failures.window_started_at', '>', since).then(eb('login_failures.failures', '+', 1)).else(1).end(),
              window_started_at: eb.case().when('login_failures.window_started_at', '>', since).then(eb.ref('login_failures.window_started_at')).else(at).end(),
            })),
          )
          .execute();
      }
    });
  }

  async succeeded(login: string, address: string): Promise<void> {
    await this.db.kysely.deleteFrom('login_failures').where('key', '=', pairKey(login, address)).execute();
  }

  private underAttack(): number {
    return this.limits.perLoginAndAddress * 10;
  }
}

const addressKey = (address: string) => `address:${address}`;
const pairKey = (login: string, address: string) => `login:${login}\u0001address:${address}`;
const loginKey = (login: string) => `login:${login}`;
