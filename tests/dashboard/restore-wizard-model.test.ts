/**
 * The restore wizard's model: what each step sends to be checked, and which refusals keep it on a step.
 */
import { describe, expect, it } from 'vitest';
import { checkKey, evaluate, inputFor, nextStep, previousStep, type ActionResult, type FieldErrors, type RestoreValues, type StepId } from '@/components/restore/wizard-model';
import type { RestorePreview } from '@/lib/dashboard/commands';

const values: RestoreValues = {
  clusterId: '1',
  folderId: '2',
  database: 'neo4j',
  point: 'tx',
  artifactId: '7',
  tx: '120',
  time: '2026-01-01 00:00:00',
  targetMode: 'new',
  newName: '',
  confirm: 'nope',
};

const preview = { chain: [], targetTx: 119, stopBeforeTx: 120, stopBeforeTime: null, txToReplay: 19, target: 'neo4j', replacing: true, restorable: [], skippedCorrupt: [] } satisfies RestorePreview;

describe('inputFor', () => {
  it.each([
    ['source', { clusterId: '1', folderId: '2', database: 'neo4j', point: 'latest', targetMode: 'replace' }],
    ['point', { clusterId: '1', folderId: '2', database: 'neo4j', point: 'tx', tx: '120', targetMode: 'replace' }],
    ['target', { clusterId: '1', folderId: '2', database: 'neo4j', point: 'tx', tx: '120', targetMode: 'new', newName: '' }],
    ['review', { clusterId: '1', folderId: '2', database: 'neo4j', point: 'tx', tx: '120', targetMode: 'new', newName: '', confirm: 'nope' }],
  ] as const)('%s sends the choices up to it and neutral ones after', (step, expected) => {
    expect(inputFor(step, values)).toEqual(expected);
  });

  it('sends only the field of the chosen point', () => {
    expect(inputFor('point', { ...values, point: 'artifact' })).toMatchObject({ point: 'artifact', artifactId: '7' });
    expect(inputFor('point', { ...values, point: 'artifact' })).not.toHaveProperty('tx');
    expect(inputFor('point', { ...values, point: 'time' })).toMatchObject({ point: 'time', time: '2026-01-01 00:00:00' });
    expect(inputFor('target', { ...values, targetMode: 'replace', newName: 'x' })).not.toHaveProperty('newName');
  });
});

describe('checkKey', () => {
  it('changes with the choices a step checks, not with later ones', () => {
    expect(checkKey('point', values)).toBe(checkKey('point', { ...values, newName: 'other', confirm: '' }));
    expect(checkKey('point', values)).not.toBe(checkKey('point', { ...values, tx: '121' }));
    expect(checkKey('review', values)).not.toBe(checkKey('review', { ...values, confirm: 'neo4j' }));
  });
});

describe('evaluate', () => {
  const outside = '--restore-until=999999 is outside every backup chain';
  const table: Array<[StepId, ActionResult, boolean, FieldErrors, string | null]> = [
    // step, the action's answer, moves on, field errors kept, summary error
    ['point', { ok: true, preview }, true, {}, null],
    ['point', { ok: false, error: outside, fieldErrors: { tx: [outside] } }, false, { tx: [outside] }, null],
    ['source', { ok: false, error: outside, fieldErrors: { point: [outside] } }, true, {}, null],
    ['point', { ok: false, error: 'Some fields need attention.', fieldErrors: { newName: ['enter a database name'] } }, true, {}, null],
    ['target', { ok: false, error: 'taken', fieldErrors: { newName: ['neo4j already exists'] } }, false, { newName: ['neo4j already exists'] }, null],
    ['point', { ok: false, error: 'There are no backups of x in default.', fieldErrors: { database: ['no backups'] } }, false, { database: ['no backups'] }, 'There are no backups of x in default.'],
    ['review', { ok: false, error: 'A restore of neo4j is already running (job #3)' }, false, {}, 'A restore of neo4j is already running (job #3)'],
    ['review', { ok: false, error: 'Type neo4j to confirm', fieldErrors: { confirm: ['type "neo4j" to confirm'] } }, false, { confirm: ['type "neo4j" to confirm'] }, null],
  ];
  it.each(table)('on %s: %j', (step, answer, ok, fieldErrors, error) => {
    const c = evaluate(step, 'k', answer);
    expect(c.ok).toBe(ok);
    expect(c.fieldErrors).toEqual(fieldErrors);
    expect(c.error).toBe(error);
  });

  it.each<[string, StepId, ActionResult, string | null]>([
    ['a refusal that holds the step', 'point', { ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', error: outside, fieldErrors: { tx: [outside] } }, 'RESTORE_POINT_OUTSIDE_CHAIN'],
    ['a refusal of a later step’s field', 'source', { ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', error: outside, fieldErrors: { point: [outside] } }, null],
    ['a refusal without a code', 'review', { ok: false, error: 'A restore of neo4j is already running (job #3)' }, null],
    ['a pass', 'point', { ok: true, preview }, null],
  ])('keeps the code (for its hint) of %s only', (_what, step, answer, code) => {
    expect(evaluate(step, 'k', answer).code).toBe(code);
  });
});

describe('steps', () => {
  it('go forward and back within the six', () => {
    expect(nextStep('source')).toBe('point');
    expect(nextStep('result')).toBe('result');
    expect(previousStep('source')).toBe('source');
    expect(previousStep('progress')).toBe('review');
  });
});
