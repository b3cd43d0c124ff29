import { z } from 'zod';
import { DurationSchema } from './duration.ts';

/** What a run's integration talks to: golive's embedded sandbox, or the real test API through the recording proxy. */
export const RUN_TARGETS = ['sandbox', 'test-api'] as const;
export type RunTarget = (typeof RUN_TARGETS)[number];

/** The profile's `target` and `testApi` sections (README "Running against the test environment"). */
export function testApiSections() {
  return {
    target: z
      .enum(RUN_TARGETS)
      .default('sandbox')
      .meta({ description: "What the integration talks to: sandbox (golive's embedded sandbox, default) or test-api (the real test environment through golive's recording proxy; `golive run --target` overrides it)." }),
    testApi: z
      .strictObject({
        maxWorkers: z.number().int().min(1).max(16).default(1).meta({ description: 'Most parallel flows golive runs against the real test API (default 1); --workers is capped by it.' }),
        phoneNumber: z
          .string()
          .regex(/^\d{8,15}$/, { error: 'expected the test user\'s phone number, digits only (e.g. 4712345678)' })
          .optional()
          .meta({ description: 'The test user force approve approves as (ePayment customer.phoneNumber, MSISDN; eCom and PSP API v3 get the 8 digits after 47); the user must have approved one payment in the test app first.' }),
        customerTimeout: DurationSchema.default(300_000).meta({ description: 'How long an interactive customer may take to act in the MT app (default 5m).' }),
        customer: z.enum(['force-approve', 'interactive']).default('force-approve').meta({ description: 'Who approves: force-approve (the test API endpoint) or interactive (a person in the test app; --interactive).' }),
        relay: z
          .strictObject({
            publicUrl: z.url({ protocol: /^https?$/, error: 'expected the public http(s) URL of a tunnel to the relay, e.g. https://abc.trycloudflare.com' }).optional().meta({ description: "The public URL Vipps reaches the relay at (a tunnel to 127.0.0.1:port); default the relay's loopback URL, which only a local upstream reaches." }),
            port: z.number().int().min(1).max(65535).optional().meta({ description: 'The port the relay listens on, on 127.0.0.1 (default a free one; fix it when a tunnel points at it).' }),
          })
          .optional()
          .meta({ description: "The delivery relay: Vipps sends webhooks, eCom callbacks, PSP API makePayment calls and card callbacks to {{relay.url}}, golive records them and forwards them to the integration's baseUrl." }),
      })
      .prefault({})
      .meta({ description: 'How golive treats the real test environment (target: test-api).' }),
  };
}
