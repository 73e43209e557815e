import type { PortForwardingView } from '@mcp-proxy/shared/dto';
import { isNonPublicIpv4 } from './ip/default-route';
import type { ProxyPort } from './network-settings';

export interface ForwardingFacts {
  reason: string;
  ports: ProxyPort[];
  privateIp: string | null;
  publicIp: string | null;
  routerIp: string | null;
}

/** The rules to enter on the router by hand, and how, for when UPnP is off or did not map every port. */
export function portForwardingInstructions(facts: ForwardingFacts): PortForwardingView {
  const target = facts.privateIp ?? 'this machine’s LAN address';
  const steps = [
    `Open the router's admin page in a browser (usually ${facts.routerIp ? `http://${facts.routerIp}` : 'the address of your default gateway'}) and sign in.`,
    'Find the port forwarding settings (also called "Virtual servers", "NAT" or "Port mapping").',
    `Add one rule per port below: external port → ${target}, the same internal port, protocol TCP.`,
    `Give this machine a fixed LAN address (a DHCP reservation for ${target}) so the rules keep pointing at it.`,
    'Save, then check the ports again (POST /api/network/check-ports, or the Network page).',
  ];
  if (facts.publicIp && isNonPublicIpv4(facts.publicIp)) {
    steps.push(
      `The router's outside address (${facts.publicIp}) is itself private: your provider shares one public address between customers (carrier-grade NAT) or another router sits in front of yours. Forward the ports on that router too, or ask your provider for a public IP.`,
    );
  }
  return {
    reason: facts.reason,
    routerIp: facts.routerIp,
    privateIp: facts.privateIp,
    publicIp: facts.publicIp,
    rules: facts.ports.map((port) => ({
      name: port.description,
      externalPort: port.port,
      internalIp: facts.privateIp,
      internalPort: port.port,
      protocol: 'TCP' as const,
    })),
    steps,
  };
}
