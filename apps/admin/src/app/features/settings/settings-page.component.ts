import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PagePlaceholderComponent } from '../../shared/ui/page-placeholder/page-placeholder.component';

@Component({
  selector: 'mcp-settings-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PagePlaceholderComponent],
  template: `
    <mcp-page-placeholder
      heading="Settings"
      message="Gateway settings arrive with the Settings module."
      detail="Until then, configuration comes from the gateway's environment variables, read at start-up."
    />
  `,
})
export class SettingsPageComponent {}
