import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PagePlaceholderComponent } from '../../shared/ui/page-placeholder/page-placeholder.component';

@Component({
  selector: 'mcp-deploy-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PagePlaceholderComponent],
  template: `
    <mcp-page-placeholder
      heading="Deploy"
      message="Deploy from GitHub arrives with the GitHub module."
      detail="Until then, services are registered through the REST API under /api/services."
    />
  `,
})
export class DeployPageComponent {}
