import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

/** Hosts rewritten by default: the Vipps MobilePay test environment only. */
export const DEFAULT_HOSTS = ['apitest.vipps.no'];

/**
 * Send requests for `hosts` to `target` instead (scheme, host and port replaced; path and
 * query kept). Returns a handle whose `restore()` puts the previous dispatcher back.
 */
export function installIntercept({
  target = process.env.GOLIVE_SANDBOX_URL ?? 'http://127.0.0.1:8089',
  hosts = (process.env.GOLIVE_INTERCEPT_HOSTS ?? DEFAULT_HOSTS.join(',')).split(',').map((h) => h.trim()).filter(Boolean),
} = {}) {
  const targetOrigin = new URL(target).origin;
  const wanted = new Set(hosts.map((h) => h.toLowerCase()));
  const previous = getGlobalDispatcher();
  const rewrite = (dispatch) => (opts, handler) => {
    const origin = typeof opts.origin === 'string' ? new URL(opts.origin) : opts.origin;
    if (origin && wanted.has(origin.hostname.toLowerCase())) {
      const headers = stripHost(opts.headers);
      return dispatch({ ...opts, origin: targetOrigin, headers }, handler);
    }
    return dispatch(opts, handler);
  };
  const dispatcher = new Agent().compose(rewrite);
  setGlobalDispatcher(dispatcher);
  return {
    target: targetOrigin,
    hosts: [...wanted],
    restore() {
      setGlobalDispatcher(previous);
      return dispatcher.close();
    },
  };
}

// A Host header naming the real host would be sent to the sandbox; let undici set the right one.
function stripHost(headers) {
  if (!headers) return headers;
  if (Array.isArray(headers)) {
    const out = [];
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() !== 'host') out.push(headers[i], headers[i + 1]);
    return out;
  }
  if (typeof headers === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'host') out[k] = v;
    return out;
  }
  return headers;
}
