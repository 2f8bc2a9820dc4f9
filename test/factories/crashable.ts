/**
 * A Cosmos container whose writes fail once `budget.left` writes have been made, as if the
 * process had died at that point: reads go on working, every later write throws CRASHED.
 */
import type { Container } from '@azure/cosmos';

export function crashable(container: Container, budget: { left: number }): Container {
  const guard = () => {
    if (budget.left <= 0) throw Object.assign(new Error('crashed'), { code: 'CRASHED' });
    budget.left -= 1;
  };
  const guarded = <T extends object>(target: T, writes: readonly string[]): T =>
    new Proxy(target, {
      get(t, p) {
        const v = Reflect.get(t, p, t) as unknown;
        if (typeof v !== 'function') return v;
        const fn = v as (...args: unknown[]) => unknown;
        return writes.includes(String(p))
          ? (...args: unknown[]) => {
              guard();
              return fn.apply(t, args);
            }
          : fn.bind(t);
      },
    });
  return new Proxy(container, {
    get(t, p) {
      if (p === 'items') return guarded(t.items, ['create', 'upsert']);
      if (p === 'item') return (id: string, pk: string) => guarded(t.item(id, pk), ['replace', 'delete']);
      const v = Reflect.get(t, p, t) as unknown;
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(t) : v;
    },
  });
}
