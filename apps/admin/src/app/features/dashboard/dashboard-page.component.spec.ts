import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { healthView } from '../../testing/fixtures';
import { DashboardPageComponent } from './dashboard-page.component';

describe('DashboardPageComponent', () => {
  let fixture: ComponentFixture<DashboardPageComponent>;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [DashboardPageComponent],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(DashboardPageComponent);
  });

  afterEach(() => httpTesting.verify());

  function stat(label: string): string | undefined {
    const element = fixture.nativeElement as HTMLElement;
    const heading = [...element.querySelectorAll('h2')].find((h2) => h2.textContent?.trim() === label);
    return heading?.closest('section')?.querySelector('.stat-value')?.textContent?.trim();
  }

  it('shows status, version, uptime and service counts from GET /health', async () => {
    httpTesting
      .expectOne('/health')
      .flush(healthView({ version: '1.4.2', uptime: 3_725, services: { running: 2, total: 5 } }));
    await fixture.whenStable();

    expect(stat('Status')).toBe('ok');
    expect(stat('Version')).toBe('1.4.2');
    expect(stat('Uptime')).toBe('1 h 2 min');
    expect(stat('Services running')).toBe('2 of 5');
  });

  it('says when the gateway cannot be reached', async () => {
    httpTesting.expectOne('/health').error(new ProgressEvent('error'), { status: 0, statusText: '' });
    await fixture.whenStable();

    const alert = (fixture.nativeElement as HTMLElement).querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Cannot reach the API');
  });
});
