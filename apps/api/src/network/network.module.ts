import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { HostNetwork } from './ip/host-network';
import { HttpFetcher } from './ip/http-fetcher';
import { PublicIpLookup } from './ip/public-ip-lookup';
import { NetworkController } from './network.controller';
import { NETWORK_SETTINGS, networkSettingsFrom } from './network-settings';
import { NetworkStatusService } from './network-status.service';
import { ExternalPortChecker } from './reachability/external-port-checker';
import { LocalPortProbe } from './reachability/local-port-probe';
import { PortCheckService } from './reachability/port-check.service';
import { PortMapper } from './upnp/port-mapper';
import { UpnpClient } from './upnp/upnp-client';

/**
 * UPnP port mapping, public/private IP detection and port reachability. Depends on Core only; other
 * modules hear of changes through `network.changed` and may read the status service.
 */
@Module({
  controllers: [NetworkController],
  providers: [
    { provide: NETWORK_SETTINGS, inject: [AppConfig], useFactory: networkSettingsFrom },
    UpnpClient,
    PortMapper,
    HostNetwork,
    HttpFetcher,
    PublicIpLookup,
    LocalPortProbe,
    ExternalPortChecker,
    NetworkStatusService,
    PortCheckService,
  ],
  exports: [NetworkStatusService],
})
export class NetworkModule {}
