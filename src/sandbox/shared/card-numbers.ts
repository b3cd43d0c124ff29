import { randomBytes, randomInt } from 'node:crypto';

/**
 * Test card numbers, generated at run time (Luhn-valid, never committed), for every API whose
 * simulated customer pays by card: ePayment card passthrough's wallet and the PSP API's cardData.
 */

export const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

export function luhnValid(number: string): boolean {
  if (!/^\d{2,19}$/.test(number)) return false;
  return luhnSum(number) % 10 === 0;
}

function luhnSum(number: string): number {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/**
 * A 16-digit Luhn-valid number starting with `start`; with `last4`, ending in those digits
 * (the digit before them is chosen so the check still holds: doubling maps 0–9 onto 0–9).
 */
export function numberWith(start: string, last4?: string): string {
  if (last4 === undefined) {
    const body = start + digits(15 - start.length);
    for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  } else {
    const head = start + digits(11 - start.length);
    for (let d = 0; d < 10; d++) if (luhnValid(head + d + last4)) return head + d + last4;
  }
  throw new Error('unreachable: a Luhn digit always exists');
}

/** Masked as the callback shows it (§4.2 `47969485XXXX1234`): first 8 digits, X for the middle, last 4. */
export function maskCardNumber(number: string): string {
  const head = Math.min(8, Math.max(0, number.length - 8));
  return number.slice(0, head) + 'X'.repeat(Math.max(0, number.length - head - 4)) + number.slice(-4);
}

/** A fresh cryptogram for each callback (the second soft-decline callback gets a new one too). */
export function cryptogram(): string {
  return randomBytes(20).toString('base64');
}
