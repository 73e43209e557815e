import { TestBed } from '@angular/core/testing';
import type { ServiceStatus } from '@mcp-proxy/shared/dto';
import { StatusChipComponent } from './status-chip.component';

describe('StatusChipComponent', () => {
  it.each<[ServiceStatus, string]>([
    ['running', 'positive'],
    ['starting', 'progress'],
    ['restarting', 'progress'],
    ['deploying', 'progress'],
    ['crashed', 'negative'],
    ['failed', 'negative'],
    ['stopped', 'neutral'],
  ])('shows %s with the %s tone', async (status, tone) => {
    const fixture = TestBed.createComponent(StatusChipComponent);
    fixture.componentRef.setInput('status', status);
    await fixture.whenStable();

    const chip = (fixture.nativeElement as HTMLElement).querySelector('.chip');
    expect(chip?.textContent?.trim()).toBe(status);
    expect(chip?.getAttribute('data-tone')).toBe(tone);
  });
});

describe('StatusChipComponent with a tone of its own', () => {
  it('shows any state with the tone it is given', async () => {
    const fixture = TestBed.createComponent(StatusChipComponent);
    fixture.componentRef.setInput('status', 'succeeded');
    fixture.componentRef.setInput('tone', 'positive');
    await fixture.whenStable();

    const chip = (fixture.nativeElement as HTMLElement).querySelector('.chip');
    expect(chip?.textContent?.trim()).toBe('succeeded');
    expect(chip?.getAttribute('data-tone')).toBe('positive');
  });

  it('is neutral for an unknown state without a tone', async () => {
    const fixture = TestBed.createComponent(StatusChipComponent);
    fixture.componentRef.setInput('status', 'no-gateway');
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('.chip')?.getAttribute('data-tone')).toBe('neutral');
  });
});
