import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as tls from 'tls';
import { HttpsProxyAgent } from 'https-proxy-agent';

export interface ProxySettings {
  url: string;
  username?: string;
  password?: string;
  bypass: RegExp[];
}

export interface NetworkSettings {
  proxy?: ProxySettings;
  /** Extra CA certificates in PEM, added to Node's trust store (never replacing it). */
  extraCa?: string[];
  rejectUnauthorized: boolean;
}

/** The agent's proxy and certificate settings (Agent.ProxyUrl, Agent.ProxyBypassList, Agent.CAInfo, ...). */
export function agentNetworkSettings(variable: (name: string) => string | undefined): NetworkSettings {
  const settings: NetworkSettings = { rejectUnauthorized: (variable('Agent.SkipCertValidation') ?? '').toLowerCase() !== 'true' };
  const proxyUrl = variable('Agent.ProxyUrl');
  if (proxyUrl) {
    let bypass: string[] = [];
    try {
      bypass = JSON.parse(variable('Agent.ProxyBypassList') ?? '[]') as string[];
    } catch {
      bypass = [];
    }
    settings.proxy = {
      url: proxyUrl,
      username: variable('Agent.ProxyUsername'),
      password: variable('Agent.ProxyPassword'),
      bypass: bypass.map((pattern) => new RegExp(pattern, 'i')),
    };
  }
  const caFile = variable('Agent.CAInfo');
  if (caFile && fs.existsSync(caFile)) settings.extraCa = [fs.readFileSync(caFile, 'utf8')];
  return settings;
}

/** Builds and caches one connection-pooling agent per target (proxied or direct). */
export class AgentPool {
  private readonly direct: https.Agent;
  /** Plain http is only ever direct: the IMDS endpoint (http://169.254.169.254) is the one http target. */
  private readonly directPlain: http.Agent;
  private readonly proxied = new Map<string, http.Agent>();

  constructor(private readonly settings: NetworkSettings, maxSockets = 64) {
    this.direct = new https.Agent({ keepAlive: true, maxSockets, ...this.tlsOptions() });
    this.directPlain = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** The agent for a URL; `direct` (managed identity) bypasses the proxy whatever its settings. */
  agentFor(url: string, direct = false): http.Agent {
    if (/^http:/i.test(url)) return this.directPlain;
    const proxy = this.settings.proxy;
    if (direct || !proxy || proxy.bypass.some((re) => re.test(url))) return this.direct;
    let agent = this.proxied.get(proxy.url);
    if (!agent) {
      const proxyUrl = new URL(proxy.url);
      if (proxy.username) {
        proxyUrl.username = encodeURIComponent(proxy.username);
        proxyUrl.password = encodeURIComponent(proxy.password ?? '');
      }
      const tlsOptions = this.tlsOptions();
      const proxied = new HttpsProxyAgent(proxyUrl, { keepAlive: true, ...tlsOptions });
      // The proxy agent keeps its constructor options for the proxy hop only; the TLS session to the
      // target is made from the agent's `options`, so the CA settings are added there too.
      Object.assign(proxied.options, tlsOptions);
      agent = proxied;
      this.proxied.set(proxy.url, agent);
    }
    return agent;
  }

  destroy(): void {
    this.direct.destroy();
    this.directPlain.destroy();
    for (const agent of this.proxied.values()) agent.destroy();
  }

  private tlsOptions(): https.AgentOptions {
    const options: https.AgentOptions = { rejectUnauthorized: this.settings.rejectUnauthorized };
    if (this.settings.extraCa?.length) {
      // Setting `ca` replaces Node's store, so the defaults and NODE_EXTRA_CA_CERTS are added back.
      const nodeExtra = process.env.NODE_EXTRA_CA_CERTS;
      const extra = nodeExtra && fs.existsSync(nodeExtra) ? [fs.readFileSync(nodeExtra, 'utf8')] : [];
      options.ca = [...tls.rootCertificates, ...extra, ...this.settings.extraCa];
    }
    return options;
  }
}
