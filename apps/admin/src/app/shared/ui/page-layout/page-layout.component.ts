import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';

/** One step of the breadcrumb above the title; the last one (the page itself) has no link. */
export interface Crumb {
  readonly label: string;
  readonly link?: string | readonly string[];
}

/**
 * The frame every form and detail page shares: breadcrumb, the title with its status beside it and the
 * page's actions on the right (wrapping under it on a phone), a progress bar while loading, the load
 * error, then the page. Pages project `[pageStatus]`, `[pageActions]` and their body.
 */
@Component({
  selector: 'mcp-page-layout',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatProgressBarModule, RouterLink],
  template: `
    @if (crumbs().length > 0) {
      <nav class="breadcrumb" aria-label="Breadcrumb">
        @for (crumb of crumbs(); track $index) {
          @if (crumb.link) {
            <a [routerLink]="crumb.link">{{ crumb.label }}</a> /
          } @else {
            {{ crumb.label }}
          }
        }
      </nav>
    }
    @if (heading(); as title) {
      <header class="page-header">
        <div class="title-block">
          <h1 class="page-title">{{ title }}</h1>
          <ng-content select="[pageStatus]" />
        </div>
        <div class="header-actions" role="group" [attr.aria-label]="actionsLabel()">
          <ng-content select="[pageActions]" />
        </div>
      </header>
    }
    <ng-content select="[pageIntro]" />
    @if (loading()) {
      <mat-progress-bar mode="indeterminate" [attr.aria-label]="loadingLabel()" />
    }
    @if (error(); as message) {
      <p class="error-banner" role="alert">{{ message }}</p>
    }
    <ng-content />
  `,
  styles: `
    :host {
      display: block;
      min-width: 0;
    }
    .header-actions:empty {
      display: none;
    }
  `,
})
export class PageLayoutComponent {
  /** The h1; null while the page does not know it yet (no header is drawn). */
  readonly heading = input<string | null>(null);
  readonly crumbs = input<readonly Crumb[]>([]);
  /** The name of the action group, for screen readers ("Service actions"). */
  readonly actionsLabel = input('Page actions');
  readonly loading = input(false);
  readonly loadingLabel = input('Loading');
  /** A load failure, in full ("Could not load the group: …"). */
  readonly error = input<string | null>(null);
}
