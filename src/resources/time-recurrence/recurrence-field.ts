import { badRequest } from '../../http/errors.js';
import { parseRecurrence, RecurrenceError } from '../../routing/recurrence.js';

/** Rejects a time recurrence string that the routing engine could not evaluate, naming the field. */
export function checkRecurrence(text: string, field: string): void {
  try {
    parseRecurrence(text);
  } catch (error) {
    if (error instanceof RecurrenceError) throw badRequest(field, error.message);
    throw error;
  }
}
