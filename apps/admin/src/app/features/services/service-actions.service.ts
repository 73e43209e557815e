import { Injectable, WritableSignal, inject } from '@angular/core';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { Observable, catchError, filter, map, of, switchMap } from 'rxjs';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';
import { ServiceAction, ServicesApiService } from './services-api.service';

export type ServiceActionKey = ServiceAction | 'delete';

const DONE: Record<ServiceActionKey, string> = { start: 'Started', stop: 'Stopped', restart: 'Restarted', delete: 'Deleted' };
const VERB: Record<ServiceActionKey, string> = { start: 'start', stop: 'stop', restart: 'restart', delete: 'delete' };

/** "1 client is connected" / "3 clients are connected" / "No client is connected", or null when unknown. */
export function connectedClients(sessions: number | null): string {
  if (sessions === null) return 'The number of connected clients is unknown.';
  if (sessions === 0) return 'No client is connected.';
  return sessions === 1 ? '1 client is connected.' : `${sessions} clients are connected.`;
}

/** What the connected clients will see, in the words of the confirmation. */
export function consequence(action: Exclude<ServiceActionKey, 'start'>, service: ServiceView): string {
  switch (action) {
    case 'stop':
      return `Their sessions end and ${service.proxy.path} answers 503 (service unavailable) until it is started again.`;
    case 'restart':
      return 'Their sessions end; calls in flight fail and clients must reconnect (most do it on their own).';
    case 'delete':
      return `It is stopped and removed with its settings and environment variables; ${service.proxy.path} answers 404. This cannot be undone.`;
  }
}

/**
 * Start, stop, restart and delete of a service, as the list and the detail page both offer them: the
 * harmful ones are confirmed with the number of clients connected right now, each ends in a toast.
 */
@Injectable({ providedIn: 'root' })
export class ServiceActionsService {
  private readonly api = inject(ServicesApiService);
  private readonly feedback = inject(ActionFeedbackService);

  /** Emits the new view (delete: the old one) once done; nothing when the user cancelled. */
  perform<K extends string>(
    service: ServiceView,
    action: ServiceActionKey & K,
    pending?: WritableSignal<K | null>,
  ): Observable<ServiceView> {
    const confirmed = action === 'start' ? of(true) : this.confirm(service, action);
    return confirmed.pipe(
      filter(Boolean),
      switchMap(() =>
        this.feedback.run<ServiceView, K>(
          action === 'delete' ? this.api.remove(service.id).pipe(map(() => service)) : this.api.control(service.id, action),
          {
            done: `${DONE[action]} ${service.name}`,
            failed: `Could not ${VERB[action]} ${service.name}`,
            pending,
            key: action,
          },
        ),
      ),
    );
  }

  private confirm(service: ServiceView, action: Exclude<ServiceActionKey, 'start'>): Observable<boolean> {
    return this.sessions(service).pipe(
      switchMap((sessions) =>
        this.feedback.confirm({
          title: `${action[0].toUpperCase()}${action.slice(1)} ${service.name}?`,
          message: `${connectedClients(sessions)} ${consequence(action, service)}`,
          confirmLabel: `${action[0].toUpperCase()}${action.slice(1)}`,
          danger: action !== 'restart',
        }),
      ),
    );
  }

  /** MCP sessions open on the service now (the proxy counts them); null when it cannot be asked. */
  private sessions(service: ServiceView): Observable<number | null> {
    if (service.status === 'stopped') return of(0);
    return this.api.metrics(service.id).pipe(
      map((metrics) => metrics.proxy?.sessions ?? metrics.process.sessions?.active ?? 0),
      catchError(() => of(null)),
    );
  }
}
