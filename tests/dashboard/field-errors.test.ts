/**
 * The one field-error region of every form (components/ui/field-errors.tsx): there even when empty (so a new
 * message is announced), named by its id for the field's aria-describedby, selectable by the e2e tests as
 * field-error-<field>, one line per message; and the form-level error with its code's hint.
 */
import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FieldError, FormError } from '@/components/ui/field-errors';

const html = <P extends object>(el: FunctionComponent<P>, props: P) => renderToStaticMarkup(createElement(el, props));

describe('FieldError', () => {
  it('is there, empty, before any message', () => {
    expect(html(FieldError, { id: 'restore-tx-error', field: 'tx' })).toBe(
      '<div id="restore-tx-error" aria-live="polite" aria-atomic="true" data-testid="field-error-tx" class="text-red-700 dark:text-red-400 text-sm"></div>',
    );
  });

  it('shows each message on its own line', () => {
    expect(html(FieldError, { id: 'e', field: 'addresses', messages: ['Not host:port: x.', 'Is required.'] })).toContain('<p>Not host:port: x.</p><p>Is required.</p>');
  });

  it('has no test id when no field is named', () => {
    expect(html(FieldError, { id: 'e', messages: ['bad'] })).not.toContain('data-testid');
  });
});

describe('FormError', () => {
  it("shows a refusal's message, its hint, and the errors of fields the form does not show", () => {
    const out = html(FormError, { state: { ok: false, code: 'JOB_RUNNING', error: 'A backup of shop is running.', fieldErrors: { clusterId: ['unknown cluster'], type: ['bad'] } }, shown: ['type'] });
    expect(out).toContain('A backup of shop is running.');
    expect(out).toContain('Hint: wait for the running job to finish, or cancel it');
    expect(out).toContain('clusterId: unknown cluster');
    expect(out).not.toContain('type: bad');
  });

  it('shows nothing for a success or before the first submit', () => {
    expect(html(FormError, { state: { ok: true, jobId: 1 } })).toBe('');
    expect(html(FormError, { state: null })).toBe('');
  });
});
