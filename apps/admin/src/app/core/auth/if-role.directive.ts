import { Directive, TemplateRef, ViewContainerRef, effect, inject, input } from '@angular/core';
import type { UserRole } from '@mcp-proxy/shared/dto';
import { AuthService } from './auth.service';

/**
 * Renders its content only for the given role and above: `<button *mcpIfRole="'operator'">`.
 * Hiding is a courtesy; the API refuses the call anyway.
 */
@Directive({ selector: '[mcpIfRole]' })
export class IfRoleDirective {
  private readonly auth = inject(AuthService);
  private readonly template = inject(TemplateRef);
  private readonly container = inject(ViewContainerRef);
  readonly mcpIfRole = input.required<UserRole>();
  private shown = false;

  constructor() {
    effect(() => {
      const allowed = this.auth.allows(this.mcpIfRole());
      if (allowed === this.shown) return;
      this.shown = allowed;
      if (allowed) this.container.createEmbeddedView(this.template);
      else this.container.clear();
    });
  }
}
