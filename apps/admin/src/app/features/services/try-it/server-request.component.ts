import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { ServerRequest } from './mcp-http-client';
import type { JsonSchema } from './mcp-types';
import { ToolFieldValue, buildArguments, enumKey, initialValue, planToolForm } from './tool-form';

/** How the user answered: a result to send back, or a refusal (sent as a JSON-RPC error). */
export type ServerRequestAnswer = { result: Record<string, unknown> } | { refuse: string };

/** The text of a sampling message's content (text blocks only; others are named by their type). */
function textOf(content: unknown): string {
  const blocks = Array.isArray(content) ? content : [content];
  return blocks
    .map((block) => {
      const item = block as { type?: unknown; text?: unknown };
      return item.type === 'text' && typeof item.text === 'string' ? item.text : `[${String(item.type ?? 'content')}]`;
    })
    .join('\n');
}

/**
 * A request the server sent while a tool runs, answered by the person at the panel: elicitation as a
 * form built from the requested schema (accept, decline, cancel), sampling with a text box where the
 * user plays the model. Presentational: the panel sends the answer.
 */
@Component({
  selector: 'mcp-server-request',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatCheckboxModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  template: `
    <section class="server-request" role="region" [attr.aria-label]="title()">
      <h4>{{ title() }}</h4>
      @if (request().method === 'elicitation/create') {
        <p>{{ params()['message'] }}</p>
        @if (params()['mode'] === 'url') {
          <p>
            Open <a [href]="params()['url']" target="_blank" rel="noopener noreferrer">{{ params()['url'] }}</a> and accept once done.
          </p>
        } @else {
          <div class="fields">
            @for (field of plan().fields; track field.name) {
              @if (field.kind === 'boolean') {
                <mat-checkbox [checked]="values()[field.name] === true" (change)="set(field.name, $event.checked)">{{
                  field.label
                }}</mat-checkbox>
              } @else if (field.kind === 'enum') {
                <mat-form-field>
                  <mat-label>{{ field.label }}</mat-label>
                  <mat-select [value]="values()[field.name]" (valueChange)="set(field.name, $event)">
                    @for (option of field.options; track $index) {
                      <mat-option [value]="enumKey(option)">{{ option }}</mat-option>
                    }
                  </mat-select>
                  @if (errors()[field.name]; as message) {
                    <mat-hint class="field-error">{{ message }}</mat-hint>
                  }
                </mat-form-field>
              } @else {
                <mat-form-field>
                  <mat-label>{{ field.label }}</mat-label>
                  <input matInput [ngModel]="values()[field.name]" (ngModelChange)="set(field.name, $event)" [required]="field.required" />
                  @if (errors()[field.name]; as message) {
                    <mat-hint class="field-error">{{ message }}</mat-hint>
                  } @else if (field.description) {
                    <mat-hint>{{ field.description }}</mat-hint>
                  }
                </mat-form-field>
              }
            }
          </div>
        }
        <div class="actions">
          <button mat-flat-button type="button" (click)="accept()">Accept</button>
          <button mat-stroked-button type="button" (click)="answered.emit({ result: { action: 'decline' } })">Decline</button>
          <button mat-button type="button" (click)="answered.emit({ result: { action: 'cancel' } })">Cancel</button>
        </div>
      } @else {
        @if (params()['systemPrompt']) {
          <p class="muted">System prompt: {{ params()['systemPrompt'] }}</p>
        }
        <ol class="messages">
          @for (message of messages(); track $index) {
            <li>
              <strong>{{ message.role }}:</strong> {{ message.text }}
            </li>
          }
        </ol>
        <mat-form-field class="wide">
          <mat-label>Your reply, as the model</mat-label>
          <textarea matInput rows="3" [ngModel]="reply()" (ngModelChange)="reply.set($event)"></textarea>
        </mat-form-field>
        <div class="actions">
          <button mat-flat-button type="button" [disabled]="!reply().trim()" (click)="sendReply()">Send reply</button>
          <button mat-stroked-button type="button" (click)="answered.emit({ refuse: 'The user rejected the sampling request' })">
            Reject
          </button>
        </div>
      }
    </section>
  `,
  styles: `
    .server-request {
      margin-block: 12px;
      padding: 12px 16px;
      border: 1px solid var(--mat-sys-primary);
      border-radius: 12px;
    }
    h4 {
      margin: 0 0 8px;
    }
    .fields {
      display: grid;
      gap: 4px;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    .wide {
      width: 100%;
    }
    .field-error {
      color: var(--mat-sys-error);
    }
  `,
})
export class ServerRequestComponent {
  readonly request = input.required<ServerRequest>();
  readonly answered = output<ServerRequestAnswer>();

  protected readonly enumKey = enumKey;
  protected readonly params = computed(() => this.request().params);
  protected readonly title = computed(() =>
    this.request().method === 'elicitation/create' ? 'The server asks you for input' : 'The server asks the model (you) for a reply',
  );
  protected readonly plan = computed(() => planToolForm(this.params()['requestedSchema'] as JsonSchema | undefined));
  protected readonly messages = computed(() =>
    (Array.isArray(this.params()['messages']) ? (this.params()['messages'] as { role?: unknown; content?: unknown }[]) : []).map(
      (message) => ({ role: String(message.role ?? 'user'), text: textOf(message.content) }),
    ),
  );
  protected readonly edited = signal<Record<string, ToolFieldValue>>({});
  protected readonly values = computed(() => ({
    ...Object.fromEntries(this.plan().fields.map((field) => [field.name, initialValue(field)])),
    ...this.edited(),
  }));
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly reply = signal('');

  protected set(name: string, value: ToolFieldValue): void {
    this.edited.update((current) => ({ ...current, [name]: value }));
  }

  protected accept(): void {
    if (this.params()['mode'] === 'url') {
      this.answered.emit({ result: { action: 'accept' } });
      return;
    }
    const built = buildArguments(this.plan().fields, this.values());
    if (!built.ok) {
      this.errors.set(built.errors);
      return;
    }
    this.answered.emit({ result: { action: 'accept', content: built.arguments } });
  }

  protected sendReply(): void {
    this.answered.emit({
      result: {
        role: 'assistant',
        content: { type: 'text', text: this.reply().trim() },
        model: 'a person (Try it)',
        stopReason: 'endTurn',
      },
    });
  }
}
