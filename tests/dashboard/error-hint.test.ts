/**
 * The hint line under an error (components/ui/error-hint.tsx): the code's hint from lib/errors.ts, or nothing
 * at all when the code has none, so it can sit beside every error without an empty line.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ErrorHint } from '@/components/ui/error-hint';

const render = (code: string | null | undefined) => renderToStaticMarkup(createElement(ErrorHint, { code }));

describe('ErrorHint', () => {
  it('shows the hint of a code that has one', () => {
    const html = render('TX_PRUNED');
    expect(html).toContain('data-testid="error-hint"');
    expect(html).toContain('Hint: the member no longer holds the transactions after the last backup: take a full backup');
  });

  it.each<[string, string | null | undefined]>([
    ['a code without a hint', 'INVALID_ARGUMENT'],
    ['a code Txline does not know', 'SOMETHING_ELSE'],
    ['no code', null],
    ['a job that has not failed', undefined],
  ])('shows nothing for %s', (_what, code) => {
    expect(render(code)).toBe('');
  });
});
