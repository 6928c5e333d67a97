// Preloaded (`node -r`) into a service by `npm run bench -- --profile`: a V8 CPU profile of the
// whole process, written to $BENCH_CPU_PROFILE on SIGWINCH (a signal Nest's shutdown hooks leave
// alone, unlike SIGUSR2). (`--cpu-prof` writes only on a normal
// exit, and Nest's shutdown hooks end the process by re-raising SIGTERM.)
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
  process.on('SIGWINCH', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
