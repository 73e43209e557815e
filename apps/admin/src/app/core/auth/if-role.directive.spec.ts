import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { UserRole } from '@mcp-proxy/shared/dto';
import { createTestClock, loginView, seedSession } from '../../testing/fixtures';
import { AuthService } from './auth.service';
import { AUTH_CLOCK } from './auth.tokens';
import { IfRoleDirective } from './if-role.directive';

@Component({
  imports: [IfRoleDirective],
  template: `<button *mcpIfRole="'viewer'">Read</button><button *mcpIfRole="'operator'">Start</button
    ><button *mcpIfRole="'admin'">Delete</button>`,
})
class Host {}

async function shownFor(role: UserRole): Promise<string[]> {
  TestBed.resetTestingModule();
  sessionStorage.clear();
  seedSession(loginView({ role }));
  TestBed.configureTestingModule({
    providers: [provideHttpClient(), provideHttpClientTesting(), { provide: AUTH_CLOCK, useValue: createTestClock().now }],
  });
  const fixture = TestBed.createComponent(Host);
  fixture.detectChanges();
  await fixture.whenStable();
  return [...(fixture.nativeElement as HTMLElement).querySelectorAll('button')].map((button) => button.textContent ?? '');
}

describe('IfRoleDirective', () => {
  afterEach(() => sessionStorage.clear());

  it.each<[UserRole, string[]]>([
    ['viewer', ['Read']],
    ['operator', ['Read', 'Start']],
    ['admin', ['Read', 'Start', 'Delete']],
  ])('shows a %s only %j', async (role, expected) => {
    expect(await shownFor(role)).toEqual(expected);
  });

  it('hides everything once signed out', async () => {
    await shownFor('admin');
    TestBed.inject(AuthService).logout();
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelectorAll('button').length).toBe(0);
  });
});
