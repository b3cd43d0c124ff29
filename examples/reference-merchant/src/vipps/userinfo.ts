/**
 * Userinfo API: the profile data a customer agreed to share in the app (the payment's
 * `profile.scope`), read with the `profile.sub` of the AUTHORIZED payment.
 */
import type { VippsClient } from './client.ts';

/** OIDC claims; `phone_number` comes with the `phoneNumber` scope. */
export interface UserinfoClaims {
  sub: string;
  phone_number?: string;
  [claim: string]: unknown;
}

export class UserinfoApi {
  constructor(private readonly client: VippsClient) {}

  /** GET /vipps-userinfo-api/userinfo/{sub} */
  async get(sub: string): Promise<UserinfoClaims> {
    const res = await this.client.call<UserinfoClaims>({ operation: 'getUserinfo', method: 'GET', path: `/vipps-userinfo-api/userinfo/${encodeURIComponent(sub)}` });
    return res.body;
  }
}
