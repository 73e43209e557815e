import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PagePlaceholderComponent } from '../../shared/ui/page-placeholder/page-placeholder.component';

@Component({
  selector: 'mcp-network-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PagePlaceholderComponent],
  template: `
    <mcp-page-placeholder
      heading="Network"
      message="Network settings arrive with the Network module."
      detail="Until then, the listening host and ports come from HOST, BACKEND_PORT and FRONTEND_PORT in the gateway's environment."
    />
  `,
})
export class NetworkPageComponent {}
