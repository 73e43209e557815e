import { DOCUMENT } from '@angular/common';
import { Injectable, computed, effect, inject, signal } from '@angular/core';

export type ThemeChoice = 'light' | 'dark' | 'system';
export const THEME_STORAGE_KEY = 'mcp-proxy.theme';

/**
 * Light or dark: the system's preference until the user picks one with the header's toggle, which is
 * remembered in localStorage. The choice is the `color-scheme` of <html>, so Material's light-dark()
 * tokens follow it.
 */
@Injectable({ providedIn: 'root' })
export class ThemeService {
  private readonly document = inject(DOCUMENT);
  private readonly media = this.document.defaultView?.matchMedia?.('(prefers-color-scheme: dark)') ?? null;
  private readonly systemDark = signal(this.media?.matches ?? false);
  readonly choice = signal<ThemeChoice>(readChoice(this.document));
  readonly dark = computed(() => (this.choice() === 'system' ? this.systemDark() : this.choice() === 'dark'));

  constructor() {
    this.media?.addEventListener('change', (event) => this.systemDark.set(event.matches));
    effect(() => {
      const root = this.document.documentElement;
      const choice = this.choice();
      root.style.colorScheme = choice === 'system' ? '' : choice;
      root.classList.toggle('dark-theme', this.dark());
    });
  }

  /** Flips to the other theme and remembers it. */
  toggle(): void {
    const next = this.dark() ? 'light' : 'dark';
    this.choice.set(next);
    try {
      this.document.defaultView?.localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  }
}

function readChoice(document: Document): ThemeChoice {
  try {
    const stored = document.defaultView?.localStorage.getItem(THEME_STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}
