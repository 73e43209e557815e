import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink } from '@angular/router';
import { AuthService } from '../../../core/auth/auth.service';
import { CopyBlockComponent } from '../../../shared/ui/copy-block/copy-block.component';
import { KEY_VARIABLE, ServiceAddress, clientSnippets, endpointsFor } from './client-snippets';
import { ClientTokenFormComponent } from './client-token-form.component';

/** The MCP addresses of a service (or a group), a client token made on the spot, and client configurations to copy. */
@Component({
  selector: 'mcp-service-connect',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTabsModule, RouterLink, ClientTokenFormComponent, CopyBlockComponent],
  templateUrl: './service-connect.component.html',
  styleUrl: './service-connect.component.scss',
})
export class ServiceConnectComponent {
  readonly service = input.required<ServiceAddress>();

  private readonly origin = inject(DOCUMENT).defaultView?.location.origin ?? 'http://localhost:8437';
  protected readonly mayCreateTokens = inject(AuthService).allows('admin');
  protected readonly keyVariable = KEY_VARIABLE;
  /** The token created on this tab, written into the snippets; never kept beyond the page. */
  protected readonly token = signal<string | null>(null);
  protected readonly endpoints = computed(() => endpointsFor(this.origin, this.service()));
  protected readonly snippets = computed(() => clientSnippets(this.origin, this.service(), this.token()));
}
