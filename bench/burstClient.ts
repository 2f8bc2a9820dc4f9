/**
 * The load generator for `npm run bench:api`'s worst-case part, in a process of its own: it sends
 * the uploads it is given all at once and reports each answer's status and size, so the API
 * process's memory is the server's (with its embedded Cosmos), not the client's copies of the
 * bodies too. Started by bench/api.ts with fork(); one message in, one out.
 */
import { worstCaseReturn } from '../test/factories/worstCase';

interface Job {
  baseUrl: string;
  uploads: Array<{ path: string; token: string; body?: string }>;
  /** Bodies absent from `uploads` are this worst case (made here, not sent over IPC). */
  worstFor?: string;
}

process.once('message', (job: Job) => {
  void (async () => {
    const worst = job.worstFor === undefined ? undefined : worstCaseReturn(job.worstFor);
    const started = process.hrtime.bigint();
    const answers = await Promise.all(
      job.uploads.map(async (u, i) => {
        const res = await fetch(`${job.baseUrl}${u.path}`, {
          method: 'PUT',
          headers: { authorization: u.token, 'content-type': 'application/json', 'idempotency-key': `bench-json-${process.pid}-${Date.now()}-${i}` },
          body: u.body ?? worst ?? '',
        });
        return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
      }),
    );
    process.send?.({ answers, ms: Number(process.hrtime.bigint() - started) / 1e6 }, () => process.exit(0));
  })();
});
