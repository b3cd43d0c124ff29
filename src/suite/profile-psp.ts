import { z } from 'zod';
import { CARD_TYPES } from '../contract/card-passthrough.ts';

/**
 * What a PSP's profile adds (kind: psp): the test cards that make its acquirer give each answer
 * and the steps of its 3-D Secure page, for ePayment card passthrough (`cardPassthrough`) and the
 * PSP API (`pspApi`, with the public key v2 encrypts cardData with).
 */
const THREE_DS = 'Browser steps on the PSP\'s 3-D Secure page (the softDeclineUrl / url3dSecure) that complete the challenge; absent: golive waits for the page to return by itself.';
const TestCards = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { error: 'expected a card name such as declined' }),
    z
      .strictObject({
        type: z.enum(CARD_TYPES).optional().meta({ description: 'The card type the customer picks (card passthrough; default: the first the payment allows).' }),
        last4: z.string().regex(/^[0-9]{4}$/, { error: 'expected the last four digits' }).optional(),
        number: z.string().regex(/^[0-9]{12,19}$|^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/, { error: 'expected a test card number (12–19 digits) or ${env:NAME}' }).optional(),
        errorId: z.number().int().positive().optional().meta({ description: 'PSP API: the makePayment errorId the PSP answers for this card (e.g. 82 Refused by Issuer); golive checks the answer carries it.' }),
      })
      .meta({ description: 'A test card: its type and the last four digits (or the whole test number) that make the PSP\'s acquirer (test) answer as the card\'s name says; the sandbox generates the rest.' }),
  )
  .default({})
  .meta({ description: 'Cards by name; the bundled PSP suites use approved, declined, softDecline (3-D Secure required) and coBranded (Visa/Dankort) or insufficientFunds.' });

/** The profile fields of PSP integrations; `browser` is the profile's browser-steps schema. */
export function pspSections<B extends z.ZodType>(browser: B) {
  return {
    cardPassthrough: z
      .strictObject({ cards: TestCards, threeDSecure: browser.optional().meta({ description: THREE_DS }) })
      .optional()
      .meta({ description: 'PSPs on ePayment card passthrough: the test cards the suite drives each card-callback answer with.' }),
    pspApi: z
      .strictObject({
        publicKey: z
          .union([z.strictObject({ url: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })])
          .optional()
          .meta({ description: 'The RSA-2048 public key (PEM) Vipps encrypts v2 cardData with: a URL of the started PSP ({{baseUrl}}/…) or a file (relative to this profile). golive gives it to the sandbox before the first flow.' }),
        cards: TestCards,
        threeDSecure: browser.optional().meta({ description: THREE_DS }),
      })
      .optional()
      .meta({ description: 'PSPs on the PSP API (v2/v3): the public key for cardData and the test cards the suite drives each makePayment answer with.' }),
  };
}
