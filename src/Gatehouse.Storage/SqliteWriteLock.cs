namespace Gatehouse.Storage;

/// <summary>
/// SQLite allows one writer at a time. Instead of letting concurrent write transactions collide
/// and spin on SQLITE_BUSY (Microsoft.Data.Sqlite retries with sleeps, which shows up as
/// hundreds of milliseconds of tail latency), every write transaction of this process waits
/// its turn on one async lock: the unit of work's transactions and the refresh group commit.
/// Readers are not affected (WAL). This is the "single writer" of SQLite deployments;
/// PostgreSQL, which has row locks, does not use it.
/// </summary>
internal sealed class SqliteWriteLock
{
    public static SqliteWriteLock Instance { get; } = new();

    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>Takes the writer's turn.</summary>
    internal Task EnterAsync(CancellationToken cancellationToken = default) => _writer.WaitAsync(cancellationToken);

    /// <summary>Takes the writer's turn, blocking (for synchronous callers).</summary>
    internal void Enter() => _writer.Wait();

    /// <summary>Gives back a turn taken with <see cref="EnterAsync"/> or <see cref="Enter"/>.</summary>
    internal void Exit() => _writer.Release();
}
