import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { SettingView } from '@mcp-proxy/shared/dto';
import { pageProviders } from '../../testing/page-providers';
import { buttonByText, fieldByLabel, fieldError, typeInto } from '../../testing/dom';
import { seedSession, settingView, settingsList } from '../../testing/fixtures';
import { SettingsPageComponent } from './settings-page.component';

describe('SettingsPageComponent', () => {
  let fixture: ComponentFixture<SettingsPageComponent>;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    TestBed.configureTestingModule({
      imports: [SettingsPageComponent],
      providers: pageProviders(),
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SettingsPageComponent);
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function settingBox(key: string): HTMLElement {
    const box = element().querySelector(`[data-key="${key}"]`);
    if (!box) throw new Error(`no ${key}`);
    return box as HTMLElement;
  }

  /** The texts of an element's children (Angular drops the whitespace between them). */
  function parts(root: Element | null): string[] {
    return [...(root?.querySelectorAll(':scope > *, :scope > dd > *') ?? [])]
      .filter((child) => child.tagName !== 'DD')
      .map((child) => child.textContent?.trim() ?? '');
  }

  async function open(settings: SettingView[] = settingsList()): Promise<void> {
    httpTesting.expectOne({ method: 'GET', url: '/api/settings' }).flush(settings);
    await fixture.whenStable();
  }

  it('shows the runtime settings as a grouped form with source and default, and the others read-only', async () => {
    await open();
    const headings = [...element().querySelectorAll('h2')].map((heading) => heading.textContent?.trim());
    expect(headings).toEqual(['Logging and metrics', 'Security and sessions', 'Defaults for new services', 'Set in the environment']);
    expect(fieldByLabel(element(), 'API rate limit').value).toBe('600');
    expect(parts(settingBox('LOG_LEVEL').querySelector('.meta'))).toEqual([
      'LOG_LEVEL',
      'changed here',
      'Default: info',
      'Environment: info',
      'Reset',
    ]);
    expect(settingBox('API_RATE_LIMIT').querySelector('.meta')?.textContent).not.toContain('Reset');
    const port = settingBox('BACKEND_PORT');
    expect(port.querySelector('input')).toBeNull();
    expect(parts(port)).toEqual(['Backend port BACKEND_PORT', '8437', 'environment', 'API port.']);
  });

  it('saves only what changed and confirms it is in force', async () => {
    await open();
    typeInto(fieldByLabel(element(), 'API rate limit'), '300');
    typeInto(fieldByLabel(element(), 'Allowed hosts'), 'mcp.example.com\n');
    buttonByText(element(), 'Save').click();
    const request = httpTesting.expectOne({ method: 'PATCH', url: '/api/settings' });
    expect(request.request.body).toEqual({ API_RATE_LIMIT: 300, ALLOWED_HOSTS: ['mcp.example.com'] });
    request.flush(
      settingsList().map((setting) =>
        setting.key === 'API_RATE_LIMIT' ? settingView({ value: 300, source: 'runtime', changedAt: '2026-01-01T00:00:00.000Z' }) : setting,
      ),
    );
    await fixture.whenStable();
    expect(element().querySelector('.success')?.textContent).toContain('Saved and in force: API_RATE_LIMIT, ALLOWED_HOSTS.');
    expect(fieldByLabel(element(), 'API rate limit').value).toBe('300');
    expect(settingBox('API_RATE_LIMIT').querySelector('.meta')?.textContent).toContain('changed here');
  });

  it('checks a value before sending it', async () => {
    await open();
    typeInto(fieldByLabel(element(), 'API rate limit'), '0');
    buttonByText(element(), 'Save').click();
    await fixture.whenStable();
    httpTesting.expectNone({ method: 'PATCH', url: '/api/settings' });
    expect(fieldError(element(), 'API rate limit')).toBe('A whole number from 1 to 1000000');
  });

  it("shows the API's 400 under the field it names, and a message naming none at the top", async () => {
    await open();
    typeInto(fieldByLabel(element(), 'Allowed hosts'), 'not a host');
    buttonByText(element(), 'Save').click();
    httpTesting
      .expectOne({ method: 'PATCH', url: '/api/settings' })
      .flush({ statusCode: 400, message: ['ALLOWED_HOSTS must be a domain name'] }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(fieldError(element(), 'Allowed hosts')).toBe('ALLOWED_HOSTS must be a domain name');
    expect(element().querySelector('.error-banner')?.textContent).toContain('Nothing was saved');
    expect(element().querySelector('.success')).toBeNull();
  });

  it('resets one setting to the environment value', async () => {
    await open();
    buttonByText(settingBox('LOG_LEVEL'), 'Reset').click();
    httpTesting
      .expectOne({ method: 'DELETE', url: '/api/settings/LOG_LEVEL' })
      .flush(
        settingsList().map((setting) =>
          setting.key === 'LOG_LEVEL' ? { ...setting, value: 'info', source: 'default' as const, changedAt: null } : setting,
        ),
      );
    await fixture.whenStable();
    expect(settingBox('LOG_LEVEL').querySelector('.meta')?.textContent).toContain('default');
    expect(settingBox('LOG_LEVEL').textContent).not.toContain('Reset');
    expect(element().querySelector('.success')?.textContent).toContain('LOG_LEVEL');
  });
});
