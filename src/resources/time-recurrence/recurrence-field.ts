import { setImmediate as nextTurn } from 'node:timers/promises';
import { badRequest } from '../../http/errors.js';
import { validateRecurrence, RecurrenceError } from '../../routing/recurrence.js';

/**
 * Rejects a time recurrence string that the routing engine could not evaluate or that never
 * starts, naming the field. Checking one string can take a few milliseconds and a batch may hold
 * thousands, so each check first lets the other requests waiting on the process run.
 */
export async function checkRecurrence(text: string, field: string): Promise<void> {
  await nextTurn();
  try {
    validateRecurrence(text);
  } catch (error) {
    if (error instanceof RecurrenceError) throw badRequest(field, error.message);
    throw error;
  }
}
