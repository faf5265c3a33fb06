using System.Collections.Concurrent;

namespace Gatehouse.Core.Security;

/// <summary>
/// Dedicated threads for password hashing, shared by the whole process. On the thread pool an
/// Argon2id hash (tens of milliseconds) would hold a pool thread and starve request handling
/// until the pool grows. Threads are started on first use, as many as the largest concurrency
/// asked for, and live as long as the process.
/// </summary>
/// <remarks>
/// <para>
/// The queue is the only gate: each thread takes the next hash the moment it has finished one,
/// so under load no core waits for a request handler to hand it work. A request cancelled
/// while it waits leaves at once and its hash is never computed.
/// </para>
/// <para>
/// Each thread keeps its Argon2 memory (<see cref="Argon2Memory"/>) while hashes keep coming
/// and frees it after <see cref="IdleRelease"/> without one, so an idle server holds none.
/// </para>
/// </remarks>
internal static class HashingThreads
{
    /// <summary>
    /// How long a thread without work keeps its Argon2 memory. Under load a thread is never idle
    /// this long; a server with a sign-in now and then pays for fresh memory now and then, as
    /// it did before threads kept it. Settable only so a test can see the memory go sooner; a
    /// thread reads it each time it starts to wait.
    /// </summary>
    internal static TimeSpan IdleRelease { get; set; } = TimeSpan.FromSeconds(1);

    private static readonly BlockingCollection<IWorkItem> Queue = [];
    private static readonly Lock StartLock = new();
    private static int _started;

    private interface IWorkItem
    {
        void Run();
    }

    public static Task<T> RunAsync<T>(Func<T> work, int concurrency, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        EnsureStarted(concurrency);
        var item = new WorkItem<T>(work, cancellationToken);
        Queue.Add(item, CancellationToken.None);
        return item.Task;
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
        Argon2Memory.KeepBlocksOnThisThread(true);
        while (true)
        {
            if (!Queue.TryTake(out var item, IdleRelease))
            {
                Argon2Memory.ReleaseThisThread();
                item = Queue.Take();
            }

            item.Run();
        }
    }

    private sealed class WorkItem<T> : TaskCompletionSource<T>, IWorkItem
    {
        private readonly Func<T> _work;
        private readonly CancellationTokenRegistration _cancellation;

        public WorkItem(Func<T> work, CancellationToken cancellationToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _work = work;
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((WorkItem<T>)state!).TrySetCanceled(token), this);
        }

        public void Run()
        {
            // Cancelled while it waited: the caller has already gone.
            if (Task.IsCompleted)
            {
                return;
            }

            try
            {
                TrySetResult(_work());
            }
            catch (Exception ex)
            {
                TrySetException(ex);
            }
            finally
            {
                _cancellation.Dispose();
            }
        }
    }
}
