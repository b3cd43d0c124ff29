import { testUserFor } from '../shared/test-users.ts';
import { isObject } from '../shared/validation.ts';
import type { OutboundRequest } from '../shared/outbound.ts';
import type { Order, ShippingChoice } from './types.ts';

/**
 * Express checkout ("Vipps Hurtigkasse", ecom-v2-merchant-endpoints.yaml): the customer's
 * address and details come from the simulated test user of the approving phone number; the
 * shipping option is the merchant's static default, or fetched from `shippingDetailsPrefix`
 * after approval (the real app asks before the customer confirms; the sandbox has no app).
 */

export const isExpress = (o: Order) => o.merchantInfo.paymentType === 'eComm Express Payment';

/** The test user as eCom's Express callbacks name them (8-digit number, userId without dashes: `^[\d\w\/=+]+$`). */
export function expressCustomer(o: Order) {
  const user = testUserFor(o.approvedPhoneNumber ?? '4712345678');
  const [street, ...rest] = user.address.street_address.split('\n');
  return {
    address: { addressLine1: street, addressLine2: rest.join(' ') || undefined, city: user.address.region, postCode: user.address.postal_code },
    userDetails: {
      email: user.email,
      firstName: user.givenName,
      lastName: user.familyName,
      mobileNumber: user.phoneNumber.replace(/^47/, '').slice(-8),
      userId: (o.sub ?? '').replace(/-/g, ''),
    },
  };
}

/** The option Vipps preselects: `isDefault: 'Y'`, else the lowest `priority`, else the first valid one. */
export function chooseShipping(options: unknown): ShippingChoice | undefined {
  if (!Array.isArray(options)) return undefined;
  const valid = options.filter(
    (x): x is Record<string, any> =>
      isObject(x) && typeof x.shippingCost === 'number' && x.shippingCost >= 0 && typeof x.shippingMethod === 'string' && typeof x.shippingMethodId === 'string',
  );
  const chosen = valid.find((x) => x.isDefault === 'Y') ?? [...valid].sort((a, b) => (a.priority ?? Infinity) - (b.priority ?? Infinity))[0];
  return chosen && { shippingCost: chosen.shippingCost, shippingMethod: chosen.shippingMethod, shippingMethodId: chosen.shippingMethodId };
}

const headers = (o: Order) => () => ({
  'content-type': 'application/json;charset=UTF-8',
  ...(o.merchantInfo.authToken ? { authorization: o.merchantInfo.authToken } : {}),
});

/** `POST {shippingDetailsPrefix}/v2/payments/{orderId}/shippingDetails` with the ShippingCostAndMethod body. */
export function shippingDetailsRequest(o: Order): OutboundRequest {
  const { address } = expressCustomer(o);
  // addressType is left to its default ('H'): the spec's pattern `^\[A-Z]$` contradicts its own enum.
  const body = { addressId: 100 + (Number(o.transactionId) % 900), ...address, country: 'NO' };
  return { url: `${o.merchantInfo.shippingDetailsPrefix!.replace(/\/+$/, '')}/v2/payments/${encodeURIComponent(o.orderId)}/shippingDetails`, body: JSON.stringify(body), signer: headers(o) };
}

/** `DELETE {consentRemovalPrefix}/v2/consents/{userId}`: the customer withdrew consent. */
export function consentRemovalRequest(o: Order): OutboundRequest {
  const { userId } = expressCustomer(o).userDetails;
  return { url: `${o.merchantInfo.consentRemovalPrefix!.replace(/\/+$/, '')}/v2/consents/${encodeURIComponent(userId)}`, method: 'DELETE', body: '', signer: headers(o) };
}

/** What an approved Express order adds to its callback (ExpressCheckOutPaymentRequest). */
export function expressCallbackFields(o: Order) {
  const { address, userDetails } = expressCustomer(o);
  if (!o.shipping) return { userDetails };
  // AddressExpress requires `postCode` but describes `zipCode`: both are sent.
  const expressAddress = { addressLine1: address.addressLine1, addressLine2: address.addressLine2, city: address.city, country: 'Norway', postCode: address.postCode, zipCode: address.postCode };
  return { shippingDetails: { address: expressAddress, ...o.shipping }, userDetails };
}

/** What an approved Express order adds to details (PaymentShippingDetails, UserDetails). */
export function expressDetailsFields(o: Order) {
  if (!isExpress(o) || o.approvedPhoneNumber === undefined) return {};
  const { address, userDetails } = expressCustomer(o);
  return { ...(o.shipping ? { shippingDetails: { address: { ...address, country: 'Norway' }, ...o.shipping } } : {}), userDetails };
}
