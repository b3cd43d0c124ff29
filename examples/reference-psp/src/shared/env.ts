/** Environment readers both PSP modes share. */

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

/** Comma-separated switch names; unknown names stop the PSP (a typo must not silently run the clean PSP). */
export function parseSwitches<T extends string>(variable: string, raw: string | undefined, known: readonly T[]): Set<T> {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown ${variable}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return new Set(names as T[]);
}

/** How either mode reaches Vipps and for whom: the API base, the PSP's keys, its Psp-Id, the merchant's MSN. */
export interface VippsAccess {
  vippsBaseUrl: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  pspId: string;
  /** The merchant the PSP acts for (its Merchant-Serial-Number, never the PSP's own). */
  msn: string;
}

export function vippsAccess(env: NodeJS.ProcessEnv): VippsAccess {
  return {
    vippsBaseUrl: (env.VIPPS_BASE_URL ?? 'https://apitest.vipps.no').replace(/\/$/, ''),
    clientId: required(env, 'VIPPS_CLIENT_ID'),
    clientSecret: required(env, 'VIPPS_CLIENT_SECRET'),
    subscriptionKey: required(env, 'VIPPS_SUBSCRIPTION_KEY'),
    pspId: required(env, 'VIPPS_PSP_ID'),
    msn: required(env, 'VIPPS_MSN'),
  };
}

/** Port, host and public URL as both modes read them (port 0: any free port). */
export function listenConfig(env: NodeJS.ProcessEnv): { port: number; host: string; publicUrl: string } {
  const port = Number(env.GOLIVE_INTEGRATION_PORT ?? env.PORT ?? 4400);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  const host = env.REFERENCE_PSP_HOST ?? '127.0.0.1';
  return { port, host, publicUrl: (env.PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/$/, '') };
}
