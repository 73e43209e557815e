import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { CopyBlockComponent } from '../../../shared/ui/copy-block/copy-block.component';
import { KEY_VARIABLE, ServiceAddress, clientSnippets, endpointsFor } from './client-snippets';

/** The MCP addresses of a service (or a group) and client configurations to copy. */
@Component({
  selector: 'mcp-service-connect',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTabsModule, CopyBlockComponent],
  templateUrl: './service-connect.component.html',
  styleUrl: './service-connect.component.scss',
})
export class ServiceConnectComponent {
  readonly service = input.required<ServiceAddress>();

  private readonly origin = inject(DOCUMENT).defaultView?.location.origin ?? 'http://localhost:8437';
  protected readonly keyVariable = KEY_VARIABLE;
  protected readonly endpoints = computed(() => endpointsFor(this.origin, this.service()));
  protected readonly snippets = computed(() => clientSnippets(this.origin, this.service()));
}
