import { ECOM_OP } from './ecom.ts';
import { PSP_OP } from './psp-api.ts';

/**
 * Which API and operation a request to a Vipps MobilePay host is, by method and path: the
 * operationIds of the official specs (/work/shared/reference/openapi/, paths with their server
 * prefix), named exactly as the sandbox records them, so an exchange recorded by the recording
 * proxy reads like a sandbox-recorded one. Webhooks v1 and Userinfo have no operationIds in
 * their specs: the names are the sandbox's. test/proxy/classify.test.ts holds this table
 * against every sandbox route and every spec operation.
 */
/** The Vipps MobilePay APIs behind a gateway path (a subset of the traffic log's `ApiName`). */
export type RouteApi = 'access-token' | 'epayment' | 'webhooks' | 'order-management' | 'userinfo' | 'qr' | 'ecom-v2' | 'psp-v2' | 'psp-v3';

export interface ApiRoute {
  method: string;
  /** Spec path template with its server prefix, e.g. `/epayment/v1/payments/{reference}`. */
  path: string;
  api: RouteApi;
  operation: string;
}

const route = (method: string, path: string, api: RouteApi, operation: string): ApiRoute => ({ method, path, api, operation });

export const API_ROUTES: readonly ApiRoute[] = [
  route('POST', '/accesstoken/get', 'access-token', 'fetchAuthorizationTokenUsingPost'),
  route('POST', '/miami/v1/token', 'access-token', 'fetchToken'),

  route('POST', '/epayment/v1/payments', 'epayment', 'createPayment'),
  route('GET', '/epayment/v1/payments/{reference}', 'epayment', 'getPayment'),
  route('GET', '/epayment/v1/payments/{reference}/events', 'epayment', 'getPaymentEventLog'),
  route('POST', '/epayment/v1/payments/{reference}/cancel', 'epayment', 'cancelPayment'),
  route('POST', '/epayment/v1/payments/{reference}/capture', 'epayment', 'capturePayment'),
  route('POST', '/epayment/v1/payments/{reference}/refund', 'epayment', 'refundPayment'),
  route('POST', '/epayment/v1/test/payments/{reference}/approve', 'epayment', 'forceApprove'),
  // The force-approve guide's path (vipps-facts §2.1 CONFLICT); the sandbox serves both.
  route('POST', '/epayment/v1/payments/{reference}/approve', 'epayment', 'forceApprove'),

  route('POST', '/webhooks/v1/webhooks', 'webhooks', 'registerWebhook'),
  route('GET', '/webhooks/v1/webhooks', 'webhooks', 'getWebhooks'),
  route('DELETE', '/webhooks/v1/webhooks/{id}', 'webhooks', 'deleteWebhook'),

  route('POST', '/ecomm/v2/payments', 'ecom-v2', ECOM_OP.initiate),
  route('POST', '/ecomm/v2/payments/{orderId}/capture', 'ecom-v2', ECOM_OP.capture),
  route('PUT', '/ecomm/v2/payments/{orderId}/cancel', 'ecom-v2', ECOM_OP.cancel),
  route('POST', '/ecomm/v2/payments/{orderId}/refund', 'ecom-v2', ECOM_OP.refund),
  route('POST', '/ecomm/v2/integration-test/payments/{orderId}/approve', 'ecom-v2', ECOM_OP.forceApprove),
  route('GET', '/ecomm/v2/payments/{orderId}/details', 'ecom-v2', ECOM_OP.details),
  route('GET', '/ecomm/v2/payments/{orderId}/status', 'ecom-v2', ECOM_OP.status),

  route('POST', '/psp/v2/psppayments/init', 'psp-v2', PSP_OP.v2.initiate),
  route('POST', '/psp/v2/psppayments/updatestatus', 'psp-v2', PSP_OP.v2.updateStatus),
  route('GET', '/psp/v2/psppayments/{pspTransactionId}/details', 'psp-v2', PSP_OP.v2.details),
  route('POST', '/psp/v2/psppayments/payments', 'psp-v2', 'processPaymentOnToken'),
  route('DELETE', '/psp/v2/psppayments/agreements', 'psp-v2', 'deletePSPPaymenAgreementUsingDELETE'),
  route('POST', '/psp/v3/psppayments/init', 'psp-v3', PSP_OP.v3.initiate),
  route('POST', '/psp/v3/psppayments/updatestatus', 'psp-v3', PSP_OP.v3.updateStatus),
  route('GET', '/psp/v3/psppayments/{pspTransactionId}/details', 'psp-v3', PSP_OP.v3.details),
  route('POST', '/psp/v3/psppayments/payments', 'psp-v3', 'processPaymentOnTokenV3'),
  route('POST', '/psp/v3/integration-test/psppayments/{pspTransactionId}/approve', 'psp-v3', PSP_OP.v3.forceApprove),

  route('POST', '/order-management/v2/{paymentType}/receipts/{orderId}', 'order-management', 'postReceiptV2'),
  route('PUT', '/order-management/v2/{paymentType}/categories/{orderId}', 'order-management', 'putCategoryV2'),
  route('GET', '/order-management/v2/{paymentType}/{orderId}', 'order-management', 'getOrderV2'),
  route('POST', '/order-management/v1/images', 'order-management', 'postImage'),
  route('PUT', '/order-management/v1/orders/{transactionId}', 'order-management', 'putOrder'),
  route('GET', '/order-management/v1/orders/{transactionId}', 'order-management', 'getOrder'),
  route('GET', '/order-management/v1/receipts/{transactionId}', 'order-management', 'getReceipt'),
  route('POST', '/order-management/v1/receipts/{transactionId}', 'order-management', 'postReceipt'),

  route('GET', '/vipps-userinfo-api/userinfo/{sub}', 'userinfo', 'getUserinfo'),

  route('POST', '/qr/v1', 'qr', 'generateOtpQr'),
  route('POST', '/qr/v1/merchant-redirect', 'qr', 'CreateMerchantRedirectQr'),
  route('GET', '/qr/v1/merchant-redirect', 'qr', 'GetAllMerchantRedirectQrs'),
  route('PUT', '/qr/v1/merchant-redirect/{id}', 'qr', 'UpdateMerchantRedirectUrl'),
  route('DELETE', '/qr/v1/merchant-redirect/{id}', 'qr', 'DeleteMerchantRedirectQr'),
  route('GET', '/qr/v1/merchant-redirect/{id}', 'qr', 'GetMerchantRedirectQrById'),
  route('GET', '/qr/v1/merchant-callback', 'qr', 'GetMerchantCallbackQrs'),
  route('GET', '/qr/v1/merchant-callback/{merchantQrId}', 'qr', 'GetMerchantCallbackById'),
  route('PUT', '/qr/v1/merchant-callback/{merchantQrId}', 'qr', 'PutMerchantCallbackQr'),
  route('DELETE', '/qr/v1/merchant-callback/{merchantQrId}', 'qr', 'DeleteMerchantCallbackQr'),
  route('PUT', '/qr/v1/merchant-callback/mobilepay/{beaconId}', 'qr', 'PutMerchantCallbackMobilePayQr'),
  route('POST', '/qr/v1/exchange', 'qr', 'exchangeQr'),
  route('POST', '/qr/v1/exchange/customer', 'qr', 'exchangeCustomer'),
];

export interface RouteMatch {
  api: RouteApi;
  operation: string;
  /** Path parameters by their spec names, URL-decoded. */
  params: Record<string, string>;
}

interface Compiled {
  route: ApiRoute;
  pattern: RegExp;
  names: string[];
}

// Paths match case-insensitively and with an optional trailing slash, as the API gateway (and the sandbox) match them.
const COMPILED: Compiled[] = API_ROUTES.map((r) => {
  const names: string[] = [];
  const source = r.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
      names.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route: r, pattern: new RegExp(`^${source}/?$`, 'i'), names };
});

/** The API and operation of a request (HEAD reads as GET, as the sandbox serves it); undefined when no route matches. */
export function classifyRoute(method: string, path: string): RouteMatch | undefined {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  for (const c of COMPILED) {
    if (c.route.method !== m) continue;
    const hit = c.pattern.exec(path);
    if (!hit) continue;
    const params: Record<string, string> = {};
    c.names.forEach((name, i) => (params[name] = safeDecode(hit[i + 1])));
    return { api: c.route.api, operation: c.route.operation, params };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
