using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Storage;

/// <summary>
/// SQLite allows one writer at a time. Instead of letting concurrent write transactions collide
/// and spin on SQLITE_BUSY (Microsoft.Data.Sqlite retries with sleeps, which shows up as
/// hundreds of milliseconds of tail latency), every write transaction of this process waits
/// its turn on one async lock. Readers are not affected (WAL). This is the "single writer" of
/// SQLite deployments; PostgreSQL, which has row locks, does not use it.
/// </summary>
internal sealed class SqliteWriteLock : DbTransactionInterceptor, IDbConnectionInterceptor
{
    public static SqliteWriteLock Instance { get; } = new();

    private readonly SemaphoreSlim _writer = new(1, 1);

    // Keyed by connection: a transaction that ends without commit or rollback (EF disposes it
    // when SaveChanges throws) still ends when its connection closes, and so does the turn.
    private readonly ConditionalWeakTable<DbConnection, object> _held = [];

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        _writer.Wait();
        _held.AddOrUpdate(connection, this);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await _writer.WaitAsync(cancellationToken);
        _held.AddOrUpdate(connection, this);
        return result;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    /// <summary>Takes the writer's turn for a write outside EF (the refresh group commit).</summary>
    internal Task EnterAsync() => _writer.WaitAsync();

    /// <summary>Gives back a turn taken with <see cref="EnterAsync"/>.</summary>
    internal void Exit() => _writer.Release();

    private void Release(DbConnection? connection)
    {
        if (connection is not null && _held.Remove(connection))
        {
            _writer.Release();
        }
    }
}
