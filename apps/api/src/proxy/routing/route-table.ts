import { Injectable, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { ProcessConfigView, ProxyConfigView, ServiceTransport } from '@mcp-proxy/shared/dto';
import { SERVICE_EVENTS } from '../../processes/child-handle';
import { ServicesService } from '../../processes/services.service';

/** What the data plane needs to know about a service, looked up on every request. */
export interface ServiceRoute {
  id: string;
  name: string;
  transport: ServiceTransport;
  proxy: ProxyConfigView;
  process: ProcessConfigView;
}

/**
 * Service id, name and proxy path → route, rebuilt from the registry whenever it changes
 * (Traefik-style: configuration is read here, request handling only looks up).
 */
@Injectable()
export class RouteTable implements OnModuleInit {
  private routes = new Map<string, ServiceRoute>();
  private rebuilding: Promise<void> | null = null;
  private dirty = false;

  constructor(private readonly services: ServicesService) {}

  onModuleInit(): Promise<void> {
    return this.rebuild();
  }

  @OnEvent(SERVICE_EVENTS.changed)
  onServiceChanged(): Promise<void> {
    return this.rebuild();
  }

  /** Finds a route; on a miss the table is reloaded once, so a service created a moment ago is found. */
  async resolve(key: string): Promise<ServiceRoute | undefined> {
    return this.routes.get(key) ?? (await this.rebuild(), this.routes.get(key));
  }

  byId(id: string): ServiceRoute | undefined {
    return this.routes.get(id);
  }

  /** Calls that arrive during a reload share it; a change seen meanwhile triggers one more pass. */
  rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.dirty = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      do {
        this.dirty = false;
        await this.load();
      } while (this.dirty);
    })().finally(() => (this.rebuilding = null));
    return this.rebuilding;
  }

  private async load(): Promise<void> {
    const next = new Map<string, ServiceRoute>();
    for (const view of await this.services.list()) {
      const route: ServiceRoute = { id: view.id, name: view.name, transport: view.transport, proxy: view.proxy, process: view.process };
      next.set(view.id, route);
      next.set(view.name, route);
      next.set(view.proxy.path.slice('/mcp/'.length), route);
    }
    this.routes = next;
  }
}
