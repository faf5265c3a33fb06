using System.Collections.Concurrent;

namespace Gatehouse.Core.Security;

/// <summary>
/// Dedicated threads for password hashing, shared by the whole process. On the thread pool an
/// Argon2id hash (tens of milliseconds) would hold a pool thread and starve request handling
/// until the pool grows. A few long-lived threads leave the pool to requests (libsodium maps
/// each hash's 19 MiB afresh and unmaps it after, so idle threads hold no memory). Threads are
/// started on first use, as many as the largest concurrency asked for, and live as long as the
/// process.
/// </summary>
internal static class HashingThreads
{
    private static readonly BlockingCollection<Action> Queue = [];
    private static readonly Lock StartLock = new();
    private static int _started;

    public static Task<T> RunAsync<T>(Func<T> work, int concurrency, CancellationToken cancellationToken)
    {
        EnsureStarted(concurrency);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add(() =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                completion.TrySetCanceled(cancellationToken);
                return;
            }
            try
            {
                completion.TrySetResult(work());
            }
            catch (Exception ex)
            {
                completion.TrySetException(ex);
            }
        }, CancellationToken.None);
        return completion.Task;
    }

    private static void EnsureStarted(int count)
    {
        if (Volatile.Read(ref _started) >= count)
        {
            return;
        }
        lock (StartLock)
        {
            while (_started < count)
            {
                new Thread(Work) { IsBackground = true, Name = $"password hashing {_started + 1}" }.Start();
                _started++;
            }
        }
    }

    private static void Work()
    {
        foreach (var item in Queue.GetConsumingEnumerable())
        {
            item();
        }
    }
}
