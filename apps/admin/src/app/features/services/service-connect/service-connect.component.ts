import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { CopyBlockComponent } from '../../../shared/ui/copy-block/copy-block.component';
import { KEY_VARIABLE, clientSnippets, endpointsFor } from './client-snippets';

/** The service's MCP addresses and client configurations to copy. */
@Component({
  selector: 'mcp-service-connect',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTabsModule, CopyBlockComponent],
  templateUrl: './service-connect.component.html',
  styleUrl: './service-connect.component.scss',
})
export class ServiceConnectComponent {
  readonly service = input.required<ServiceView>();

  private readonly origin = inject(DOCUMENT).defaultView?.location.origin ?? 'http://localhost:8437';
  protected readonly keyVariable = KEY_VARIABLE;
  protected readonly endpoints = computed(() => endpointsFor(this.origin, this.service()));
  protected readonly snippets = computed(() => clientSnippets(this.origin, this.service()));
}
