import * as fs from 'fs';
import type { Simulator } from '../simulator';
import { HttpClient } from '../../tasks/common/http-client';
import { TokenProvider } from '../../tasks/common/auth';
import { DataverseClient } from '../../tasks/common/dataverse';
import { cloudEndpoints } from '../../tasks/common/cloud';
import { APP_ID, CLIENT_SECRET, TENANT_ID } from './base-scenario';

/** The product's own HTTP and Dataverse clients, signed in to the simulator as the scenario's application. */
export function simulatorDataverse(sim: Simulator): { http: HttpClient; dataverse: DataverseClient } {
  const http = new HttpClient({ network: { rejectUnauthorized: true, extraCa: [fs.readFileSync(sim.caFile, 'utf8')] }, retry: { baseDelayMs: 20 } });
  const tokens = new TokenProvider(
    { scheme: 'ClientSecret', tenantId: TENANT_ID, clientId: APP_ID, clientSecret: CLIENT_SECRET },
    cloudEndpoints('127.0.0.1', { authorityHost: sim.urls.authority }),
    http,
    () => undefined,
    (resource, reason) => `token for ${resource}: ${reason}`,
  );
  return { http, dataverse: new DataverseClient(http, sim.urls.dataverse, tokens.source(sim.urls.dataverse)) };
}
