import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { ThemeService } from './core/layout/theme.service';

@Component({
  selector: 'mcp-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet],
  template: '<router-outlet />',
})
export class AppComponent {
  // Created here so the theme applies on the sign-in page too, before the shell exists.
  protected readonly theme = inject(ThemeService);
}
