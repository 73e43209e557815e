import { Inject, Injectable } from '@nestjs/common';
import type { CheckPortsView, PortCheckView, PortReachability } from '@mcp-proxy/shared/dto';
import { Clock } from '../../core/time/clock';
import { NETWORK_SETTINGS, NetworkSettings } from '../network-settings';
import { NetworkStatusService, PortCheckRecord } from '../network-status.service';
import { PortMapper } from '../upnp/port-mapper';
import { delay } from '../with-timeout';
import { ExternalPortChecker } from './external-port-checker';
import { LocalPortProbe } from './local-port-probe';

/** A local connect answers at once or not at all. */
const LOCAL_PROBE_TIMEOUT_MS = 1000;

/**
 * `POST /api/network/check-ports`: for each port, whether it listens here, whether the gateway forwards
 * it to us, and whether the internet reaches it, as an external checker sees it.
 */
@Injectable()
export class PortCheckService {
  constructor(
    @Inject(NETWORK_SETTINGS) private readonly settings: NetworkSettings,
    private readonly status: NetworkStatusService,
    private readonly mapper: PortMapper,
    private readonly probe: LocalPortProbe,
    private readonly checker: ExternalPortChecker,
    private readonly clock: Clock,
  ) {}

  async check(ports?: number[]): Promise<CheckPortsView> {
    const targets = ports ?? this.settings.ports.map(({ port }) => port);
    // The table is read again so "mapped" is what the gateway says now, not what it said at the last refresh.
    await Promise.race([Promise.all([this.status.refresh(), this.mapper.refreshTable()]), delay(this.settings.upnpTimeoutMs + 1000)]);
    const { publicIp, publicIpReason, privateIp } = this.status.view();

    let answeredBy: string | null = null;
    const results = await Promise.all(
      targets.map(async (port): Promise<PortCheckView> => {
        const [listening, verdict] = await Promise.all([
          this.probe.isListening(this.settings.localProbeHost, port, LOCAL_PROBE_TIMEOUT_MS),
          publicIp
            ? this.checker.check(this.settings.portCheckUrls, publicIp, port, this.settings.httpTimeoutMs)
            : Promise.resolve({ reachable: null, reason: `the public IP is unknown (${publicIpReason ?? 'not detected'})` }),
        ]);
        const mapped = this.mapper.isMapped(port);
        let reachable: PortReachability = 'unknown';
        let detail: string;
        if (verdict.reachable === null) {
          detail = verdict.reason;
        } else {
          answeredBy ??= verdict.checker;
          reachable = verdict.reachable ? 'open' : 'closed';
          detail = verdict.reachable
            ? `${verdict.checker} connected to ${publicIp}:${port}`
            : `${verdict.checker} could not connect to ${publicIp}:${port}${closedHint(listening, mapped, this.settings.upnpEnabled)}`;
        }
        return {
          port,
          name: this.settings.ports.find((candidate) => candidate.port === port)?.name ?? null,
          protocol: 'TCP',
          listening,
          mapped,
          reachable,
          detail,
        };
      }),
    );

    const checkedAt = new Date(this.clock.now()).toISOString();
    this.status.recordChecks(
      new Map<number, PortCheckRecord>(results.map((result) => [result.port, { reachable: result.reachable, checkedAt }])),
    );
    return { checkedAt, publicIp, privateIp, checker: answeredBy, ports: results, portForwarding: this.status.view().portForwarding };
  }
}

/** The likeliest cause of a closed port, from what this machine can see. */
function closedHint(listening: boolean, mapped: boolean, upnpEnabled: boolean): string {
  if (!listening) return ': nothing listens on it here';
  if (upnpEnabled && !mapped) return ': the gateway does not forward it to this machine';
  if (!upnpEnabled) return ': forward it on the router (see portForwarding)';
  return ': a firewall on this machine or in front of the router may block it';
}
