/**
 * Preloaded (node --require) into the `next start` process that `txline serve` spawns with an IPC channel:
 * when serve goes away, even by SIGKILL, the channel closes and this process stops itself the way Next.js
 * stops on SIGTERM, so no web server outlives serve. Only the direct child of serve acts on it.
 */
'use strict';

if (typeof process.send === 'function' && process.env.TXLINE_PARENT_PID === String(process.ppid)) {
  // The channel must not keep the server alive on its own.
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
  });
}
