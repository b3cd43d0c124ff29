import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import type { CustomerPayment } from '../shared/directory.ts';
import { DEFAULT_TEST_PHONE_NUMBER } from '../shared/test-customer.ts';
import { sendProblem, sendErrorAsProblem } from '../problem.ts';
import { claimsFor, testUserFor } from '../shared/test-users.ts';

/**
 * Userinfo API: `GET /vipps-userinfo-api/userinfo/{sub}` returns the OIDC claims the user
 * consented to share (the `profile.scope` of the merchant's authorized payments that carry
 * this `sub`). No OpenAPI file for it is in the reference set; claim names follow the
 * Userinfo API documentation (name → name/given_name/family_name, email → email/
 * email_verified, phoneNumber → phone_number/phone_number_verified, address → address/
 * other_addresses, birthDate → birthdate, nin → nin). As documented, the data stays
 * available for 168 hours after the payment; after that the sub is answered like an
 * unknown one.
 */
export const USERINFO_RETENTION_MS = 168 * 3600_000;

const approvedAt = (p: CustomerPayment): number => p.approvedAt ?? 0;

export default async function userinfoPlugin(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  // Userinfo answers RFC 7807 problems, injected faults included.
  app.setErrorHandler(sendErrorAsProblem);
  app.get<{ Params: { sub: string } }>(
    '/vipps-userinfo-api/userinfo/:sub',
    { config: { api: 'userinfo', operation: 'getUserinfo', auth: 'vipps', msnRequired: false } },
    async (request, reply) => {
      const { sub } = request.params;
      const msn = request.merchant!.msn;
      const now = ctx.clock.now();
      const all = ctx.payments.list({ msn }).filter((p) => p.sub === sub);
      const live = all.filter((p) => now - approvedAt(p) < USERINFO_RETENTION_MS);
      if (live.length === 0) {
        request.exchangeNotes = { sub, found: false, expired: all.length > 0 };
        return sendProblem(request, reply, {
          status: 404,
          title: 'Not Found',
          detail:
            all.length > 0
              ? 'The user information for this sub is no longer available (it is kept for 168 hours after the payment).'
              : 'No user information for this sub: it does not belong to a payment of this sales unit where the user shared profile data.',
        });
      }
      live.sort((a, b) => approvedAt(b) - approvedAt(a));
      const latest = live[0];
      // The payment a read belongs to is known only when one payment carries the sub: the same
      // customer's sub is on all their payments, and a guess would hand the read to another order.
      if (live.length === 1) request.exchangeReference = latest.reference;
      const scopes = new Set(live.flatMap((p) => (p.profileScope ?? '').split(/\s+/).filter(Boolean)));
      // The customer who approved (the API's machine records it; sub is derived from it).
      const phone = live.map((p) => p.approvedPhoneNumber ?? p.customerPhoneNumber).find((v): v is string => !!v) ?? DEFAULT_TEST_PHONE_NUMBER;
      request.exchangeNotes = { sub, scopes: [...scopes], references: live.map((p) => p.reference) };
      return reply.type('application/json; charset=utf-8').send(claimsFor(testUserFor(phone), sub, scopes));
    },
  );
}
