/**
 * A value, or the promise of it: what a store method gives when one backend answers inside the
 * call and another over the network. SQLite returns the value, and its caller goes on without a
 * trip through the microtask queue (the pool's hot path: `claim`, `commitGroup`); PostgreSQL
 * returns a Promise. Callers handle both, or simply await.
 */
export type Awaitable<T> = T | Promise<T>

/** Tells a promise from a value (an Awaitable's two cases). */
export function isPromise<T>(value: Awaitable<T>): value is Promise<T> {
  return value instanceof Promise
}
