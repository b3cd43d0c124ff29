// golive intercept: route a Node integration's hard-coded Vipps MobilePay URLs to the sandbox.
//
//   GOLIVE_SANDBOX_URL=http://127.0.0.1:8089 node --import golive/intercept app.js
//
// Installs a global undici dispatcher (used by Node's built-in fetch and by undici) that
// rewrites requests for the Vipps test host to the sandbox, leaving every other request
// untouched. Plain JavaScript on purpose: it must load with bare `node --import`.
import { installIntercept } from './intercept.mjs';

const handle = installIntercept();
if (process.env.GOLIVE_INTERCEPT_QUIET !== '1') {
  process.stderr.write(`golive intercept: ${handle.hosts.join(', ')} → ${handle.target}\n`);
}
