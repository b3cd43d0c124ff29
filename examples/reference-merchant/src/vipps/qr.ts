/**
 * QR API (qr-v1.yaml), merchant redirect QR codes: a printed code (in the taxi, on the table)
 * that opens our page. The code never changes once printed; PUT changes where it points.
 */
import type { VippsClient } from './client.ts';

export interface MerchantRedirectQr {
  id: string;
  /** The QR image (its own expiring link; the printed code itself does not expire). */
  url: string;
  redirectUrl: string;
  expiresIn?: number;
}

/** The image format we ask for: SVG prints sharp at any size. */
const ACCEPT = { Accept: 'image/svg+xml' };
const enc = encodeURIComponent;

export class QrApi {
  constructor(private readonly client: VippsClient) {}

  /** POST /qr/v1/merchant-redirect — 409 when the id exists (the caller then updates). */
  async create(id: string, redirectUrl: string): Promise<MerchantRedirectQr> {
    const res = await this.client.call<MerchantRedirectQr>({
      operation: 'createMerchantRedirectQr',
      method: 'POST',
      path: '/qr/v1/merchant-redirect',
      body: { id, redirectUrl },
      headers: ACCEPT,
    });
    return res.body;
  }

  /** PUT /qr/v1/merchant-redirect/{id} — same printed code, new target. */
  async update(id: string, redirectUrl: string): Promise<MerchantRedirectQr> {
    const res = await this.client.call<MerchantRedirectQr>({
      operation: 'updateMerchantRedirectQr',
      method: 'PUT',
      path: `/qr/v1/merchant-redirect/${enc(id)}`,
      body: { redirectUrl },
      headers: ACCEPT,
    });
    return res.body;
  }
}
