import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PagePlaceholderComponent } from '../../shared/ui/page-placeholder/page-placeholder.component';

@Component({
  selector: 'mcp-certificates-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PagePlaceholderComponent],
  template: `
    <mcp-page-placeholder
      heading="Certificates"
      message="Certificate management arrives with the Certificates module."
      detail="The gateway does not manage TLS certificates yet."
    />
  `,
})
export class CertificatesPageComponent {}
