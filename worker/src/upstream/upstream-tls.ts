// TLS to a cluster's hosts (MOSN's cluster tls_context): one SecureContext per cluster, built at
// config time; per host only the name to verify differs. The upstream's certificate is checked
// against ca_cert (or the system's CAs) and the host name: server_name when given, else the host
// from the address (an IP address must then be in the certificate's IP SANs). insecure_skip turns
// the check off, and only that does.

import { isIP } from 'node:net';
import tls from 'node:tls';
import type { HostConfig, TlsContextConfig } from '@mosn/config';
import { MosnWorkerError, describeSystemError } from '../errors.js';
import { contextOptions } from '../listener/tls-termination.js';

export function clientTlsOptions(cluster: string, c: TlsContextConfig): (host: HostConfig) => tls.ConnectionOptions {
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext(contextOptions(c));
  } catch (err) {
    throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `cluster "${cluster}": TLS context cannot be used: ${describeSystemError(err)}`, { cause: err });
  }
  return (host) => {
    const servername = c.server_name ?? (isIP(host.host) === 0 ? host.host : undefined);
    return {
      secureContext,
      rejectUnauthorized: !c.insecure_skip,
      ...(servername === undefined ? {} : { servername }),
      ...(c.alpn.length === 0 ? {} : { ALPNProtocols: c.alpn }),
    };
  };
}
