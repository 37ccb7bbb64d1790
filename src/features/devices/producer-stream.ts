/**
 * A byte stream fed by a producer that runs inside a callback (e.g. an asUser transaction, which
 * cannot be held open across an async iterator's pulls). `push` waits while the reader is behind,
 * so a slow download holds back the database cursor instead of buffering the export in memory;
 * when the reader goes away, the next `push` throws and the producer's transaction rolls back.
 */

export class StreamCancelledError extends Error {
  override name = 'StreamCancelledError';
}

export function producerStream(
  produce: (push: (chunk: string) => Promise<void>) => Promise<void>,
  onError: (error: unknown) => void = () => {},
  highWaterMark = 8,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cancelled = false;
  let wake: (() => void) | null = null;
  const resume = () => {
    wake?.();
    wake = null;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const push = async (chunk: string) => {
          if (cancelled) throw new StreamCancelledError('the reader went away');
          controller.enqueue(encoder.encode(chunk));
          while (!cancelled && (controller.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (wake = r));
          if (cancelled) throw new StreamCancelledError('the reader went away');
        };
        void produce(push).then(
          () => {
            if (!cancelled) controller.close();
          },
          (error: unknown) => {
            if (cancelled) return;
            onError(error);
            controller.error(error);
          },
        );
      },
      pull: resume,
      cancel() {
        cancelled = true;
        resume();
      },
    },
    { highWaterMark },
  );
}
