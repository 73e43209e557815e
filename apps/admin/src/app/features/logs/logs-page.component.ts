import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PagePlaceholderComponent } from '../../shared/ui/page-placeholder/page-placeholder.component';

@Component({
  selector: 'mcp-logs-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PagePlaceholderComponent],
  template: `
    <mcp-page-placeholder
      heading="Logs"
      message="Service logs arrive with the Logs module."
      detail="It will show what each service writes, as it is written. Nothing is shown here yet."
    />
  `,
})
export class LogsPageComponent {}
