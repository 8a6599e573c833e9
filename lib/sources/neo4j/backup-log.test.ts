/**
 * neo4j-admin database backup's log lines into events: the 5.23 transcript of reference 003 (a first backup
 * that falls back to a full), and lines the parser must not understand.
 */
import { describe, expect, it } from 'vitest';
import { fixtureText } from '../../../tests/fixtures/neo4j/load';
import { parseBackupLog, parseBackupLogLine, parseTook, splitLogLine, summarizeBackupLog, toProgress } from './backup-log';

describe('the backup log', () => {
  const events = parseBackupLog(fixtureText('backup-log-5.23-first-backup-fallback.txt'));

  it('reads each documented line of the 5.23 transcript', () => {
    expect(events.map((e) => e.kind)).toEqual([
      'start',
      'server',
      'phase',
      'diff-failed',
      'fallback',
      'phase',
      'phase',
      'phase',
      'transactions',
      'phase',
      'downloaded',
      'phase',
      'phase',
      'phase',
      'artifact',
      'completed',
      'command-completed',
    ]);
    expect(events[0]).toEqual({ kind: 'start', database: 'neo4j', servers: ['localhost:6362'] });
    expect(events[8]).toEqual({ kind: 'transactions', database: 'neo4j', fromTx: 30, toTx: 31 });
    expect(events[10]).toEqual({ kind: 'downloaded', database: 'neo4j', type: 'full', fromTx: -1, toTx: 30 });
    expect(events[14]).toEqual({ kind: 'artifact', database: 'neo4j', file: 'neo4j-2025-10-12T06-53-35.backup', tookMs: 64 });
    expect(events[15]).toEqual({ kind: 'completed', database: 'neo4j', tookMs: 1363 });
  });

  it('sums up per database: the server, the fallback and its reason, the artifact', () => {
    expect(summarizeBackupLog(events)).toEqual([
      {
        database: 'neo4j',
        servers: ['localhost:6362'],
        server: 'localhost:6362',
        type: 'full',
        fallbackReason: 'Differential backups require that a full backup of the same database exists in the folder defined in --to-path. No existing backup found here: /backups.',
        artifact: 'neo4j-2025-10-12T06-53-35.backup',
        fromTx: -1,
        toTx: 30,
        completed: true,
        failure: null,
      },
    ]);
  });

  it('gives progress lines in the engine shape', () => {
    const p = events.map(toProgress).filter((x) => x !== null);
    expect(p[0]).toEqual({ phase: 'start', database: 'neo4j', bytesDone: null, bytesTotal: null, txDone: null, txTotal: null, message: 'backing up neo4j from localhost:6362' });
    expect(p.at(-1)).toMatchObject({ phase: 'done', database: 'neo4j' });
  });

  it('splits the time stamp, level and logger', () => {
    expect(splitLogLine('2025-10-12 06:53:33.932+0000 INFO [c.n.b.b.BackupOutputMonitor] Start backup of database \'neo4j\'.')).toEqual({
      time: '2025-10-12T06:53:33.932Z',
      level: 'INFO',
      logger: 'c.n.b.b.BackupOutputMonitor',
      message: "Start backup of database 'neo4j'.",
    });
    expect(parseTook('1s 363ms')).toBe(1363);
    expect(parseTook('2m 3s')).toBe(123_000);
    expect(parseTook('soon')).toBeUndefined();
  });

  it('ignores what it does not know, keeps WARN and ERROR lines as problems, and takes no artifact path', () => {
    expect(parseBackupLogLine('2025-10-12 06:53:34.337+0000 INFO [x] Something new in a later version.')).toBeNull();
    expect(parseBackupLogLine('random noise')).toBeNull();
    expect(parseBackupLogLine('')).toBeNull();
    expect(parseBackupLogLine('2025-10-12 06:53:34.337+0000 ERROR [x] Remote server localhost:6362 refused the connection')).toEqual({
      kind: 'problem',
      level: 'ERROR',
      message: 'Remote server localhost:6362 refused the connection',
    });
    expect(parseBackupLogLine("2025-10-12 06:53:35.678+0000 INFO [m] Finished artifact creation '../../etc/passwd' for database 'neo4j', took 64ms.")).toBeNull();
    expect(parseBackupLogLine(`x${'a'.repeat(9000)}`)).toBeNull();
  });
});
