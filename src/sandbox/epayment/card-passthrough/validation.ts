import { CARD_TYPES } from '../../../contract/card-passthrough.ts';
import type { ExtraDetail } from '../../problem.ts';
import { isObject, present } from '../../shared/validation.ts';

/**
 * Shape of the create request's `cardPassthrough` object (vipps-facts §4.1), one extraDetail per
 * problem, as the rest of CreatePaymentRequest. The business rules (required with
 * CARD_PASSTHROUGH, 4160; cardCallbackUrl https or loopback http, 4090; pspReference unique per
 * PSP, 409) are validation.ts's and machine.ts's.
 */
export function checkCardPassthroughShape(errs: ExtraDetail[], c: unknown): void {
  const name = (field: string) => `cardPassthrough.${field}`;
  if (!isObject(c)) {
    errs.push({ name: 'cardPassthrough', reason: 'The value must be an object.' });
    return;
  }
  const string = (field: string, min = 0) => {
    const v = c[field];
    if (!present(v)) return;
    if (typeof v !== 'string') errs.push({ name: name(field), reason: 'The value must be a string.' });
    else if (v.length < min) errs.push({ name: name(field), reason: `The length must be at least ${min}.` });
  };
  string('pspReference', 1);
  string('cardCallbackUrl', 1);
  string('cardCallbackAuthHeader', 1);
  string('publicEncryptionKeyId', 1);
  const types = c.allowedCardTypes;
  if (present(types)) {
    if (!Array.isArray(types) || types.some((t: unknown) => typeof t !== 'string'))
      errs.push({ name: name('allowedCardTypes'), reason: 'must be an array of strings.' });
    else if (types.length === 0) errs.push({ name: name('allowedCardTypes'), reason: `must name at least one of ${CARD_TYPES.join(', ')} (leave it out to allow all).` });
    else
      types.forEach((t: string, i: number) => {
        if (!(CARD_TYPES as readonly string[]).includes(t)) errs.push({ name: `${name('allowedCardTypes')}[${i}]`, reason: `must be one of ${CARD_TYPES.join(', ')}.` });
      });
  }
  if (present(c.preferVisaPartOfVisaDankort) && typeof c.preferVisaPartOfVisaDankort !== 'boolean')
    errs.push({ name: name('preferVisaPartOfVisaDankort'), reason: 'The value must be a boolean.' });
}
