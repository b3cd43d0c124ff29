import { FINAL_PAYMENT_STATES } from '../contract/epayment.ts';
import { ECOM_STATES } from '../contract/ecom.ts';

/**
 * Reading the control API's payment records, which are each API's own: an ePayment record has
 * `state`, `createdAt` and `events`; an eCom v2 record has `state` and `transactionLogHistory`
 * (newest first). Only the run's finish needs this (when did a payment reach a final state).
 */
const FINAL = new Set<string>([...FINAL_PAYMENT_STATES, ...ECOM_STATES.filter((s) => s !== 'INITIATE')]);

interface RecordShape {
  reference?: string;
  state?: string;
  createdAt?: number;
  events?: { name?: string; timestamp?: string }[];
  transactionLogHistory?: { operation?: string; timeStamp?: string; operationSuccess?: boolean }[];
}

/** When the payment was created and when it reached its final state, if it did (sandbox clock, ms). */
export function finalChangeOf(record: unknown): { reference: string; createdAt: number; at: number } | undefined {
  const p = (record ?? {}) as RecordShape;
  if (!p.reference || !FINAL.has(String(p.state))) return undefined;
  if (Array.isArray(p.transactionLogHistory)) {
    const log = [...p.transactionLogHistory].sort((a, b) => Date.parse(String(a.timeStamp)) - Date.parse(String(b.timeStamp)));
    const createdAt = Date.parse(String(log.find((e) => e.operation === 'INITIATE')?.timeStamp));
    const decided = log.find((e) => e.operation !== 'INITIATE');
    // A timed-out payment may have no log entry for its end: its last entry's time stands in.
    const at = Date.parse(String((decided ?? log[log.length - 1])?.timeStamp));
    return Number.isFinite(at) ? { reference: p.reference, createdAt: Number.isFinite(createdAt) ? createdAt : at, at } : undefined;
  }
  const event = [...(p.events ?? [])].reverse().find((e) => FINAL.has(String(e.name)));
  const at = Date.parse(String(event?.timestamp));
  return Number.isFinite(at) ? { reference: p.reference, createdAt: p.createdAt ?? 0, at } : undefined;
}
