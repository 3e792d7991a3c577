/** What `f` throws (the test fails when it throws nothing): for asserting on an error's message and code. */
export function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, and nothing was thrown');
}
