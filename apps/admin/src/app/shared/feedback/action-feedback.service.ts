import { Injectable, WritableSignal, inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Observable, map, tap } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { ConfirmDialogComponent, ConfirmDialogData } from '../ui/confirm-dialog/confirm-dialog.component';

/** How long a toast stays: long enough to read a sentence, an error longer (it may need acting on). */
export const TOAST_MS = 4_000;
export const ERROR_TOAST_MS = 10_000;

export interface ActionOptions<T, K extends string> {
  /** The toast when it worked, e.g. "Started everything". */
  readonly done: string | ((value: T) => string);
  /** What failed, e.g. "Could not start everything": the API's message follows. */
  readonly failed: string;
  /** Set to `key` while the action runs (a spinner on its button), back to null when it ends. */
  readonly pending?: WritableSignal<K | null>;
  readonly key?: K;
}

/**
 * One place for what every page does around an action: ask first when it hurts someone, show a spinner
 * while it runs, and say how it ended in a toast (with the API's own message when it failed).
 */
@Injectable({ providedIn: 'root' })
export class ActionFeedbackService {
  private readonly snackBar = inject(MatSnackBar);
  private readonly dialog = inject(MatDialog);

  success(message: string): void {
    this.snackBar.open(message, 'OK', { duration: TOAST_MS, politeness: 'polite' });
  }

  failure(what: string, error: unknown): void {
    this.snackBar.open(`${what}: ${describeHttpError(error)}`, 'Dismiss', {
      duration: ERROR_TOAST_MS,
      politeness: 'assertive',
      panelClass: 'toast-error',
    });
  }

  /** Emits once: true when the user confirmed. */
  confirm(data: ConfirmDialogData): Observable<boolean> {
    return this.dialog
      .open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, { data, width: '440px', maxWidth: '92vw' })
      .afterClosed()
      .pipe(map((confirmed) => confirmed === true));
  }

  /** Runs `action` with its spinner and its toast; errors still reach the subscriber (pages may show them inline too). */
  run<T, K extends string = string>(action: Observable<T>, options: ActionOptions<T, K>): Observable<T> {
    const { pending, key } = options;
    if (pending && key) pending.set(key);
    return action.pipe(
      tap({
        next: (value) => this.success(typeof options.done === 'string' ? options.done : options.done(value)),
        error: (error: unknown) => this.failure(options.failed, error),
        finalize: () => pending?.set(null),
      }),
    );
  }
}
