import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { CertStatusView } from '@mcp-proxy/shared/dto';
import { pageProviders } from '../../testing/page-providers';
import { buttonByText } from '../../testing/dom';
import { certStatus, seedSession } from '../../testing/fixtures';
import { CertificatesPageComponent } from './certificates-page.component';

describe('CertificatesPageComponent', () => {
  let fixture: ComponentFixture<CertificatesPageComponent>;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    TestBed.configureTestingModule({
      imports: [CertificatesPageComponent],
      providers: pageProviders(),
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(CertificatesPageComponent);
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => element.remove());
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function definition(term: string): string | undefined {
    const dt = [...element().querySelectorAll('dt')].find((item) => item.textContent?.trim() === term);
    return dt?.nextElementSibling?.textContent?.trim().replace(/\s+/g, ' ');
  }

  async function open(status: CertStatusView): Promise<void> {
    httpTesting.expectOne({ method: 'GET', url: '/api/certs/status' }).flush(status);
    await fixture.whenStable();
  }

  async function confirmRenew(): Promise<void> {
    buttonByText(element(), 'Renew now').click();
    await fixture.whenStable();
    buttonByText(document.querySelector('mat-dialog-container') as HTMLElement, 'Renew now').click();
    await fixture.whenStable();
  }

  it('shows where the certificate comes from, what it covers, its dates and renewal plan', async () => {
    // Expires 2026-03-22: far from the real clock's "now" either way, so only the dates are checked.
    await open(certStatus());
    expect(element().querySelector('#serving-title')).not.toBeNull();
    expect(element().querySelector('.headline')?.textContent).toContain('a certificate from the ACME directory for proxy.example.com');
    expect(definition('Provider')).toBe('letsencrypt');
    expect(definition('Names covered')).toBe('proxy.example.com');
    expect(definition('Issuer')).toBe("(STAGING) Let's Encrypt");
    expect(definition('Valid until')).toMatch(/^Mar 22, 2026, .* \((in|.* ago)/);
    expect(definition('Renewal due')).toMatch(/^Feb 20, 2026/);
    expect(definition('ACME directory')).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(definition('Challenge')).toBe('http-01');
    expect(element().querySelector('[role="alert"]')).toBeNull();
  });

  it('says why a self-signed certificate stands in, and the last error with the next try', async () => {
    await open(
      certStatus({
        serving: 'self-signed',
        fallbackReason: 'the first order is pending',
        lastError: 'the CA could not reach http://proxy.example.com/.well-known/acme-challenge/…: connection refused',
        failures: 3,
      }),
    );
    expect(element().querySelector('.warning')?.textContent).toContain('Self-signed stand-in: the first order is pending');
    const alert = element().querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Last 3 attempts failed: the CA could not reach');
    expect(alert?.textContent).toContain('Next try');
  });

  it('renews after confirmation and shows the new certificate', async () => {
    await open(certStatus());
    buttonByText(element(), 'Renew now').click();
    await fixture.whenStable();
    const dialog = document.querySelector('mat-dialog-container') as HTMLElement;
    expect(dialog.textContent).toContain('Certificate authorities limit how many orders');
    buttonByText(dialog, 'Cancel').click();
    await fixture.whenStable();
    httpTesting.expectNone('/api/certs/renew');

    await confirmRenew();
    const request = httpTesting.expectOne({ method: 'POST', url: '/api/certs/renew' });
    expect(buttonByText(element(), 'Renewing…').disabled).toBe(true);
    request.flush(certStatus({ serialNumber: '05ffee', lastRenewedAt: '2026-01-01T00:00:00.000Z' }));
    await fixture.whenStable();
    expect(definition('Serial number')).toBe('05ffee');
    expect(element().querySelector('.success')?.textContent).toContain('Renewed');
  });

  it('shows why a renewal failed, and the status after it', async () => {
    await open(certStatus());
    await confirmRenew();
    httpTesting
      .expectOne('/api/certs/renew')
      .flush({ statusCode: 502, message: 'the ACME directory is unreachable' }, { status: 502, statusText: 'Bad Gateway' });
    httpTesting.expectOne('/api/certs/status').flush(certStatus({ lastError: 'the ACME directory is unreachable', failures: 1 }));
    await fixture.whenStable();
    const alerts = [...element().querySelectorAll('[role="alert"]')].map((item) => item.textContent?.trim());
    expect(alerts).toEqual([
      expect.stringContaining('Last attempt failed: the ACME directory is unreachable'),
      'The renewal failed: the ACME directory is unreachable (HTTP 502)',
    ]);
    expect(buttonByText(element(), 'Renew now').disabled).toBe(false);
  });

  it('explains how to turn HTTPS on when it is off, without a renew button', async () => {
    await open(
      certStatus({
        enabled: false,
        provider: 'self-signed',
        domain: null,
        serving: null,
        issuer: null,
        notBefore: null,
        notAfter: null,
        renewAt: null,
      }),
    );
    expect(element().querySelector('#tls-off-title')?.textContent?.trim()).toBe('HTTPS is off');
    expect(element().textContent).toContain('SSL_ENABLED=true');
    expect(element().textContent).toContain("README's HTTPS section");
    expect([...element().querySelectorAll('button')].some((button) => button.textContent?.trim() === 'Renew now')).toBe(false);
  });

  it('shows the error when the status cannot be loaded', async () => {
    httpTesting.expectOne('/api/certs/status').flush({ statusCode: 500, message: 'boom' }, { status: 500, statusText: 'Server Error' });
    await fixture.whenStable();
    expect(element().querySelector('[role="alert"]')?.textContent).toContain('Could not load the certificate status: boom (HTTP 500)');
  });
});
