/** Small DOM helpers for component specs: find things the way a user names them. */

export function buttonByText(root: HTMLElement, text: string): HTMLButtonElement {
  const button = [...root.querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === text);
  if (!button) throw new Error(`no button "${text}"`);
  return button;
}

export function linkByText(root: HTMLElement, text: string): HTMLAnchorElement {
  const link = [...root.querySelectorAll('a')].find((candidate) => candidate.textContent?.trim() === text);
  if (!link) throw new Error(`no link "${text}"`);
  return link;
}

/** The input, textarea or select of the Material form field labelled `label` (the n-th one when repeated). */
export function fieldByLabel(root: HTMLElement, label: string, nth = 0): HTMLInputElement | HTMLTextAreaElement {
  const fields = [...root.querySelectorAll('mat-form-field')].filter(
    (field) => field.querySelector('mat-label')?.textContent?.trim() === label,
  );
  const control = fields[nth]?.querySelector('input, textarea');
  if (!control) throw new Error(`no field labelled "${label}" (#${nth})`);
  return control as HTMLInputElement | HTMLTextAreaElement;
}

/** The error shown under the form field labelled `label`, if any. */
export function fieldError(root: HTMLElement, label: string, nth = 0): string | undefined {
  const fields = [...root.querySelectorAll('mat-form-field')].filter(
    (field) => field.querySelector('mat-label')?.textContent?.trim() === label,
  );
  return fields[nth]?.querySelector('mat-error')?.textContent?.trim();
}

/** Types `value` into a text field the way a browser reports it to Angular. */
export function typeInto(control: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  control.value = value;
  control.dispatchEvent(new Event('input'));
  control.dispatchEvent(new Event('blur'));
}
